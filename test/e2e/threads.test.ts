// Worker threads are sampled and recorded as threads of their process: plain worker_threads, a real
// Piscina pool (whose idle workers block in Atomics.wait and end by terminate), and a real BullMQ
// worker whose sandboxed processor runs in worker threads (useWorkerThreads).

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { analyze, reportAnalysis, findingSentence } from '../../collector/analysis';
import { importFiles } from '../../collector/formats';
import { processLabel, processParents, ProcessRecord, Recording } from '../../collector/model';
import { FIXTURES, runWspy, tempDir } from '../helpers/wspy';
import { redisUnavailable, startRedis, uniqueQueue } from '../helpers/queues-support';

const THREADS = path.join(FIXTURES, 'threads');

async function record(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Recording> {
  const out = path.join(tempDir(), 'r.json');
  const run = await runWspy(['record', ...args.slice(0, args.indexOf('--')), '-o', out, ...args.slice(args.indexOf('--'))], { env: { ...process.env, ...env } });
  assert.equal(run.code, 0, run.stderr);
  return importFiles([out]).recording;
}

/** Names of the functions in a record's samples. */
function functionsOf(r: Recording, p: ProcessRecord): Set<string> {
  const names = new Set<string>();
  for (const leaf of p.samples.stack) {
    for (let s = leaf; s !== -1; s = r.stacks.parent[s]) names.add(r.strings[r.frames.name[r.stacks.frame[s]]]);
  }
  return names;
}

function threadsOf(r: Recording): ProcessRecord[] {
  return r.processes.filter((p) => p.thread !== undefined);
}

test('worker threads are recorded under their process, without -s, with their hot function', { timeout: 60_000 }, async () => {
  const r = await record(['--', process.execPath, path.join(THREADS, 'two-workers.js')]);
  const main = r.processes.filter((p) => p.thread === undefined);
  assert.equal(main.length, 1, 'one process');
  const threads = threadsOf(r);
  assert.equal(threads.length, 2, r.processes.map(processLabel).join('\n'));
  const parentOf = processParents(r);
  for (const t of threads) {
    assert.equal(t.pid, main[0].pid);
    assert.equal(parentOf(t), main[0], 'the thread sits under its process');
    assert.ok(functionsOf(r, t).has('spinInThread'), `thread ${t.thread} ran spinInThread`);
    assert.match(processLabel(t), new RegExp(`^pid ${t.pid} thread ${t.thread}: node .*two-workers\\.js$`));
    assert.equal(t.exitCode, 0);
  }
  assert.ok(!functionsOf(r, main[0]).has('spinInThread'), "the main thread's samples are its own");
});

test('threads the agent cannot reach are listed under their process, with the reason', { timeout: 60_000 }, async () => {
  const r = await record(['--', process.execPath, path.join(THREADS, 'two-workers.js')], { OWN_EXEC_ARGV: '1' });
  const threads = threadsOf(r);
  assert.equal(threads.length, 2, r.processes.map(processLabel).join('\n'));
  for (const t of threads) {
    assert.equal(t.sampled, false);
    assert.match(t.errors.join(' '), /worker thread not sampled: .*-s/);
    assert.equal(t.exitCode, 0, 'its end, seen by the process that started it');
  }
  // With -s the same threads are reached.
  const followed = await record(['-s', '--', process.execPath, path.join(THREADS, 'two-workers.js')], { OWN_EXEC_ARGV: '1' });
  assert.ok(threadsOf(followed).every((t) => t.sampled && functionsOf(followed, t).has('spinInThread')));
});

test('a Piscina pool: every thread sampled, blocked waits are idle, the pool is a family of threads', { timeout: 90_000 }, async () => {
  const r = await record(['--', process.execPath, path.join(THREADS, 'piscina-pool.js'), '24']);
  const threads = threadsOf(r);
  assert.equal(threads.length, 4, r.processes.map(processLabel).join('\n'));
  const ran = threads.filter((t) => functionsOf(r, t).has('hashInPool'));
  assert.ok(ran.length >= 2, `hashInPool seen in ${ran.length} of 4 threads`);
  // Time blocked in Atomics.wait is idle time, not CPU in Piscina's wait loop.
  const leaves = new Map<string, number>();
  for (const t of threads) {
    t.samples.stack.forEach((s, i) => {
      const name = r.strings[r.frames.name[r.stacks.frame[s]]];
      leaves.set(name, (leaves.get(name) ?? 0) + t.samples.count[i]);
    });
  }
  const total = [...leaves.values()].reduce((x, y) => x + y, 0);
  assert.ok((leaves.get('(idle)') ?? 0) > 0, `blocked time recorded as idle: ${JSON.stringify([...leaves])}`);
  assert.ok((leaves.get('atomicsWaitLoop') ?? 0) < 0.1 * total, `little time in the wait loop itself: ${JSON.stringify([...leaves])}`);
  const a = analyze(r);
  const family = a.families.find((f) => f.threads);
  assert.ok(family, 'the pool is a family');
  assert.equal(family.members, 4);
  const ra = reportAnalysis(a);
  const top = ra.findings.find((f) => ra.families[f.family].threads);
  assert.ok(top, 'a finding about the pool');
  assert.match(findingSentence(top, ra.families[top.family]), /threads of node .*piscina\/dist\/worker\.js/);
});

test('a BullMQ worker with useWorkerThreads: the processor runs in recorded threads', { skip: redisUnavailable(), timeout: 90_000 }, async () => {
  const redis = await startRedis();
  try {
    const r = await record(['-s', '--', process.execPath, path.join(THREADS, 'bullmq-threads.js'), redis.url, uniqueQueue('threads'), '6']);
    const threads = threadsOf(r);
    assert.ok(threads.length >= 1, r.processes.map(processLabel).join('\n'));
    assert.ok(
      threads.some((t) => functionsOf(r, t).has('renderInThread')),
      `the processor ran in a thread; sampled: ${threads.map((t) => `${processLabel(t)}: ${[...functionsOf(r, t)].join(', ')}`).join('; ')}`,
    );
    assert.ok(threads.every((t) => /main-worker\.js/.test(t.command)), threads.map((t) => t.command).join(', '));
  } finally {
    await redis.stop();
  }
});
