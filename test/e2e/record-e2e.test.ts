// End-to-end: the real CLI records real multi-process programs.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { FIXTURES, functionNames, processRunning, readRecording, runWspy, tempDir } from '../helpers/wspy';
import { until } from '../helpers/wait';

const fixture = (name: string) => path.join(FIXTURES, 'record', name);

test('record -s: 50 children living 20 to 200 ms are all recorded with samples', async () => {
  const out = path.join(tempDir(), 'r.json');
  const r = await runWspy(['record', '-s', '-f', 'json', '-o', out, '--', process.execPath, fixture('fork-many.js'), '50', '4']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /forked 50/, 'the command\'s stdout passes through');
  assert.match(r.stderr, /^wspy: Wrote .*: 51 processes, \d+ samples, 0 errors$/m);
  const rec = readRecording(out);
  assert.equal(rec.processes.length, 51);
  const root = rec.processes.find((p) => p.command.includes('fork-many.js'))!;
  assert.ok(root, 'the root process is recorded');
  for (const p of rec.processes) {
    assert.ok(p.sampleCount > 0, `pid ${p.pid} (${p.command}) has samples`);
    if (p !== root) {
      assert.equal(p.ppid, root.pid);
      assert.equal(p.exitCode, 0);
    }
  }
  // Children that spin for 50 ms or more are caught in the act.
  const spinning = rec.processes.filter((p) => functionNames(rec, p.pid).has('busyChildWork'));
  assert.ok(spinning.length >= 40, `${spinning.length} children show busyChildWork`);
});

test('record without -s records only the launched process', async () => {
  const out = path.join(tempDir(), 'r.json');
  const r = await runWspy(['record', '-o', out, '--', process.execPath, fixture('fork-many.js'), '3', '1']);
  assert.equal(r.code, 0, r.stderr);
  const rec = readRecording(out);
  assert.equal(rec.processes.length, 1);
  assert.match(rec.processes[0].command, /fork-many\.js/);
});

test('record -s follows fork, explicit env, shell exec, cluster, grandchildren and SIGKILLed children', async () => {
  const out = path.join(tempDir(), 'zoo.json');
  const r = await runWspy(['record', '-s', '-o', out, '--', process.execPath, fixture('zoo.js')]);
  assert.equal(r.code, 0, r.stderr);
  const rec = readRecording(out);
  const root = rec.processes.find((p) => p.command.includes('zoo.js') && functionNames(rec, p.pid).has('main'))!;
  assert.ok(root, 'root recorded');
  for (const fn of ['forkedWork', 'explicitEnvWork', 'shellExecWork', 'clusterWorkerWork', 'parentOfGrandchildWork', 'grandchildWork', 'killedWorkSlice']) {
    const p = processRunning(rec, fn);
    assert.ok(p, `a process ran ${fn}`);
    assert.notEqual(p.pid, root.pid, `${fn} ran in its own process`);
  }
  const grandchild = processRunning(rec, 'grandchildWork')!;
  assert.equal(grandchild.ppid, processRunning(rec, 'parentOfGrandchildWork')!.pid);
  const shell = rec.processes.find((p) => p.pid === processRunning(rec, 'shellExecWork')!.ppid)!;
  assert.ok(shell, 'the shell between exec and node is in the tree');
  assert.equal(shell.sampled, false, 'the shell has no agent');
  assert.equal(shell.ppid, root.pid);
  const killed = processRunning(rec, 'killedWorkSlice')!;
  assert.equal(killed.signal, 'SIGKILL');
});

test('exit code, stdout and stderr of the command pass through; wspy marks its own lines', async () => {
  const out = path.join(tempDir(), 'x.json');
  const r = await runWspy(['record', '-o', out, '--', process.execPath, '-e', 'console.log("out"); console.error("err"); process.exitCode = 7']);
  assert.equal(r.code, 7);
  assert.equal(r.stdout, 'out\n');
  const lines = r.stderr.trim().split('\n');
  assert.deepEqual(lines.filter((l) => l === 'err'), ['err'], "the command's stderr passes through, once");
  for (const line of lines) assert.ok(line === 'err' || line.startsWith('wspy: '), line);
});

