// Runs the import fuzzing cases in a worker thread for test/fuzz-import.test.ts, so that the test's
// main thread can watch every case and stop a hang (a synchronous loop cannot be interrupted in-thread).
// Cases come from a seeded PRNG: the same seed gives the same cases, so a failure names a case to replay.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { UserError } from '../../collector/model';
import { exporterFor, importBytes, importFiles } from '../../collector/formats';
import { sampleRecording } from './formats-sample';
import { ROOT } from './wspy';

export interface FuzzRequest {
  seed: number;
  cases: number;
  /** Every n-th case also goes through importFiles (a real file on disk). */
  fileEvery: number;
  /**
   * Where those files go. The main thread makes it with tempDir() and so removes it: a worker it
   * terminates for a hang runs no cleanup of its own.
   */
  dir: string;
  /** Only run this case (replaying a failure); -1 runs all. */
  only: number;
}

export type FuzzReport =
  | { t: 'start'; index: number; what: string }
  | { t: 'done'; index: number; ms: number; outcome: 'recording' | 'user-error' }
  | { t: 'failed'; index: number; what: string; error: string }
  | { t: 'finished'; counts: Record<string, number>; corpus: string[] };

const root = ROOT;

/** mulberry32: small, fast and good enough to pick mutations; reproducible from the seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Seed {
  name: string;
  bytes: Buffer;
}

function corpus(): Seed[] {
  const formats = path.join(root, 'test/fixtures/formats');
  const dirs = [formats, path.join(formats, 'cpuprofiles-node20'), path.join(formats, 'cpuprofiles-node22'), path.join(root, '../shared/fixtures/foreign')];
  const seeds: Seed[] = [];
  for (const dir of dirs) {
    // A folder that moved must not silently leave its files out of the corpus.
    if (!fs.existsSync(dir)) throw new Error(`fuzz corpus: no folder ${dir}`);
    for (const name of fs.readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (!fs.statSync(file).isFile() || /\.(js|md)$/.test(name)) continue;
      const bytes = fs.readFileSync(file);
      // The 1 MB Chrome profile would dominate the run time; its head and a cut keep its shape.
      seeds.push({ name, bytes: bytes.length > 200_000 ? bytes.subarray(0, 200_000) : bytes });
    }
  }
  const json = Buffer.from(exporterFor('json').write(sampleRecording()) as string);
  seeds.push({ name: 'sample.json', bytes: json });
  seeds.push({ name: 'sample.json.gz', bytes: gzipSync(json) });
  seeds.push({ name: 'sample.speedscope.json', bytes: Buffer.from(exporterFor('speedscope').write(sampleRecording()) as string) });
  const pprof = exporterFor('pprof').write(sampleRecording());
  seeds.push({ name: 'sample.pb.gz', bytes: Buffer.isBuffer(pprof) ? pprof : Buffer.from(pprof as string) });
  seeds.push({ name: 'sample.folded', bytes: Buffer.from(exporterFor('collapsed').write(sampleRecording()) as string) });
  return seeds;
}

/** Values that break naive code: prototype keys, huge and negative numbers, wrong types. */
const HOSTILE_JSON = [
  '"__proto__"', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '-1', '1e308', '-1e308',
  '4294967296', '9007199254740993', 'null', 'true', '[]', '{}', '"</script><img src=x onerror=alert(1)>"', '[[[[[[[[[[]]]]]]]]]]',
  '0.5', 'NaN', '"\\u0000"', '[-1,-1,-1]', '{"length":1e9}',
];
const HOSTILE_TEXT = ['\0', '\r\n', ';;;;', ' 99999999999999999999\n', ' -5\n', '\uFEFF', '\uD800', 'a;b;c NaN\n', '\n\n\n', '(root);__proto__ 1\n'];

