// Faults at the end of a recording: a full disk (/dev/full gives ENOSPC on write) or an unwritable
// directory. wspy must say so in one line, keep the recording (saved as wspy JSON in the temp
// directory), say where, and that file must give the report later.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readRecording, runWspy, tempDir } from '../helpers/wspy';

const program = 'function savedWork() { const e = Date.now() + 400; while (Date.now() < e); } savedWork();';

/** A directory this user cannot create files in: a 0555 one, or for root (which ignores modes) sysfs. */
function unwritableDir(base: string): string {
  if (process.getuid?.() === 0) return '/sys';
  const dir = path.join(base, 'read-only');
  fs.mkdirSync(dir, { mode: 0o555 });
  return dir;
}

function rescuedFile(stderr: string): string {
  const m = /the recording was saved to (\S+): run `wspy report \1 -o <file>` once fixed$/m.exec(stderr);
  assert.ok(m, stderr);
  return m[1];
}

for (const [what, target] of [
  ['a full disk (/dev/full)', () => '/dev/full'],
  ['an unwritable directory', (base: string) => path.join(unwritableDir(base), 'profile.html')],
] as const) {
  test(`record -o onto ${what}: one clear line, the recording saved and usable`, { timeout: 60_000 }, async () => {
    const tmp = tempDir();
    try {
      const out = target(tmp);
      const r = await runWspy(['record', '-f', 'html', '-o', out, '--', process.execPath, '-e', program], { env: { ...process.env, TMPDIR: tmp } });
      assert.equal(r.code, 2, r.stderr);
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('wspy: error:'));
      assert.equal(errors.length, 1, r.stderr);
      assert.match(errors[0], new RegExp(`could not write ${out.replace(/[/.]/g, '\\$&')} \\((ENOSPC|EACCES|EROFS|EPERM)\\)`));
      assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
      const saved = rescuedFile(r.stderr);
      assert.equal(path.dirname(saved), tmp, 'saved in the temp directory');
      const rec = readRecording(saved);
      assert.equal(rec.processes.length, 1);
      assert.ok(rec.processes[0].sampleCount > 0, 'the samples were kept');
      // And the promised command makes the report from it.
      const html = path.join(tmp, 'later.html');
      const again = await runWspy(['report', saved, '-o', html]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(fs.readFileSync(html, 'utf8'), /savedWork/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
}

test('when the temp directory cannot take the rescue either, the one line says both', { timeout: 30_000 }, async () => {
  const tmp = tempDir();
  try {
    const input = path.join(tmp, 'in.folded');
    fs.writeFileSync(input, 'main;work 10\n');
    const r = await runWspy(['report', input, '-o', '/dev/full'], { env: { ...process.env, TMPDIR: path.join(tmp, 'missing') } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^wspy: error: could not write \/dev\/full \(ENOSPC\), nor save the recording to \S+ \(ENOENT\)$/m);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