test('SIGINT stops the recording, reaches the command, and the report is still written', async () => {
  const out = path.join(tempDir(), 'int.json');
  let wspyPid = 0;
  // A worker that yields between slices of work, and shuts down on SIGINT.
  // It says when it has spun 25 slices (500 ms of work to sample), by writing the file named in argv.
  const ready = out + '.ready';
  const program = 'process.on("SIGINT", () => { console.log("child got SIGINT"); process.exit(130); }); let n = 0; function spinSlice() { const e = Date.now() + 20; while (Date.now() < e); if (++n === 25) require("fs").writeFileSync(process.argv[1], "1"); setImmediate(spinSlice); } spinSlice();';
  const running = runWspy(['record', '-o', out, '--', process.execPath, '-e', program, ready], { onSpawn: (pid) => (wspyPid = pid) });
  await until(() => fs.existsSync(ready), { timeoutMs: 60_000, what: 'the command to have spun 25 slices' });
  process.kill(wspyPid, 'SIGINT');
  const r = await running;
  assert.equal(r.code, 130, 'the command\'s own exit code after its SIGINT handler');
  assert.match(r.stdout, /child got SIGINT/);
  assert.match(r.stderr, /SIGINT: stopping the recording/);
  assert.match(r.stderr, /Wrote /);
  assert.ok(fs.existsSync(out));
  const rec = readRecording(out);
  assert.ok(functionNames(rec, rec.processes[0].pid).has('spinSlice'));
});

test('a command that ignores SIGINT: the report is written, and a second SIGINT kills it', async () => {
  const out = path.join(tempDir(), 'stubborn.json');
  let wspyPid = 0;
  const ready = out + '.ready';
  const program = 'process.on("SIGINT", () => console.log("ignored")); require("fs").writeFileSync(process.argv[1], "1"); setInterval(() => {}, 1000);';
  const running = runWspy(['record', '-o', out, '--', process.execPath, '-e', program, ready], { onSpawn: (pid) => (wspyPid = pid) });
  await until(() => fs.existsSync(ready), { timeoutMs: 60_000, what: 'the command to install its SIGINT handler' });
  process.kill(wspyPid, 'SIGINT');
  await until(() => fs.existsSync(out), { timeoutMs: 20_000, everyMs: 100, what: 'the report to be written while the command still runs' });
  process.kill(wspyPid, 'SIGINT');
  const r = await running;
  assert.match(r.stderr, /send SIGINT again \(Ctrl-C\) to kill it/);
  assert.equal(r.code, 128 + 9);
});

test('-d stops recording while the command runs on, and its exit code still passes through', async () => {
  const out = path.join(tempDir(), 'd.json');
  const r = await runWspy(['record', '-d', '1', '-o', out, '--', process.execPath, '-e', 'setTimeout(() => { require("fs").writeFileSync(process.argv[1], String(Date.now())); process.exit(3); }, 3000)', out + '.done']);
  assert.equal(r.code, 3);
  const reportAt = fs.statSync(out).mtimeMs;
  const doneAt = Number(fs.readFileSync(out + '.done', 'utf8'));
  // The recording ends at -d 1: not before that second is up, and not with the command (3 s).
  const { meta } = readRecording(out);
  assert.ok(meta.endTime - meta.startTime >= 990, `-d 1 gave a recording of ${meta.endTime - meta.startTime} ms`);
  assert.ok(meta.endTime < doneAt, `the recording ended ${meta.endTime - doneAt} ms after the command did`);
  assert.ok(reportAt < doneAt, 'the report was written before the command ended');
});

test('user mistakes get one line and a non-zero exit, never a stack trace', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['record', '-o', '/tmp/x.html', '--', 'no-such-command-wspy'], /command not found: no-such-command-wspy/],
    [['record', '-r', 'fast', '--', 'node'], /-r\/--rate needs samples per second/],
    [['record'], /nothing to record/],
    [['record', '-f', 'png', '--', 'node'], /unknown format "png"/],
  ];
  for (const [args, message] of cases) {
    const r = await runWspy(args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('an output that becomes unwritable while recording keeps the recording and says where it is', async () => {
  // wspy checks the output before it starts; here the program removes the output's directory while
  // it is recorded. The rescued recording goes to the temp directory: a private one, so that it
  // goes when the test ends.
  const outDir = path.join(tempDir(), 'out');
  fs.mkdirSync(outDir);
  const program = `require('fs').rmSync(${JSON.stringify(outDir)}, { recursive: true })`;
  const r = await runWspy(['record', '-f', 'json', '-o', path.join(outDir, 'r.json'), '--', process.execPath, '-e', program], { env: { ...process.env, TMPDIR: tempDir() } });
  assert.notEqual(r.code, 0);
  const m = /the recording was saved to (\S+\.json\.gz)/.exec(r.stderr);
  assert.ok(m, r.stderr);
  assert.ok(readRecording(m[1]).processes.length >= 1);
});
