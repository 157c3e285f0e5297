// End-to-end: TypeScript run the ways people run it is reported at its .ts lines. Real tsc output
// with .map files (recorded, and imported from Node's own --cpu-prof), real esbuild bundles (minified,
// inline map: original names too), real tsx (CommonJS and ES module packages) and real ts-node, all
// recorded by the real CLI. Plain JavaScript without a map keeps its lines.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import { JsonRecording, readRecording, ROOT, runWspy, tempDir } from '../helpers/wspy';

// Types and interfaces vanish in the output, so every line below moves in compiled JavaScript.
const APP_TS = `interface Job {
  size: number;
}
type Total = number;
declare const process: { env: Record<string, string | undefined> };

const crunchArrow = (job: Job): Total => {
  let s = 0;
  for (let i = 0; i < job.size; i++) s += Math.sqrt(i) * Math.sin(i);
  return s;
};

export function burnFor(ms: number): Total {
  const end = Date.now() + ms;
  let total = 0;
  while (Date.now() < end) total += crunchArrow({ size: 20000 });
  return total;
}

console.log(burnFor(Number(process.env.BURN_MS ?? 600)) !== 0 ? 'burnt' : 'none');
`;

const line = (text: string) => APP_TS.slice(0, APP_TS.indexOf(text)).split('\n').length;
const BURN_LINE = line('export function burnFor');
const CRUNCH_LINE = line('const crunchArrow');

const bin = (rel: string) => path.join(ROOT, 'node_modules', rel);

/** A project directory with app.ts, its package.json (`type`) and a tsconfig for CommonJS. */
function project(type: 'commonjs' | 'module' = 'commonjs'): string {
  const dir = fs.realpathSync(tempDir('wspy-srcmap-'));
  fs.writeFileSync(path.join(dir, 'app.ts'), APP_TS);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'srcmap-app', private: true, type }));
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'es2019', module: 'commonjs', strict: true, types: [], outDir: 'dist', sourceMap: true } }),
  );
  return dir;
}

interface SampledFrame {
  name: string;
  file: string;
  line: number;
}

/** Every frame on a sampled stack of any process. */
function sampledFrames(r: JsonRecording): SampledFrame[] {
  const seen = new Set<number>();
  for (const p of r.processes) {
    for (const leaf of p.samples.stack) for (let s = leaf; s !== -1; s = r.stacks.parent[s]) seen.add(r.stacks.frame[s]);
  }
  return [...seen].map((f) => ({ name: r.strings[r.frames.name[f]], file: r.strings[r.frames.file[f]], line: r.frames.line[f] }));
}

/** burnFor and the arrow it calls are at their .ts lines, and no frame of app.ts is anywhere else. */
function assertTsLines(r: JsonRecording, how: string, opts: { arrowNamed?: boolean } = {}): void {
  const frames = sampledFrames(r);
  const ts = frames.filter((f) => /app\.ts$/.test(f.file));
  const shown = JSON.stringify(frames.filter((f) => /app\.(ts|js)|bundle/.test(f.file)));
  const burn = ts.filter((f) => f.name === 'burnFor');
  assert.ok(burn.length > 0, `${how}: burnFor is in app.ts: ${shown}`);
  for (const f of burn) assert.equal(f.line, BURN_LINE, `${how}: burnFor at app.ts:${BURN_LINE}: ${shown}`);
  assert.ok(ts.some((f) => f.line === CRUNCH_LINE && (opts.arrowNamed === false || f.name === 'crunchArrow')), `${how}: crunchArrow at app.ts:${CRUNCH_LINE}: ${shown}`);
  for (const f of ts) assert.ok([1, BURN_LINE, CRUNCH_LINE].includes(f.line), `${how}: ${f.name} at app.ts:${f.line} is no function's line: ${shown}`);
  assert.ok(!frames.some((f) => /dist[\\/]app\.js$|bundle\.js$/.test(f.file) && f.line > 1), `${how}: no function left in the generated file: ${shown}`);
}

