// Issue 13, "How it will be checked": while `wspy record -p <pid> -s` runs on a prepared fork-per-job
// worker, an unprivileged local user polling 127.0.0.1:9229..9240 the whole time never gets an
// answer. The poller (test/fixtures/security/inspector-poller.js) runs as user nobody from a
// world-readable copy; before the recording it must reach a stand-in listener on 9240, so a poller
// that cannot connect at all cannot pass. Needs root (to become nobody): skipped with the reason
// otherwise, except under CI=true, where it must run. Run under the 9229 lock
// (flock /tmp/wspy-9229.lock node --test dist/test/e2e/attach-prepared-unprivileged.test.js):
// another test's inspector would be an answer.
import assert from 'node:assert/strict';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { alive, FIXTURES as ATTACH_FIXTURES, startTarget, Target } from '../helpers/attach-targets';
import { INSPECTOR_PORTS, preparedEnv, watchInspectorPorts } from '../helpers/prepared';
import { until } from '../helpers/wait';
import { FIXTURES, readRecording, runWspy, tempDir } from '../helpers/wspy';

const NOBODY = 65534;
const targets: Target[] = [];
let poller: ChildProcess | undefined;
let pollerDir: string | undefined;
after(() => {
  targets.forEach((t) => t.kill());
  poller?.kill('SIGKILL');
  if (pollerDir) fs.rmSync(pollerDir, { recursive: true, force: true });
});

interface PollLine {
  port?: number;
  at?: number;
  connected?: boolean;
  answer?: string;
  ready?: boolean;
  uid?: number;
  rounds?: number;
  attempts?: number;
}

interface JobLine {
  child: number;
  lived: number;
  ended: number;
  code: number | null;
  signal: string | null;
}

/** Why this machine cannot run the test (a failure rather than a skip under CI), or undefined. */
function cannotRun(): string | undefined {
  if (process.getuid?.() !== 0) return 'running a poller as user nobody needs root';
  try {
    execFileSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', process.execPath, '-e', '0'], { stdio: 'pipe', cwd: '/' });
  } catch (e) {
    return `nobody cannot run ${process.execPath} through setpriv: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`;
  }
  return undefined;
}

/** Starts the poller as nobody, from a world-readable copy (the checkout may be closed to other users). */
function startPoller(lines: PollLine[]): Promise<void> {
  pollerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wspy-poller-'));
  fs.chmodSync(pollerDir, 0o755);
  const script = path.join(pollerDir, 'inspector-poller.js');
  fs.copyFileSync(path.join(FIXTURES, 'security', 'inspector-poller.js'), script);
  fs.chmodSync(script, 0o644);
  const child = spawn('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', process.execPath, script], {
    cwd: pollerDir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  poller = child;
  let partial = '';
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts.filter(Boolean)) {
        const parsed = JSON.parse(line) as PollLine;
        lines.push(parsed);
        if (parsed.ready) resolve();
      }
    });
  });
}

/** What the stand-in answers: its own answers may reach the poller after it closed (a request in flight). */
const STAND_IN_BODY = 'wspy test stand-in';

/** A stand-in for an inspector on the last port of the range: proves the poller reaches what listens. */
async function standIn(): Promise<http.Server> {
  const server = http.createServer((_req, res) => res.end(STAND_IN_BODY));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(INSPECTOR_PORTS.last, '127.0.0.1', () => resolve());
  });
  return server;
}

test('an unprivileged user polling 9229-9240 during record -p -s on a prepared worker never gets an answer', { timeout: 120_000 }, async (t) => {
  const reason = cannotRun();
  if (reason) {
    if (process.env.CI === 'true') assert.fail(`under CI this test must run, but ${reason}`);
    console.log(`# skipped: ${reason}`);
    return t.skip(reason);
  }
  const worker = await startTarget([path.join(ATTACH_FIXTURES, 'job-worker.js')], { env: preparedEnv(), waitFor: /^ready/ });
  targets.push(worker);

  const polled: PollLine[] = [];
  await startPoller(polled);
  assert.equal(polled.find((l) => l.ready)?.uid, NOBODY, 'the poller runs as nobody');
  // The poller works: it gets the stand-in's answer on 9240 as user nobody.
  const server = await standIn();
  await until(() => polled.some((l) => l.port === INSPECTOR_PORTS.last && l.answer !== undefined), { timeoutMs: 20_000, what: "the poller to reach the stand-in on 9240" });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const closedAt = Date.now();
  const hitsSoFar = polled.length;

  const out = path.join(tempDir(), 'tree.json');
  const ports = watchInspectorPorts(worker.pid);
  const run = await runWspy(['record', '-p', String(worker.pid), '-s', '-d', '6', '-o', out]);
  const recordedUntil = Date.now();
  const roundsBefore = polled.length;
  poller!.kill('SIGTERM');
  await until(() => polled.some((l) => l.rounds !== undefined), { timeoutMs: 20_000, what: 'the poller to say how often it polled' });
  assert.ok(polled.length >= roundsBefore);

  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /opening its inspector|not signalled/, 'wspy never went near SIGUSR1');
  assert.deepEqual(ports.stop(), [], "no port of the range listened in the worker's tree");
  // Nothing answered, nor even accepted a connection, from the stand-in's close to the poller's end
  // (but the stand-in's answer to a request that was in flight when it closed).
  const hits = polled
    .slice(hitsSoFar)
    .filter((l) => l.port !== undefined && (l.at ?? 0) >= closedAt && !(l.answer ?? '').endsWith(STAND_IN_BODY));
  assert.deepEqual(hits, [], 'the poller never got an answer');
  const summary = polled.find((l) => l.rounds !== undefined)!;
  assert.ok((summary.rounds ?? 0) > 0 && (summary.attempts ?? 0) >= (summary.rounds ?? 0) * 12, `the poller kept polling: ${JSON.stringify(summary)}`);
  assert.ok(recordedUntil > closedAt);

  // The recording has the children, and none was killed.
  const attachedLine = /attached to \d+ process(?:es)? in (\d+) ms/.exec(run.stderr);
  assert.ok(attachedLine, run.stderr);
  await worker.nextLine(/"child"/, 20_000); // a job that ended after wspy left
  const jobs = worker.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as JobLine);
  for (const job of jobs) assert.deepEqual([job.code, job.signal], [0, null], `child ${job.child} ended normally`);
  assert.doesNotMatch(worker.stderr(), /Debugger|Assertion|Error/i);
  const recording = readRecording(out);
  const recorded = new Set(recording.processes.filter((p) => p.ppid === worker.pid).map((p) => p.pid));
  const begin = recording.meta.startTime + Number(attachedLine[1]);
  const window = jobs.filter((j) => j.ended - j.lived > begin + 100 && j.ended < recording.meta.endTime - 500);
  const forkedWhileRecording = recording.processes.filter((p) => p.ppid === worker.pid && ((p as { startTime?: number }).startTime ?? 0) > begin);
  assert.ok(window.length > 0 || forkedWhileRecording.length > 0, 'children forked while recording are in the recording');
  const missing = window.filter((j) => !recorded.has(j.child));
  assert.deepEqual(missing, [], `${window.length - missing.length} of ${window.length} children recorded`);
  assert.ok(alive(worker.pid));
});
