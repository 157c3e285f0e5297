// End-to-end attach: `wspy record -p <pid> -s` on a running fork-per-job worker, on Node 20 and on
// every other major available, leaves the worker healthy, serving, and with no listening socket.
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { listeningSockets } from '../../collector/proc';
import { NO_BINARIES_REASON, otherNodeBinaries } from '../helpers/node-majors';
import { FIXTURES, readRecording, runWspy, tempDir } from '../helpers/wspy';
import { sleep, until } from '../helpers/wait';

const WORKER = path.join(FIXTURES, 'record', 'job-worker.js');
const RECORD_S = 4;
const running: ChildProcess[] = [];
after(() => running.forEach((c) => c.kill('SIGKILL')));

async function startWorker(node = process.execPath): Promise<{ child: ChildProcess; log: string }> {
  const log = path.join(tempDir(), 'jobs.log');
  const child = spawn(node, [WORKER, log], { stdio: 'ignore' });
  running.push(child);
  await until(() => fs.existsSync(log) && fs.readFileSync(log, 'utf8').split('\n').length > 3, {
    timeoutMs: 10_000,
    everyMs: 50,
    what: 'the worker to start serving jobs',
  });
  return { child, log };
}

function jobsLogged(log: string): Array<{ pid: number; start: number }> {
  return fs
    .readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(' ').map(Number))
    .map(([pid, start]) => ({ pid, start }));
}

async function recordAndCheck(node?: string): Promise<void> {
  const { child, log } = await startWorker(node);
  const out = path.join(tempDir(), 'attach.json');
  const r = await runWspy(['record', '-p', String(child.pid), '-s', '-d', String(RECORD_S), '-f', 'json', '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  const attachMs = Number(/attached to 1 process in (\d+) ms/.exec(r.stderr)?.[1]);
  assert.ok(attachMs >= 0, r.stderr);
  const rec = readRecording(out) as ReturnType<typeof readRecording> & { meta: { startTime: number; endTime: number } };
  const parent = rec.processes.find((p) => p.pid === child.pid);
  assert.ok(parent && parent.sampleCount > 0, 'the worker itself is recorded');

  // Every child started well inside the recording is recorded, with samples. The recording runs from
  // the end of the attach (which began when the collector started) for the seconds asked, not to the
  // end of the stop that follows. A child forked before the agent is in place is rightly not
  // sampled, nor one whose agent boots only after the recording ended: on a saturated machine a
  // child's boot from fork() to its agent's hello takes up to about a second.
  const recordingFrom = rec.meta.startTime + attachMs;
  const window = jobsLogged(log).filter((j) => j.start > recordingFrom + 500 && j.start < recordingFrom + RECORD_S * 1000 - 1000);
  assert.ok(window.length >= 10, `${window.length} jobs in the window`);
  // Recorded: its agent said hello (it is in the recording, sampled). Its samples depend on the CPU it
  // got: a 30 ms job on a saturated machine may run for a few ms only, so fewer carry samples.
  const recorded = window.filter((j) => rec.processes.find((p) => p.pid === j.pid)?.sampled);
  assert.ok(recorded.length >= Math.ceil(window.length * 0.95), `${recorded.length} of ${window.length} children recorded`);
  const withSamples = window.filter((j) => (rec.processes.find((p) => p.pid === j.pid)?.sampleCount ?? 0) > 0);
  assert.ok(withSamples.length >= Math.ceil(window.length * 0.8), `${withSamples.length} of ${window.length} children recorded with samples`);

  // Afterwards: alive, still serving jobs, no listening socket left.
  const before = jobsLogged(log).length;
  await sleep(600);
  assert.equal(child.exitCode, null, 'the worker is alive');
  assert.ok(jobsLogged(log).length > before, 'the worker still serves jobs');
  assert.deepEqual(listeningSockets(child.pid!), [], 'no listening socket left');
  child.kill();
}

test('wspy record -p <pid> -s records a running fork-per-job worker and its children, then leaves no trace', async () => {
  await recordAndCheck();
});

test('attach and launch work on every other Node major available', async (t) => {
  const binaries = otherNodeBinaries();
  if (binaries.length === 0) return t.skip(NO_BINARIES_REASON);
  for (const node of binaries) {
    await t.test(`Node ${node.version}: attach`, () => recordAndCheck(node.path));
    await t.test(`Node ${node.version}: launch -s`, async () => {
      const out = path.join(tempDir(), 'launch.json');
      const r = await runWspy(['record', '-s', '-f', 'json', '-o', out, '--', node.path, path.join(FIXTURES, 'record', 'fork-many.js'), '3', '1']);
      assert.equal(r.code, 0, r.stderr);
      const rec = readRecording(out);
      assert.equal(rec.processes.length, 4);
      for (const p of rec.processes) assert.ok(p.sampleCount > 0, `pid ${p.pid} has samples on Node ${node.version}`);
    });
  }
});

test('attach errors are one line with a non-zero exit', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['record', '-p', '999999', '-d', '1'], /no process with pid 999999/],
    [['record', '-p', '1', '-d', '1'], /not a Node process|node/i],
  ];
  for (const [args, message] of cases) {
    const r = await runWspy(args);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});
