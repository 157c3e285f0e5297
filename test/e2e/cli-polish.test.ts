// The CLI's edges, through the real built CLI: one error style and exit 2 for every usage error,
// outputs refused before anything runs, the -s hint for wrappers, --open failures, plurals, and the
// collapsed export's pid frames.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { FIXTURES, functionNames, readRecording, runWspy, tempDir } from '../helpers/wspy';

const forkMany = path.join(FIXTURES, 'record', 'fork-many.js');

/** A one-line program that leaves a file behind, to tell whether the command ran at all. */
function markerProgram(dir: string): { args: string[]; marker: string } {
  const marker = path.join(dir, 'ran');
  return { args: [process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`], marker };
}

function assertUsageError(r: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0], /^wspy: error: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

test("commander's own usage errors read like wspy's and exit 2", async () => {
  assertUsageError(await runWspy(['report']), /missing required argument 'inputs'.*wspy report --help/);
  assertUsageError(await runWspy(['bogus']), /unknown command 'bogus'/);
  assertUsageError(await runWspy(['record', '--bogus', '--', 'node', '-e', '0']), /unknown option '--bogus'/);
  assertUsageError(await runWspy(['diff', 'a.json']), /missing required argument 'after'/);
  assertUsageError(await runWspy(['diff', '--normalize', 'sideways', 'a', 'b']), /Allowed choices are process, unit, none/);
  // wspy's own (UserError) keep the same shape.
  assertUsageError(await runWspy(['demo', '--jobs', 'many']), /--jobs needs a number of jobs from 1 to 500, not "many"/);
  assertUsageError(await runWspy(['record', '-r', 'fast', '--', 'node', '-e', '0']), /-r\/--rate needs/);
  const version = await runWspy(['--version']);
  assert.equal(version.code, 0);
  const help = await runWspy(['record', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Examples:\n {2}wspy record /);
});

test('-o with an unknown extension is refused, with the known ones, before the command runs', async () => {
  const dir = tempDir();
  const { args, marker } = markerProgram(dir);
  const r = await runWspy(['record', '-o', path.join(dir, 'out.xyz'), '--', ...args]);
  assertUsageError(r, /extension "\.xyz".*\.html.*\.speedscope\.json.*\.folded/);
  assert.ok(!fs.existsSync(marker), 'the command did not run');
  assert.deepEqual(fs.readdirSync(dir), [], 'nothing written');
  // -f says what to write whatever the name; a name without an extension gets HTML.
  const named = await runWspy(['record', '-f', 'json', '-o', path.join(dir, 'out.xyz'), '--', process.execPath, '-e', '0']);
  assert.equal(named.code, 0, named.stderr);
  assert.equal(readRecording(path.join(dir, 'out.xyz')).format, 'wspy-recording');
  assertUsageError(await runWspy(['report', path.join(dir, 'out.xyz'), '-o', path.join(dir, 'r.htm1')]), /extension "\.htm1"/);
});

test('an output that cannot be written is refused before the command runs', async () => {
  const dir = tempDir();
  const { args, marker } = markerProgram(dir);
  const missing = await runWspy(['record', '-o', path.join(dir, 'no', 'such', 'dir', 'p.html'), '--', ...args]);
  assertUsageError(missing, /does not exist/);
  const isDir = await runWspy(['record', '-o', dir, '--', ...args]);
  assertUsageError(isDir, /is a directory/);
  assert.ok(!fs.existsSync(marker), 'the command did not run');
});

test('a wrapper launched without -s gets a hint; with -s it does not', async () => {
  const dir = tempDir();
  const cmd = `"${process.execPath}" -e 0`;
  const without = await runWspy(['record', '-o', path.join(dir, 'a.json'), '--', 'sh', '-c', cmd]);
  assert.equal(without.code, 0, without.stderr);
  assert.match(without.stderr, /^wspy: warning: sh runs your program in a child process.*add -s/m);
  const withS = await runWspy(['record', '-s', '-o', path.join(dir, 'b.json'), '--', 'sh', '-c', cmd]);
  assert.equal(withS.code, 0, withS.stderr);
  assert.doesNotMatch(withS.stderr, /warning/);
});

test('--open with no opener to start says so, and the report is still written', async () => {
  const dir = tempDir();
  const rec = path.join(dir, 'r.json');
  assert.equal((await runWspy(['record', '-o', rec, '--', process.execPath, '-e', '0'])).code, 0);
  // A PATH with node and no xdg-open (nor open, explorer): node's own directory may hold those.
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  const env = { ...process.env, PATH: bin };
  const r = await runWspy(['report', rec, '-o', path.join(dir, 'r.html'), '--open'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^wspy: warning: --open: could not open the report \(.* was not found\); open .*r\.html in a browser yourself$/m);
  assert.ok(fs.existsSync(path.join(dir, 'r.html')));
});

test('summaries say "1 process", and collapsed output has one pid frame per process unless merged', async () => {
  const dir = tempDir();
  const one = await runWspy(['record', '-o', path.join(dir, 'one.json'), '--', process.execPath, '-e', 'let t=Date.now(); while (Date.now()-t<200);']);
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stderr, /^wspy: Wrote .*one\.json: 1 process, \d+ samples?, 0 errors$/m);

  const rec = path.join(dir, 'many.json');
  const r = await runWspy(['record', '-s', '-o', rec, '--', process.execPath, forkMany, '3', '1']);
  assert.equal(r.code, 0, r.stderr);
  const sampled = readRecording(rec).processes.filter((p) => p.sampleCount > 0);
  // The three children always run JavaScript; the parent, which only waits, may have no sample.
  assert.equal(sampled.filter((p) => p.command.includes('busy-child')).length, 3, sampled.map((p) => p.command).join(', '));

  const folded = path.join(dir, 'many.folded');
  assert.equal((await runWspy(['report', rec, '-o', folded])).code, 0);
  const roots = new Set(fs.readFileSync(folded, 'utf8').trim().split('\n').map((l) => l.split(';')[0]));
  assert.deepEqual([...roots].sort(), sampled.map((p) => `pid ${p.pid}: ${p.command}`).sort(), 'one pid frame per sampled process');

  const merged = path.join(dir, 'merged.folded');
  assert.equal((await runWspy(['report', rec, '--merge-processes', '-o', merged])).code, 0);
  const text = fs.readFileSync(merged, 'utf8');
  assert.doesNotMatch(text, /^pid \d+:/m);
  assert.match(text, /busyChildWork/);
  const count = (t: string) => t.trim().split('\n').reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  assert.equal(count(text), count(fs.readFileSync(folded, 'utf8')), 'merging keeps every sample');
});

test('-f cpuprofile writes one .cpuprofile per process into a directory, which wspy report reads back', async () => {
  const dir = tempDir();
  const recorded = path.join(dir, 'recorded.json');
  const r = await runWspy(['record', '-s', '-o', recorded, '--', process.execPath, forkMany, '3', '1']);
  assert.equal(r.code, 0, r.stderr);
  const out = path.join(dir, 'profiles');
  const written = await runWspy(['report', recorded, '-f', 'cpuprofile', '-o', out]);
  assert.equal(written.code, 0, written.stderr);
  const files = fs.readdirSync(out).sort();
  assert.equal(files.length, 4, files.join(' '));
  for (const f of files) assert.match(f, /^CPU\.\d{8}\.\d{6}\.\d+\.0\.\d{3}\.cpuprofile$/);
  const back = path.join(dir, 'back.json');
  const again = await runWspy(['report', out, '-o', back]);
  assert.equal(again.code, 0, again.stderr);
  const before = readRecording(recorded);
  const rec = readRecording(back);
  assert.equal(rec.processes.length, 4);
  // What each process sampled comes back (idle time is not a function and is read back as such): on
  // a saturated machine a 20 ms child may have run none of its work while sampled, so the recording
  // itself is the reference, not the fixture.
  const worked = (r: typeof rec, pid: number) => [...functionNames(r, pid)].filter((n) => n !== '(idle)').sort();
  for (const p of before.processes) assert.deepEqual(worked(rec, p.pid), worked(before, p.pid), `process ${p.pid}'s functions came back`);
  assert.ok(rec.processes.some((p) => functionNames(rec, p.pid).has('busyChildWork')), "the children's work came back");
  // A directory output is refused when -o names a file.
  const file = path.join(dir, 'a-file');
  fs.writeFileSync(file, '');
  assertUsageError(await runWspy(['report', back, '-f', 'cpuprofile', '-o', file]), /writes a directory of files/);
});
