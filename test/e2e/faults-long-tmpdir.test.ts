// Fault: a TMPDIR longer than about 80 characters crashed `record` (a Unix socket path holds at most
// 107 bytes on Linux) and left its directory behind. With a 150-character TMPDIR, a launch recording
// must work (the profiled function is in it) and leave nothing in TMPDIR nor a wspy directory in /tmp.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { functionNames, readRecording, runWspy, tempDir } from '../helpers/wspy';

const program = 'function longTmpWork() { const e = Date.now() + 300; while (Date.now() < e); } longTmpWork();';

function wspyDirsInTmp(): Set<string> {
  return new Set(fs.readdirSync('/tmp').filter((n) => /^wspy-[A-Za-z0-9]{6}$/.test(n)));
}

test('record works with a TMPDIR too long for a socket path, and leaves no directory', { timeout: 60_000 }, async () => {
  const base = tempDir();
  const tmp = path.join(base, 'a-temp-directory-whose-name-is-long-'.repeat(4));
  fs.mkdirSync(tmp, { mode: 0o700 });
  assert.ok(tmp.length > 150);
  const out = path.join(base, 'r.json');
  const before = wspyDirsInTmp();
  const r = await runWspy(['record', '-f', 'json', '-o', out, '--', process.execPath, '-e', program], { env: { ...process.env, TMPDIR: tmp } });
  assert.equal(r.code, 0, r.stderr);
  const rec = readRecording(out);
  assert.ok(functionNames(rec, rec.processes[0].pid).has('longTmpWork'), 'the program was recorded');
  assert.deepEqual(fs.readdirSync(tmp), [], 'nothing left in TMPDIR');
  const left = [...wspyDirsInTmp()].filter((n) => !before.has(n));
  // Other recordings on this machine may be running in /tmp: only a directory of ours would hold our spool.
  for (const n of left) assert.ok(!fs.existsSync(path.join('/tmp', n, 'spool', `${rec.processes[0].pid}.jsonl`)), `left /tmp/${n}`);
});
