// Fault: the attach lock was a name in Linux's abstract socket namespace, which any local user could
// bind, so that every `record -p` waited 10 s and failed. Here another user (nobody) holds every name
// the old and a naive per-user lock would use, abstract ones and a squatted per-user directory in
// TMPDIR; wspy must still take its lock at once, and two of our own holders must still exclude each
// other. Needs root to run the other user's process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { attachLockPath, withAttachLock } from '../../collector/attach';
import { until } from '../helpers/wait';
import { tempDir } from '../helpers/wspy';

const NOBODY = 65534;

const SQUATTER = `
const net = require('net'), fs = require('fs');
const [tmp, uid] = process.argv.slice(1);
// An abstract name may be held already (by a wspy of the old kind running now): that is a squat too.
for (const name of ['\\0wspy-attach-lock', '\\0wspy-attach-lock-' + uid]) net.createServer().on('error', () => {}).listen({ path: name });
fs.mkdirSync(tmp + '/wspy-locks-' + uid, { mode: 0o777 });
fs.chmodSync(tmp + '/wspy-locks-' + uid, 0o777);
net.createServer().listen(tmp + '/wspy-locks-' + uid + '/attach.lock', () => fs.writeFileSync(tmp + '/squatting', '1'));
`;

test('a lock held by another user never blocks ours; our own holders exclude each other', { timeout: 60_000, skip: process.getuid?.() !== 0 && 'needs root to run a process as another user' }, async () => {
  const tmp = tempDir();
  fs.chmodSync(tmp, 0o1777);
  const oldTmp = process.env.TMPDIR;
  const oldRuntime = process.env.XDG_RUNTIME_DIR;
  process.env.TMPDIR = tmp;
  delete process.env.XDG_RUNTIME_DIR;
  const squatter = spawn(process.execPath, ['-e', SQUATTER, tmp, String(process.getuid!())], { uid: NOBODY, gid: NOBODY, stdio: 'inherit' });
  try {
    await until(() => fs.existsSync(path.join(tmp, 'squatting')), { timeoutMs: 30_000, what: 'the other user to take every lock name' });
    const lock = attachLockPath();
    assert.ok(!lock.startsWith(tmp), `the lock went to the squatted directory: ${lock}`);
    const st = fs.statSync(path.dirname(lock));
    assert.equal(st.uid, process.getuid!());
    assert.equal(st.mode & 0o077, 0, 'the lock directory is private');

    let inner: unknown = 'not run';
    const outer = await withAttachLock(5_000, async () => {
      // While we hold it, another holder of ours must wait: it gives up after its timeout.
      inner = await withAttachLock(200, async () => 'got it while held');
      return 'ours';
    });
    assert.deepEqual(outer, { value: 'ours' }, 'the other user blocked our lock');
    assert.equal(inner, undefined, 'two of our holders held the lock at once');
    assert.deepEqual(await withAttachLock(5_000, async () => 'again'), { value: 'again' }, 'released');
  } finally {
    squatter.kill('SIGKILL');
    if (oldTmp !== undefined) process.env.TMPDIR = oldTmp;
    else delete process.env.TMPDIR;
    if (oldRuntime !== undefined) process.env.XDG_RUNTIME_DIR = oldRuntime;
  }
});

test('a socket left by a holder that crashed does not block the lock', { timeout: 60_000 }, async () => {
  const lock = attachLockPath();
  // A holder that died without closing: its socket file stays, nobody listens on it.
  const crashed = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(lock)}, () => process.kill(process.pid, 'SIGKILL'))`]);
  await new Promise((resolve) => crashed.on('exit', resolve));
  assert.ok(fs.existsSync(lock), 'the crashed holder left its socket');
  assert.deepEqual(await withAttachLock(5_000, async () => 'taken'), { value: 'taken' });
});
