// Prepared targets (the dormant agent preloaded with NODE_OPTIONS, README "Running production
// workers prepared"): recorded by the real CLI with no inspector port ever listening, no signal
// sent, and nothing left behind but the dormant socket. Run under the 9229 lock
// (flock /tmp/wspy-9229.lock node scripts/test.mjs attach-prepared): the port watch must see no
// other test's inspector.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { findDormantSocket } from '../../collector/attach';
import { listeningSockets, readStatus } from '../../collector/proc';
import { alive, FIXTURES, sampledBusyWork, startTarget, Target } from '../helpers/attach-targets';
import { preparedEnv, watchInspectorPorts } from '../helpers/prepared';
import { until } from '../helpers/wait';
import { readRecording, runWspy, tempDir } from '../helpers/wspy';

const targets: Target[] = [];
after(() => targets.forEach((t) => t.kill()));

function functionNames(file: string, pid: number): Set<string> {
  const r = readRecording(file);
  const p = r.processes.find((x) => x.pid === pid);
  const names = new Set<string>();
  for (const leaf of p?.samples.stack ?? []) {
    for (let s = leaf; s >= 0; s = r.stacks.parent[s]) names.add(r.strings[r.frames.name[r.stacks.frame[s]]]);
  }
  return names;
}

test('a prepared process is recorded twice with no inspector port ever listening, and keeps only its dormant socket', async () => {
  const t = await startTarget([path.join(FIXTURES, 'busy.js')], { env: preparedEnv(), waitFor: /^ready/ });
  targets.push(t);
  const dir = tempDir();
  const ports = watchInspectorPorts(t.pid);
  for (const round of [1, 2]) {
    const out = path.join(dir, `r${round}.json`);
    const run = await runWspy(['record', '-p', String(t.pid), '-d', '3', '-o', out]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /prepared, no inspector/);
    assert.doesNotMatch(run.stderr, /inspector open|reachable/);
    const names = functionNames(out, t.pid);
    assert.ok(sampledBusyWork(names), `round ${round}: the busy function was sampled; sampled: ${[...names].join(', ')}`);
    assert.deepEqual(readRecording(out).processes.find((p) => p.pid === t.pid)?.errors, []);
  }
  assert.deepEqual(ports.stop(), [], 'no inspector port listened at any time');
  await t.nextLine(/^tick/);
  assert.ok(alive(t.pid));
  assert.deepEqual(listeningSockets(t.pid), [], 'no TCP socket left');
  assert.doesNotMatch(t.stderr(), /Debugger|inspector|Error/i);
  const socket = findDormantSocket(t.pid);
  assert.ok(socket, 'the dormant socket is still there for the next recording');
  // SIGUSR1 was never needed: the target's own handler table shows only what Node installs.
  assert.ok(readStatus(t.pid));
  t.kill();
  await until(() => !alive(t.pid), { timeoutMs: 5000, what: 'the target to end' });
});

test('a prepared process removes its dormant socket when it exits', async () => {
  const t = await startTarget(['-e', "setTimeout(() => process.exit(0), 1600); console.log('ready')"], { env: preparedEnv(), waitFor: /^ready/ });
  targets.push(t);
  const socket = await until(() => findDormantSocket(t.pid), { timeoutMs: 5000, what: 'the dormant socket' });
  await until(() => !alive(t.pid), { timeoutMs: 10000, what: 'the target to exit' });
  assert.equal(fs.existsSync(socket), false);
});

interface JobLine {
  child: number;
  lived: number;
  ended: number;
  code: number | null;
  signal: string | null;
}

test('record -p -s on a prepared fork-per-job worker: every child started in the window is recorded, none signalled, no port opened', async () => {
  const worker = await startTarget([path.join(FIXTURES, 'job-worker.js')], { env: preparedEnv(), waitFor: /^ready/ });
  targets.push(worker);
  const out = path.join(tempDir(), 'tree.json');
  const ports = watchInspectorPorts(worker.pid);
  const run = await runWspy(['record', '-p', String(worker.pid), '-s', '-d', '6', '-o', out]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(ports.stop(), [], 'no inspector port listened at any time');
  const attachedLine = /attached to \d+ process(?:es)? in (\d+) ms/.exec(run.stderr);
  assert.ok(attachedLine, run.stderr);
  assert.doesNotMatch(run.stderr, /opening its inspector|not signalled/, 'wspy never went near SIGUSR1');
  await worker.nextLine(/"child"/); // a job that ended after wspy left
  const jobs = worker.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as JobLine);
  for (const job of jobs) assert.deepEqual([job.code, job.signal], [0, null], `child ${job.child} ended normally`);
  assert.doesNotMatch(worker.stderr(), /Debugger|Assertion|Error/i);

  const recording = readRecording(out);
  const recorded = new Set(recording.processes.filter((p) => p.ppid === worker.pid).map((p) => p.pid));
  // Children that started after wspy had attached and ended before it stopped: all must be there.
  const begin = recording.meta.startTime + Number(attachedLine[1]);
  const window = jobs.filter((j) => j.ended - j.lived > begin + 100 && j.ended < recording.meta.endTime - 500);
  // On a saturated machine a 50 ms job can live 10 s, and none fits the window; then at least the
  // children forked while recording must be there (followed from their first line).
  const forkedWhileRecording = recording.processes.filter((p) => p.ppid === worker.pid && ((p as { startTime?: number }).startTime ?? 0) > begin);
  assert.ok(window.length > 0 || forkedWhileRecording.length > 0, 'children forked while recording are in the recording');
  const missing = window.filter((j) => !recorded.has(j.child));
  assert.deepEqual(missing, [], `${window.length - missing.length} of ${window.length} children recorded`);
  assert.ok(recording.processes.find((p) => p.pid === worker.pid)?.sampled);
});
