// Fuzzing every importer: 10,000+ random, truncated and hostile inputs made by mutating real
// fixtures (test/fixtures/formats, ../shared/fixtures/foreign, wspy's own exports) go through
// importBytes and, every 25th, importFiles. Each must give a Recording or a one-line UserError:
// never another exception, never a hang (a case running over 2 s fails), never a polluted
// Object.prototype. The PRNG is seeded; a failure prints its seed and case number, and
//   WSPY_FUZZ_SEED=<seed> WSPY_FUZZ_CASE=<n> node scripts/test.mjs fuzz-import
// replays that one case.

import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { FuzzReport, FuzzRequest } from '../helpers/fuzz-import-worker';
import { tempDir } from '../helpers/wspy';

/** A hang guard, not a performance threshold: the slowest real case takes a few milliseconds. */
const CASE_LIMIT_MS = 2000;
const SEED = Number(process.env.WSPY_FUZZ_SEED ?? 0x5eed7);
const ONLY = Number(process.env.WSPY_FUZZ_CASE ?? -1);
const CASES = 20_000;

test(`import fuzzing: ${CASES} mutated inputs (seed ${SEED}) give a Recording or a UserError, none hangs`, { timeout: 180_000 }, async () => {
  const request: FuzzRequest = { seed: SEED, cases: CASES, fileEvery: 25, only: ONLY, dir: tempDir('wspy-fuzz-') };
  const worker = new Worker(path.join(__dirname, '..', 'helpers', 'fuzz-import-worker.js'), { workerData: request });
  const failures: string[] = [];
  let current: { index: number; what: string; since: number } | undefined;
  let slowest = { ms: 0, index: -1 };
  let ran = 0;

  const finished = await new Promise<Extract<FuzzReport, { t: 'finished' }> | { hung: string }>((resolve, reject) => {
    const watchdog = setInterval(() => {
      if (current && Date.now() - current.since > CASE_LIMIT_MS) {
        clearInterval(watchdog);
        const hung = current.what;
        void worker.terminate().then(() => resolve({ hung }));
      }
    }, 100);
    worker.on('message', (m: FuzzReport) => {
      if (m.t === 'start') current = { index: m.index, what: m.what, since: Date.now() };
      else if (m.t === 'done') {
        ran++;
        if (m.ms > slowest.ms) slowest = { ms: m.ms, index: m.index };
        if (m.ms > CASE_LIMIT_MS) failures.push(`${current?.what}: took ${Math.round(m.ms)} ms`);
        current = undefined;
      } else if (m.t === 'failed') {
        failures.push(`${m.what}\n  ${m.error}`);
        current = undefined;
      } else {
        clearInterval(watchdog);
        resolve(m);
      }
    });
    worker.on('error', (e) => {
      clearInterval(watchdog);
      reject(e);
    });
  });

  assert.ok(!('hung' in finished), `hang: ${'hung' in finished ? finished.hung : ''} ran over ${CASE_LIMIT_MS} ms`);
  assert.deepEqual(failures.slice(0, 5), [], `${failures.length} failing cases`);
  if (ONLY >= 0) return;
  assert.equal(ran, CASES);
  const { counts, corpus } = finished as Extract<FuzzReport, { t: 'finished' }>;
  console.log(`# fuzz: ${JSON.stringify(counts)}; slowest case ${slowest.index}: ${slowest.ms.toFixed(1)} ms; corpus ${corpus.length} files`);
  // The fuzzer must reach both outcomes and every kind of seed, or it tests nothing.
  assert.ok(corpus.length >= 15, corpus.join(', '));
  assert.ok(counts.recording > CASES / 20, `${counts.recording} inputs still imported`);
  assert.ok(counts['user-error'] > CASES / 20, `${counts['user-error']} inputs refused`);
  assert.ok(counts.files >= CASES / 25);
});
