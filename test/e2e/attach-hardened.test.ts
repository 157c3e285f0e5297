// The inspector path for targets that are not prepared, hardened (docs/ATTACH.md): wspy says what
// opening the inspector exposes before it signals, refuses a target whose inspector would listen
// on an address other machines reach, and a target blocked in a native call that opens its
// inspector after wspy gave up and exited gets it closed again by the detached watcher. Real
// processes and the real CLI; run under the 9229 lock
// (flock /tmp/wspy-9229.lock node scripts/test.mjs attach-hardened).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { allPids, listeningSockets, readCmdline } from '../../collector/proc';
import { alive, startTarget, Target } from '../helpers/attach-targets';
import { sleep, until } from '../helpers/wait';
import { runWspy } from '../helpers/wspy';

const targets: Target[] = [];
after(() => targets.forEach((t) => t.kill()));

const IDLE = "setInterval(() => console.log('tick'), 200); console.log('ready')";

for (const how of ['command line', 'NODE_OPTIONS'] as const) {
  test(`a target whose inspector would listen on 0.0.0.0 (${how}) is refused and never signalled`, async () => {
    const option = '--inspect-port=0.0.0.0:0';
    const t = await startTarget(how === 'command line' ? [option, '-e', IDLE] : ['-e', IDLE], {
      env: how === 'NODE_OPTIONS' ? { ...process.env, NODE_OPTIONS: option } : process.env,
      waitFor: /^ready/,
    });
    targets.push(t);
    const run = await runWspy(['record', '-p', String(t.pid), '-d', '1', '-o', '/dev/null']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /would listen on 0\.0\.0\.0:0, which other machines can reach.*--allow-remote-inspector/);
    assert.doesNotMatch(run.stderr, /opening its inspector/);
    await t.nextLine(/^tick/);
    assert.deepEqual(listeningSockets(t.pid), []);
    assert.doesNotMatch(t.stderr(), /Debugger/, 'SIGUSR1 was never sent');
    t.kill();
  });
}

test('a target blocked in execSync when wspy gives up gets its late inspector closed after wspy has exited', async () => {
  const t = await startTarget(
    ['-e', "console.log('ready'); require('child_process').execSync('sleep 6'); console.log('returned'); setInterval(() => console.log('tick'), 200)"],
    { waitFor: /^ready/ },
  );
  targets.push(t);
  const run = await runWspy(['record', '-p', String(t.pid), '-d', '1', '-o', '/dev/null']);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /any local user can reach it for about \d+ ms/, 'wspy said what it was about to open');
  assert.match(run.stderr, /did not open within/);
  // wspy is gone; the target opens its inspector when the native call returns.
  await t.nextLine(/^returned/, 30_000);
  await until(() => /Debugger listening/.test(t.stderr()), { timeoutMs: 10_000, what: 'the late inspector to open' });
  await until(() => listeningSockets(t.pid).length === 0, { timeoutMs: 15_000, what: 'the late inspector to be closed again' });
  await sleep(500);
  assert.deepEqual(listeningSockets(t.pid), [], 'it stays closed');
  assert.ok(alive(t.pid));
  await t.nextLine(/^tick/);
  t.kill();
  await until(() => !alive(t.pid), { timeoutMs: 5000, what: 'the target to end' });
  // The watcher ends with its target.
  await until(() => !allPids().some((p) => readCmdline(p).some((a) => a.endsWith('late-close-watcher.js')) && readCmdline(p).includes(String(t.pid))), {
    timeoutMs: 10_000,
    what: 'the watcher to exit',
  });
});
