// Fault: frame names reached the terminal raw, so a profiled program could inject escape sequences
// (window title, screen clear, colours) into wspy's summary. A real program whose repeated work is in
// a script with such a name is recorded; wspy's stderr must hold none of the control characters, and
// must name the script with them shown as visible escapes.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { FIXTURES, runWspy, tempDir } from '../helpers/wspy';

// C0 (but newline, which ends wspy's own lines), DEL and C1.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

test('escape sequences in frame names are printed as visible text in the summary', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const run = await runWspy(['record', '-s', '-o', path.join(dir, 'r.html'), '--', process.execPath, path.join(FIXTURES, 'faults', 'hostile-terminal.js')]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /hostileInit/, 'the summary names the repeated function');
  assert.ok(!CONTROL.test(run.stderr), `raw control characters on the terminal: ${JSON.stringify(run.stderr)}`);
  assert.ok(run.stderr.includes('evil\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\x7f\\x0d.js'), run.stderr);
});
