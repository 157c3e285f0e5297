// `wspy top` without a terminal, in launch mode (no inspector): one plain table per interval, the
// hot function of the launched command in it, no escape sequences, and the command's exit code passed on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runWspy } from '../helpers/wspy';

test('top without a terminal prints one plain table per interval, and passes the command on', async () => {
  const result = await runWspy(['top', '-d', '4', '-s', '--', process.execPath, '-e', TIMED_HOT]);
  assert.equal(result.code, 0, result.stderr);
  const tables = result.stdout.split('\n').filter((l) => l.startsWith('wspy top · '));
  assert.ok(tables.length >= 2, `several tables:\n${result.stdout}`);
  assert.match(result.stdout, /^\s+OWN%\s+OWN\(1s\)\s+TOTAL\s+PROCS\s+FUNCTION$/m);
  assert.match(result.stdout, /\d+ ms\s+\d+ ms\s+1\s+timedHotFunction \(/);
  assert.doesNotMatch(result.stdout, /\x1b/, 'no escape sequences without a terminal');
});

// Burns CPU in slices for 6 s, then exits: longer than -d so wspy stops first and the command ends on its own.
const TIMED_HOT = `function timedHotFunction() { const end = Date.now() + 50; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1); }
const stop = Date.now() + 6000; (function loop() { timedHotFunction(); if (Date.now() < stop) setImmediate(loop); })();`;
