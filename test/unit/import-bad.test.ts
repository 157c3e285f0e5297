// Broken and foreign input: every bad file gives one clear line naming it, the good files are still
// used, nothing crashes. A randomized pass feeds thousands of random and cut-off inputs through the
// per-file import path and accepts only a Recording or a UserError.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { UserError } from '../../collector/model';
import { exporterFor, importBytes, importFiles } from '../../collector/formats';
import { sampleRecording } from '../helpers/formats-sample';
import { tempDir, ROOT } from '../helpers/wspy';

const root = ROOT;
const fixtures = path.join(root, 'test/fixtures/formats');
const foreign = path.join(root, '../shared/fixtures/foreign');
const good = path.join(fixtures, 'datadog-time.pb.gz');

const json = Buffer.from(exporterFor('json').write(sampleRecording()) as string);
const cpuprofile = fs.readFileSync(path.join(foreign, 'Chrome-65-simple.cpuprofile'));
const pprofRaw = gunzipSync(fs.readFileSync(good));

const badFiles: Array<{ name: string; bytes: Buffer | string; says: RegExp }> = [
  { name: 'empty.json', bytes: '', says: /empty/ },
  { name: 'cut.json', bytes: json.subarray(0, json.length / 2), says: /wspy recording does not parse .*truncated/ },
  { name: 'cut.cpuprofile', bytes: cpuprofile.subarray(0, 700), says: /does not parse.*truncated/ },
  { name: 'cut.json.gz', bytes: gzipSync(json).subarray(0, 200), says: /gzip data is truncated/ },
  { name: 'cut.pb', bytes: pprofRaw.subarray(0, pprofRaw.length - 7), says: /pprof.*truncated/ },
  { name: 'garbage.bin', bytes: Buffer.from([0xff, 0x00, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]), says: /not a format wspy reads/ },
  { name: 'README.md', bytes: '# Notes\n\nThis is not a profile at all.\nJust words.\n', says: /not folded stacks/ },
  { name: 'other.json', bytes: '{"hello": "world"}', says: /JSON, but not a format wspy reads/ },
  { name: 'huge-line.folded', bytes: 'a'.repeat(3 << 20), says: /no folded stack lines/ },
  { name: 'newer.json', bytes: JSON.stringify({ ...JSON.parse(json.toString()), version: 99 }), says: /version 99, written by a newer wspy/ },
  { name: 'bad-index.json', bytes: json.toString().replace('"stack":[', '"stack":[999999,'), says: /broken wspy recording: .*samples/ },
  { name: 'unbalanced.speedscope.json', bytes: fs.readFileSync(path.join(foreign, 'speedscope-invalid-incomplete-trace.json')), says: /never closed/ },
];

test('each bad file gives one line naming it, and the good file is still used', () => {
  const tmp = tempDir('wspy-bad-');
  for (const bad of badFiles) {
    const file = path.join(tmp, bad.name);
    fs.writeFileSync(file, bad.bytes);
    const { recording, problems } = importFiles([file, good]);
    assert.equal(recording.processes.length, 1, bad.name);
    assert.equal(problems.length, 1, `${bad.name}: ${problems.join(' | ')}`);
    assert.ok(problems[0].startsWith(`${file}: `), problems[0]);
    assert.match(problems[0], bad.says, bad.name);
    assert.ok(!problems[0].includes('\n'), 'one line');
    // Alone, the bad file leaves nothing usable: a UserError that names it.
    assert.throws(() => importFiles([file]), (e: Error) => e instanceof UserError && e.message.includes(bad.name) && !e.message.includes('\n'));
  }
});

test('missing files, empty directories, too large files and skipped folded lines are reported', () => {
  const tmp = tempDir('wspy-bad-');
  const missing = path.join(tmp, 'nope.json');
  const emptyDir = path.join(tmp, 'empty');
  fs.mkdirSync(emptyDir);
  const { problems } = importFiles([missing, emptyDir, path.join(foreign, 'stackcollapse-simple-with-invalids.txt')]);
  assert.equal(problems.length, 3);
  assert.match(problems[0], /nope\.json: no such file/);
  assert.match(problems[1], /empty: directory holds no profile files/);
  assert.match(problems[2], /1 line is not folded stacks and was skipped \(first: line 8\)/);
  assert.throws(() => importFiles([]), UserError);
  const { problems: big } = importFiles([path.join(foreign, 'Chrome-65-simple.cpuprofile'), good], { maxBytes: 1200 });
  assert.deepEqual(big, [`${path.join(foreign, 'Chrome-65-simple.cpuprofile')}: too large (1303 bytes; the limit is 1200 bytes)`]);
});

test('randomized: random, cut-off and mutated inputs give a Recording or a UserError, never a crash', { timeout: 300_000 }, () => {
  // A small deterministic generator so that a failure can be replayed.
  let seed = 12345;
  const rand = (n: number): number => {
    // xorshift32
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const seeds: Array<[string, Buffer]> = [
    ['r.json', json],
    ['r.json.gz', gzipSync(json)],
    ['c.cpuprofile', cpuprofile],
    ['p.pb.gz', fs.readFileSync(good)],
    ['p.pb', pprofRaw],
    ['go.prof', fs.readFileSync(path.join(foreign, 'pprof-simple.prof'))],
    ['s.speedscope.json', Buffer.from(exporterFor('speedscope').write(sampleRecording()) as string)],
    ['f.folded', Buffer.from(exporterFor('collapsed').write(sampleRecording()) as string)],
  ];
  let recordings = 0;
  let userErrors = 0;
  for (let i = 0; i < 3000; i++) {
    const [name, base] = seeds[rand(seeds.length)];
    let bytes: Buffer;
    const kind = rand(4);
    if (kind === 0) bytes = Buffer.from(Array.from({ length: rand(300) }, () => rand(256)));
    else if (kind === 1) bytes = base.subarray(0, rand(base.length + 1));
    else {
      bytes = Buffer.from(base);
      for (let m = 0, n = 1 + rand(kind === 2 ? 3 : 30); m < n; m++) bytes[rand(bytes.length)] = rand(256);
    }
    try {
      const r = importBytes(bytes, name);
      assert.ok(Array.isArray(r.processes));
      recordings++;
    } catch (e) {
      if (!(e instanceof UserError)) throw new Error(`${name} case ${i} (kind ${kind}) threw ${(e as Error).stack}`);
      assert.ok(!e.message.includes('\n') && e.message.length > 0, e.message);
      userErrors++;
    }
  }
  assert.ok(recordings > 0 && userErrors > 0, `${recordings} recordings, ${userErrors} errors`);
});
