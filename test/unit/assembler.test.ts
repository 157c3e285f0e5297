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

test('CPU the agent measured: what ran before it, and each non-idle sample weighted to CPU ms', () => {
  const a = new RecordingAssembler({ startTime: 0, intervalUs: 1000 });
  assert.ok(a.ingest({ ...hello(8, 1), bootCpuUs: 40_000, cpuUs: 50_000 }));
  // 10 samples of work and 5 idle; 20 ms of CPU since sampling started (the machine was busy: 10 samples of 1 ms stand for 2 ms each).
  const c: ChunkMessage = {
    t: 'chunk', pid: 8, seq: 0, start: 1000, end: 2000,
    frames: [['main', '/app/job.js', 1, 1], ['(idle)', '', 0, 0]],
    nodes: [-1, 0, 10, -1, 1, 5],
    cpuUs: 70_000,
    messages: 3,
  };
  assert.ok(a.ingest(c));
  assert.ok(a.ingest({ t: 'exit', pid: 8, of: 8, code: 0, signal: null, time: 2100, cpuUs: 70_500, messages: 3 }));
  const p = a.finish(3000).processes[0];
  assert.deepEqual(p.cpu, { beforeAgentMs: 40, sampledMs: 20.5 });
  assert.equal(p.intervalUs, 2050);
  assert.equal(p.messages, 3);
  // A hostile reading is ignored, not trusted.
  const b = new RecordingAssembler({ startTime: 0, intervalUs: 1000 });
  b.ingest({ ...hello(9, 1), bootCpuUs: 90_000, cpuUs: 'x' });
  b.ingest({ ...c, pid: 9, cpuUs: -5, messages: 1.5 });
  const q = b.finish(3000).processes[0];
  assert.equal(q.cpu, undefined);
  assert.equal(q.intervalUs, 1000);
  assert.equal(q.messages, undefined);
});

test("the agent's own CPU (agentCpuMs) is kept apart, and the samples stand for CPU from the profiler's start", () => {
  const a = new RecordingAssembler({ startTime: 0, intervalUs: 1000 });
  a.ingest({ ...hello(20, 1), bootCpuUs: 40_000 });
  // The profiler started at 48 ms of CPU (the agent's boot in between is no one's sample).
  a.ingest({ ...chunk(20, 0, 2000), cpuUs: 58_000, sampleCpuUs: 48_000 });
  assert.ok(a.ingest({ t: 'exit', pid: 20, of: 20, code: 0, signal: null, time: 2100, cpuUs: 58_000, sampleCpuUs: 48_000, agentCpuMs: 9.6 }));
  a.ingest(hello(21, 1));
  assert.ok(a.ingest({ t: 'bye', pid: 21, time: 3000, reason: 'stopped by wspy', agentCpuMs: 4 }));
  // A parent's report of its child's end carries no agent CPU; forged values are ignored.
  a.ingest(hello(22, 1));
  a.ingest({ t: 'exit', pid: 1, of: 22, code: 0, signal: null, time: 3000, agentCpuMs: 50 });
  a.ingest({ t: 'exit', pid: 22, of: 22, code: 0, signal: null, time: 3000, agentCpuMs: 1e12 });
  const r = a.finish(4000);
  const byPid = (pid: number) => r.processes.find((x) => x.pid === pid)!;
  assert.deepEqual(byPid(20).cpu, { beforeAgentMs: 40, sampledMs: 10, agentMs: 9.6 });
  assert.equal(sampleCount(byPid(20)), 5, 'no synthetic samples');
  assert.equal(byPid(22).cpu, undefined);
});

test("V8's profiler thread's CPU (profilerCpuUs) is taken out of what the samples stand for and kept with the agent's", () => {
  const a = new RecordingAssembler({ startTime: 0, intervalUs: 1000 });
  a.ingest(hello(30, 1));
  // 20 ms of CPU since the profiler started, 4 of them on its own thread: the 5 samples stand for 16.
  a.ingest({ ...chunk(30, 0, 2000), cpuUs: 68_000, sampleCpuUs: 48_000, profilerCpuUs: 3_000 });
  a.ingest({ t: 'exit', pid: 30, of: 30, code: 0, signal: null, time: 2100, cpuUs: 68_000, sampleCpuUs: 48_000, profilerCpuUs: 4_000, agentCpuMs: 9 });
  // Without the agent's own figure, the profiler thread's CPU alone is the agent's; a forged one never exceeds the window.
  a.ingest(hello(31, 1));
  a.ingest({ ...chunk(31, 0, 2000), cpuUs: 20_000, sampleCpuUs: 10_000, profilerCpuUs: 2_000 });
  a.ingest(hello(32, 1));
  a.ingest({ ...chunk(32, 0, 2000), cpuUs: 20_000, sampleCpuUs: 10_000, profilerCpuUs: 1e9 });
  const r = a.finish(3000);
  const byPid = (pid: number) => r.processes.find((x) => x.pid === pid)!;
  assert.deepEqual(byPid(30).cpu, { sampledMs: 16, agentMs: 13 });
  assert.equal(byPid(30).intervalUs, 16_000 / 5);
  assert.deepEqual(byPid(31).cpu, { sampledMs: 8, agentMs: 2 });
  assert.deepEqual(byPid(32).cpu, { sampledMs: 0, agentMs: 10 });
});

test('what a process could not spool: the largest of its running totals, with the reason and place; forged counts dropped', () => {
  const a = new RecordingAssembler({ startTime: 0, intervalUs: 10_000 }, new Set(), '/mnt/small');
  a.ingest(hello(7, 1));
  const lost = (messages: number, chunks: number, code = 'ENOSPC') => ({ messages, chunks, samples: chunks * 5, bytes: messages * 100, code });
  assert.ok(a.ingest({ ...chunk(7, 0, 2000), lost: lost(1, 0) }));
  assert.ok(a.ingest({ t: 'exit', pid: 7, of: 7, code: 0, signal: null, time: 3000, lost: lost(3, 1) }));
  // An older total from the loss marker, read later, changes nothing.
  a.addLoss(7, undefined, lost(2, 1));
  // A spool file cut mid-line: the reader cannot tell the code, the agent's is kept.
  a.addLoss(8, undefined, { messages: 1, chunks: 0, samples: 0, bytes: 40, code: 'CUT_SHORT' });
  a.addLoss(9, undefined, lost(1, 0, 'EDQUOT'));
  for (const forged of [{ ...lost(1, 0), code: 'x; rm -rf' }, { ...lost(1, 0), messages: -1 }, { ...lost(0, 0) }, { ...lost(1, 0), bytes: 1.5 }, 'ENOSPC']) {
    a.addLoss(10, undefined, forged);
  }
  assert.equal(a.stats().rejected, 5);
  const r = a.finish(4000);
  const byPid = new Map(r.processes.map((p) => [p.pid, p.lost]));
  assert.deepEqual(byPid.get(7), { messages: 3, chunks: 1, samples: 5, bytes: 300, reason: 'disk full at /mnt/small' });
  assert.match(byPid.get(8)?.reason ?? '', /cut short at \/mnt\/small/);
  assert.equal(byPid.get(9)?.reason, 'disk quota exceeded at /mnt/small');
  assert.equal(byPid.has(10), false, 'a forged count creates no process');
});
