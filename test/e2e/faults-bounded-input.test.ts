// Fault: `wspy report` on a 400 KB gzip that inflates to 400 MB of `[` grew to 22 GB, and a deeply
// nested speedscope file ran out of memory. Both are made here (smaller, the same shape) and given to
// the real CLI: it must refuse each with one `wspy: error:` line and exit 2, and a legit file beside
// them must still load.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { MAX_STACK_DEPTH } from '../../collector/model';
import { runWspy, tempDir } from '../helpers/wspy';

function deepSpeedscope(depth: number): string {
  const events: object[] = [];
  for (let i = 0; i < depth; i++) events.push({ type: 'O', frame: 0, at: i });
  for (let i = 0; i < depth; i++) events.push({ type: 'C', frame: 0, at: depth + i + 1 });
  return JSON.stringify({
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    shared: { frames: [{ name: 'f' }] },
    profiles: [{ type: 'evented', name: 'p', unit: 'milliseconds', startValue: 0, endValue: 2 * depth + 1, events }],
  });
}

const bad: Array<{ name: string; bytes: Buffer | string; says: RegExp }> = [
  { name: 'bomb.json.gz', bytes: gzipSync(Buffer.alloc(64 << 20, '['), { level: 9 }), says: /nested deeper than \d+ levels/ },
  { name: 'deep.speedscope.json', bytes: deepSpeedscope(MAX_STACK_DEPTH + 100), says: /deeper than 4096 frames/ },
  { name: 'deep.folded', bytes: `${Array.from({ length: MAX_STACK_DEPTH + 1 }, (_, i) => `f${i}`).join(';')} 3\n`, says: /deeper than 4096 frames/ },
];

for (const b of bad) {
  test(`report refuses ${b.name} with one line and exit 2`, { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const file = path.join(dir, b.name);
    fs.writeFileSync(file, b.bytes);
    const run = await runWspy(['report', file, '-o', path.join(dir, 'r.html')]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, b.says);
    assert.match(run.stderr, /^wspy: error: [^\n]*\n$/, 'one line');
    assert.ok(!fs.existsSync(path.join(dir, 'r.html')));
  });
}

test('a stack exactly at the depth limit still loads', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const file = path.join(dir, 'limit.speedscope.json');
  fs.writeFileSync(file, deepSpeedscope(200));
  const run = await runWspy(['report', file, '-f', 'json', '-o', path.join(dir, 'r.json')]);
  assert.equal(run.code, 0, run.stderr);
});
