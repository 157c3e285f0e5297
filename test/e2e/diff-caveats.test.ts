// `wspy diff` says when its two sides were not recorded alike (another tool, another rate, other
// processes), on the terminal and in the page, and says nothing when they were.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { FIXTURES, runWspy, tempDir } from '../helpers/wspy';

const dir = tempDir();
const forkMany = path.join(FIXTURES, 'record', 'fork-many.js');
const rec = (name: string) => path.join(dir, name);

before(async () => {
  for (const [name, rate] of [['a.json', '250'], ['b.json', '250'], ['slow.json', '50']]) {
    const r = await runWspy(['record', '-s', '-r', rate, '-o', rec(name), '--', process.execPath, forkMany, '3', '1']);
    assert.equal(r.code, 0, r.stderr);
  }
  const other = await runWspy(['record', '-o', rec('other.json'), '--', process.execPath, '-e', 'let t=Date.now(); while (Date.now()-t<300);']);
  assert.equal(other.code, 0, other.stderr);
});

test('two wspy recordings of the same program: no caveat', async () => {
  const r = await runWspy(['diff', rec('a.json'), rec('b.json'), '-o', rec('same.html')]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /warning/);
  assert.doesNotMatch(fs.readFileSync(rec('same.html'), 'utf8'), /Not recorded alike/);
});

test('a wspy recording against a --cpu-prof import is flagged, in the terminal and the page', async () => {
  const cpuProfiles = path.join(FIXTURES, 'formats', 'cpuprofiles-node20');
  const r = await runWspy(['diff', rec('a.json'), cpuProfiles, '-o', rec('tools.html')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^wspy: warning: before is a wspy recording and after a \.cpuprofile .*record both sides the same way$/m);
  assert.match(fs.readFileSync(rec('tools.html'), 'utf8'), /Not recorded alike: before is a wspy recording/);
});

test('different sampling rates and different processes are flagged', async () => {
  const rates = await runWspy(['diff', rec('a.json'), rec('slow.json'), '-o', rec('rates.html')]);
  assert.equal(rates.code, 0, rates.stderr);
  assert.match(rates.stderr, /^wspy: warning: before was sampled at 250 Hz and after at 50 Hz/m);
  const procs = await runWspy(['diff', rec('a.json'), rec('other.json'), '-o', rec('procs.html')]);
  assert.equal(procs.code, 0, procs.stderr);
  assert.match(procs.stderr, /^wspy: warning: no process command is on both sides .*--normalize none/m);
  const totals = await runWspy(['diff', rec('a.json'), rec('other.json'), '--normalize', 'none', '-o', rec('totals.html')]);
  assert.doesNotMatch(totals.stderr, /no process command/, 'totals do not match processes up');
});