async function record(dir: string, command: string[], extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<JsonRecording> {
  const out = path.join(dir, 'rec.json');
  const r = await runWspy(['record', '-f', 'json', '-o', out, ...extra, '--', ...command], { cwd: dir, env: { ...process.env, ...env } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /burnt/);
  return readRecording(out);
}

test('tsc --sourceMap: recorded frames are at their .ts lines, in the recording and in every output made from it', async () => {
  const dir = project();
  execFileSync(process.execPath, [bin('typescript/bin/tsc'), '-p', dir]);
  const js = fs.readFileSync(path.join(dir, 'dist/app.js'), 'utf8');
  assert.notEqual(js.split('\n').findIndex((l) => l.includes('function burnFor')) + 1, BURN_LINE, 'tsc moved burnFor');
  const rec = await record(dir, [process.execPath, 'dist/app.js']);
  assertTsLines(rec, 'tsc');

  const json = path.join(dir, 'rec.json');
  // Collapsed and SVG label frames `name (file:line)`; speedscope has file and line fields; the HTML
  // report embeds the recording for its browser code.
  for (const [format, ext] of [['collapsed', 'txt'], ['speedscope', 'speedscope.json'], ['svg', 'svg'], ['html', 'html']]) {
    const out = path.join(dir, `out.${ext}`);
    const r = await runWspy(['report', json, '-f', format, '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const text = fs.readFileSync(out, 'utf8');
    const expected = {
      html: `"${path.join(dir, 'app.ts')}"`,
      speedscope: JSON.stringify({ name: 'burnFor', file: path.join(dir, 'app.ts'), line: BURN_LINE }).slice(0, -1),
    }[format] ?? `burnFor (app.ts:${BURN_LINE})`;
    assert.ok(text.includes(expected), `${format} shows ${expected}`);
    assert.ok(!/dist\/app\.js:\d|"file":"[^"]*dist\/app\.js"/.test(text), `${format} shows no frame of dist/app.js`);
  }
});

test('a .cpuprofile of tsc output (node --cpu-prof) is reported at the .ts lines when the files are on disk', async () => {
  const dir = project();
  execFileSync(process.execPath, [bin('typescript/bin/tsc'), '-p', dir]);
  execFileSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', path.join(dir, 'prof'), 'dist/app.js'], { cwd: dir });
  const out = path.join(dir, 'imported.json');
  const r = await runWspy(['report', path.join(dir, 'prof'), '-f', 'json', '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  assertTsLines(readRecording(out), 'cpuprofile');
});

test('esbuild bundles, minified with an inline map: original files, lines and names', async () => {
  const dir = project();
  fs.writeFileSync(path.join(dir, 'main.ts'), "import './app';\n");
  esbuild.buildSync({
    entryPoints: [path.join(dir, 'main.ts')],
    bundle: true,
    platform: 'node',
    minify: true,
    sourcemap: 'inline',
    outfile: path.join(dir, 'out/bundle.js'),
    logLevel: 'silent',
  });
  assert.doesNotMatch(fs.readFileSync(path.join(dir, 'out/bundle.js'), 'utf8'), /function burnFor/, 'the bundle is minified');
  // The arrow is named by V8 from its minified variable (\`var o=(...)=>\`): only function declarations get their names back.
  assertTsLines(await record(dir, [process.execPath, 'out/bundle.js']), 'esbuild', { arrowNamed: false });
});

for (const type of ['commonjs', 'module'] as const) {
  test(`tsx (${type} package): frames compiled in memory are at their .ts lines`, async () => {
    const dir = project(type);
    const rec = await record(dir, [process.execPath, bin('tsx/dist/cli.mjs'), 'app.ts'], ['-s']);
    // tsx keeps names with esbuild's __name(), so V8 may see the arrow as anonymous.
    assertTsLines(rec, `tsx ${type}`, { arrowNamed: false });
  });
}

test('ts-node (node -r ts-node/register): frames compiled in memory are at their .ts lines', async () => {
  const dir = project();
  fs.writeFileSync(path.join(dir, 'main.js'), "require('./app.ts');\n");
  const rec = await record(dir, [process.execPath, '-r', bin('ts-node/register/index.js'), 'main.js']);
  assertTsLines(rec, 'ts-node');
});

test('plain JavaScript without a map keeps its own lines', async () => {
  const dir = project();
  execFileSync(process.execPath, [bin('typescript/bin/tsc'), '-p', dir, '--sourceMap', 'false']);
  const js = fs.readFileSync(path.join(dir, 'dist/app.js'), 'utf8');
  const jsLine = js.split('\n').findIndex((l) => l.includes('function burnFor')) + 1;
  const frames = sampledFrames(await record(dir, [process.execPath, 'dist/app.js'])).filter((f) => f.name === 'burnFor');
  assert.ok(frames.length > 0);
  for (const f of frames) assert.deepEqual([path.basename(f.file), f.line], ['app.js', jsLine]);
});
