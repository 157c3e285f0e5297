import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkMessage, HelloMessage } from '../../agent/protocol';
import { RecordingAssembler } from '../../collector/ingest';
import { framesOf, sampleCount } from '../../collector/model';

const hello = (pid: number, ppid: number, start = 1000): HelloMessage => ({
  t: 'hello', pid, ppid, argv: ['/usr/bin/node', '/app/job.js'], execArgv: [], cwd: '/app', node: 'v20', start,
});

const chunk = (pid: number, seq: number, end: number): ChunkMessage => ({
  t: 'chunk', pid, seq, start: end - 1000, end,
  frames: [['main', '/app/job.js', 1, 1], ['init', '/app/job.js', 5, 3]],
  nodes: [-1, 0, 1, 0, 1, 4],
});

test('chunks of one process merge into one profile, duplicates dropped', () => {
  const a = new RecordingAssembler({ startTime: 0, intervalUs: 10_000 });
  assert.ok(a.ingest(hello(7, 1)));
  assert.ok(a.ingest(chunk(7, 0, 2000)));
  assert.ok(a.ingest(chunk(7, 1, 3000)));
  assert.ok(a.ingest(chunk(7, 1, 3000)), 'a duplicate is accepted but not counted');
  const r = a.finish(4000);
  assert.equal(r.processes.length, 1);
  const p = r.processes[0];
  assert.equal(p.command, 'node /app/job.js');
  assert.equal(sampleCount(p), 10);
  assert.equal(r.stacks.frame.length, 2, 'stacks are shared between chunks');
  const leaf = p.samples.stack[p.samples.count.indexOf(4)];
  assert.deepEqual(framesOf(r, leaf).map((f) => r.strings[r.frames.name[f]]), ['main', 'init']);
  assert.equal(p.endTime, 4000);
});

test('malformed and hostile messages are dropped, never thrown', () => {
  const a = new RecordingAssembler({ startTime: 0, intervalUs: 10_000 });
  const bad: unknown[] = [
    undefined, null, 42, 'x', [], {}, { t: 'chunk' }, { t: 'eval', pid: 1, code: 'process.exit()' },
    { ...chunk(1, 0, 5), nodes: [0, 0, 1] },
    { ...chunk(1, 0, 5), nodes: [-1, 9, 1] },
    { ...chunk(1, 0, 5), nodes: [-1, 0, -1] },
    { ...chunk(1, 0, 5), nodes: [-1, 0] },
    { ...chunk(1, 0, 5), frames: [[1, 2, 3, 4]] },
    { ...hello(1, 0), argv: 'node' },
    { t: 'exit', pid: 1, of: -3, code: 0, signal: null, time: 1 },
    { t: 'hello', pid: 1.5 },
  ];
  for (const m of bad) assert.equal(a.ingest(m), false, JSON.stringify(m));
  assert.equal(a.stats().rejected, bad.length);
  assert.equal(a.stats().samples, 0);
});

test('spawns and exits build the process tree, non-Node children included', () => {
  const a = new RecordingAssembler({ startTime: 0, intervalUs: 10_000 });
  a.ingest(hello(10, 1));
  a.ingest({ t: 'spawn', pid: 10, child: 11, argv: ['/bin/sh', '-c', 'sleep 1'], time: 1100 });
  a.ingest({ t: 'exit', pid: 10, of: 11, code: null, signal: 'SIGKILL', time: 1200 });
  const r = a.finish(2000);
  const sh = r.processes.find((p) => p.pid === 11)!;
  assert.equal(sh.ppid, 10);
  assert.equal(sh.sampled, false);
  assert.equal(sh.signal, 'SIGKILL');
  assert.equal(sh.command, 'sh -c sleep 1');
});

test('a pid reused by a new process keeps both processes apart', () => {
  const a = new RecordingAssembler({ startTime: 0, intervalUs: 10_000 });
  a.ingest(hello(5, 1, 1000));
  a.ingest(chunk(5, 0, 1500));
  a.ingest(hello(5, 1, 9000));
  a.ingest(chunk(5, 0, 9500));
  const r = a.finish(10000);
  assert.equal(r.processes.length, 2);
  assert.deepEqual(r.processes.map((p) => sampleCount(p)), [5, 5]);
});

test("the agent's own CPU on its exit or bye becomes one (wspy agent) frame, counted once", () => {
  const a = new RecordingAssembler({ startTime: 0, intervalUs: 4_000 });
  a.ingest(hello(20, 1));
  a.ingest(chunk(20, 0, 2000));
  assert.ok(a.ingest({ t: 'exit', pid: 20, of: 20, code: 0, signal: null, time: 2100, agentCpuMs: 9.6 }));
  assert.ok(a.ingest({ t: 'exit', pid: 20, of: 20, code: 0, signal: null, time: 2100, agentCpuMs: 9.6 }), 'a repeat is accepted');
  a.ingest(hello(21, 1));
  assert.ok(a.ingest({ t: 'bye', pid: 21, time: 3000, reason: 'stopped by wspy', agentCpuMs: 4 }));
  // A parent's report of its child's end carries no agent CPU; forged values are ignored.
  a.ingest(hello(22, 1));
  a.ingest({ t: 'exit', pid: 1, of: 22, code: 0, signal: null, time: 3000, agentCpuMs: 50 });
  a.ingest({ t: 'exit', pid: 22, of: 22, code: 0, signal: null, time: 3000, agentCpuMs: 1e12 });
  const r = a.finish(4000);
  const agentSamples = (pid: number) => {
    const p = r.processes.find((x) => x.pid === pid)!;
    let n = 0;
    p.samples.stack.forEach((s, i) => {
      const names = framesOf(r, s).map((f) => r.strings[r.frames.name[f]]);
      if (names.includes('(wspy agent)')) {
        assert.deepEqual(names, ['(wspy agent)'], 'a top-level frame of its own');
        n += p.samples.count[i];
      }
    });
    return n;
  };
  assert.equal(agentSamples(20), 2, '9.6 ms at 4 ms a sample, once');
  assert.equal(agentSamples(21), 1);
  assert.equal(agentSamples(22), 0);
  assert.equal(sampleCount(r.processes.find((x) => x.pid === 20)!), 5 + 2);
});
