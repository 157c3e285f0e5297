// Queues known to the agent: a real BullMQ worker (sandboxed, concurrency 3) that also runs a Bull
// worker, launched under `wspy record -s`. While it records, `wspy ps` shows the agent and both
// queues, and findQueueWorkers finds the process without Redis; the recording names the queues.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { findQueueWorkers } from '../../collector/queues';
import { readRecording, runWspy, tempDir } from '../helpers/wspy';
import { freePort, PsRow, QUEUE_FIXTURES, redisUnavailable, runPs, startRedis, uniqueQueue } from '../helpers/queues-support';
import { until } from '../helpers/wait';

const skip = redisUnavailable();

test('a worker launched under wspy reports its queues to ps, to --queue and to the recording', { skip, timeout: 60_000 }, async () => {
  const redis = await startRedis();
  const queue = uniqueQueue('agent-mails');
  const legacy = uniqueQueue('agent-legacy');
  const out = path.join(tempDir(), 'r.json');
  try {
    const recording = runWspy([
      'record', '-s', '-f', 'json', '-o', out, '--',
      process.execPath, path.join(QUEUE_FIXTURES, 'bullmq-worker.js'), redis.url, queue,
      '--concurrency', '3', '--jobs', '3', '--also-bull', legacy, '--exit-after', '5000',
    ]);

    let rows: PsRow[] = [];
    const worker = await until(
      () => {
        rows = JSON.parse(runPs(['--json']).stdout) as PsRow[];
        const w = rows.find((p) => p.argv.includes(queue) && p.argv[1]?.endsWith('bullmq-worker.js'));
        return w && w.queues.length === 2 ? w : undefined;
      },
      { tries: 100, everyMs: 100, what: () => 'the worker to be listed with both queues: ' + JSON.stringify(rows.map((p) => [p.pid, p.agent, p.argv.slice(1, 4), p.queues])) },
    );
    assert.equal(worker.agent, true, JSON.stringify(worker));
    assert.deepEqual(
      worker.queues.map((q) => `${q.source}:${q.prefix}:${q.queue}`).sort(),
      [`agent:bull:${legacy}`, `agent:bull:${queue}`].sort(),
    );

    // Without Redis (nothing listens on that port), the agents' word is enough.
    const found = await findQueueWorkers(queue, { redisUrl: `redis://127.0.0.1:${await freePort()}` });
    assert.deepEqual(found.pids, [worker.pid]);
    assert.equal(found.workers[0].via, 'agent');
    assert.match(found.notes[0], /was not asked/);

    const result = await recording;
    assert.equal(result.code, 0, result.stderr);
    const r = readRecording(out) as unknown as { strings: string[]; processes: Array<{ pid: number; ppid: number; queues?: Array<string | number> }> };
    const p = r.processes.find((x) => x.pid === worker!.pid);
    assert.ok(p, 'the worker is not in the recording');
    const names = (p.queues ?? []).map((q) => (typeof q === 'number' ? r.strings[q] : q)).sort();
    assert.deepEqual(names, [legacy, queue].sort());
    assert.ok(r.processes.filter((x) => x.ppid === worker!.pid).length >= 3, 'the sandboxed children are missing');
  } finally {
    await redis.stop();
  }
});