function mutate(rand: () => number, seeds: Seed[]): { name: string; bytes: Buffer; what: string } {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const seed = pick(seeds);
  let b = Buffer.from(seed.bytes);
  const at = () => Math.floor(rand() * (b.length + 1));
  const ops: string[] = [];
  const rounds = 1 + Math.floor(rand() * 3);
  for (let r = 0; r < rounds; r++) {
    const op = Math.floor(rand() * 10);
    switch (op) {
      case 0: {
        const n = at();
        b = b.subarray(0, n);
        ops.push(`truncate@${n}`);
        break;
      }
      case 1: {
        const flips = 1 + Math.floor(rand() * 8);
        for (let i = 0; i < flips && b.length > 0; i++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
        ops.push(`flip×${flips}`);
        break;
      }
      case 2: {
        const n = at();
        const junk = Buffer.alloc(1 + Math.floor(rand() * 32));
        for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(rand() * 256);
        b = Buffer.concat([b.subarray(0, n), junk, b.subarray(n)]);
        ops.push(`insert${junk.length}@${n}`);
        break;
      }
      case 3: {
        const from = at();
        const to = Math.min(b.length, from + Math.floor(rand() * 64));
        b = Buffer.concat([b.subarray(0, from), b.subarray(to)]);
        ops.push(`delete${from}-${to}`);
        break;
      }
      case 4: {
        const from = at();
        const to = Math.min(b.length, from + Math.floor(rand() * 256));
        const n = at();
        b = Buffer.concat([b.subarray(0, n), b.subarray(from, to), b.subarray(n)]);
        ops.push(`dup${from}-${to}@${n}`);
        break;
      }
      case 5: {
        // Replace a JSON number or string token with a hostile value.
        const text = b.toString('latin1');
        const re = /-?\d+(\.\d+)?|"[^"\\]{0,40}"/g;
        const tokens = [...text.matchAll(re)];
        if (tokens.length) {
          const tok = pick(tokens);
          const value = pick(HOSTILE_JSON);
          b = Buffer.from(text.slice(0, tok.index) + value + text.slice(tok.index! + tok[0].length), 'latin1');
          ops.push(`json ${value}`);
        }
        break;
      }
      case 6: {
        const n = at();
        const value = pick(HOSTILE_TEXT);
        b = Buffer.concat([b.subarray(0, n), Buffer.from(value), b.subarray(n)]);
        ops.push(`text ${JSON.stringify(value)}@${n}`);
        break;
      }
      case 7: {
        const other = pick(seeds).bytes;
        const n = at();
        b = Buffer.concat([b.subarray(0, n), other.subarray(Math.floor(rand() * other.length))]);
        ops.push(`splice@${n}`);
        break;
      }
      case 8: {
        b = gzipSync(b);
        if (rand() < 0.5) b = b.subarray(0, Math.floor(rand() * b.length));
        ops.push('gzip');
        break;
      }
      default: {
        const junk = Buffer.alloc(Math.floor(rand() * 512));
        for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(rand() * 256);
        b = junk;
        ops.push(`random${junk.length}`);
      }
    }
  }
  return { name: seed.name, bytes: b, what: `${seed.name}: ${ops.join(', ')}` };
}

function run(req: FuzzRequest): void {
  const port = parentPort!;
  const seeds = corpus();
  const rand = prng(req.seed);
  const counts: Record<string, number> = { recording: 0, 'user-error': 0, files: 0 };
  for (let index = 0; index < req.cases; index++) {
    // Every case draws from the same stream, so case N is the same whether or not it runs alone.
    const c = mutate(rand, seeds);
    const viaFile = index % req.fileEvery === 0;
    if (req.only >= 0 && index !== req.only) continue;
    const what = `case ${index} (seed ${req.seed}${viaFile ? ', importFiles' : ''}) ${c.what}`;
    port.postMessage({ t: 'start', index, what } satisfies FuzzReport);
    const t0 = performance.now();
    let outcome: 'recording' | 'user-error';
    try {
      if (viaFile) {
        const file = path.join(req.dir, `${index}-${c.name}`);
        fs.writeFileSync(file, c.bytes);
        counts.files++;
        const { recording } = importFiles([file]);
        if (!recording || !Array.isArray(recording.processes)) throw new Error('importFiles returned no recording');
        fs.rmSync(file);
      } else {
        const r = importBytes(c.bytes, c.name);
        if (!r || !Array.isArray(r.processes)) throw new Error('importBytes returned no recording');
      }
      outcome = 'recording';
    } catch (e) {
      if (!(e instanceof UserError)) {
        port.postMessage({ t: 'failed', index, what, error: (e as Error)?.stack ?? String(e) } satisfies FuzzReport);
        continue;
      }
      if (e.message.includes('\n')) {
        port.postMessage({ t: 'failed', index, what, error: `multi-line UserError: ${e.message}` } satisfies FuzzReport);
        continue;
      }
      outcome = 'user-error';
    }
    const polluted = Object.keys(Object.prototype).length > 0 || ({} as Record<string, unknown>).polluted !== undefined;
    if (polluted) port.postMessage({ t: 'failed', index, what, error: 'Object.prototype was polluted' } satisfies FuzzReport);
    counts[outcome]++;
    port.postMessage({ t: 'done', index, ms: performance.now() - t0, outcome } satisfies FuzzReport);
  }
  port.postMessage({ t: 'finished', counts, corpus: seeds.map((s) => s.name) } satisfies FuzzReport);
}

if (parentPort && workerData) run(workerData as FuzzRequest);
