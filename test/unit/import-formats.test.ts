// Importers on real files: profiles written by other tools (../shared/fixtures/foreign, see its
// README), Node 20's own --cpu-prof of a program that forks 3 children, and a pprof written by
// @datadog/pprof's time profiler (both made by the scripts in test/fixtures/formats/). Every fixture
// goes through checkImporter (test/helpers/check-importer.ts): golden output, the same Recording without
// its file name, and a wspy json round trip.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { exporterFor, importFiles } from '../../collector/formats';
import { frameName, framesOf, sampleCount } from '../../collector/model';
import { tempDir } from '../helpers/wspy';
import { checkImporter } from '../helpers/check-importer';
import { FOREIGN_FIXTURES as foreign, FORMAT_FIXTURES as fixtures, goldenCases } from '../helpers/import-golden-cases';

for (const c of goldenCases()) {
  test(`import ${c.golden}: golden folded output, the same without its file name, json round trip`, () => {
    checkImporter(c.file, c);
  });
}

function leafNames(r: ReturnType<typeof importFiles>['recording'], key: string): Map<string, number> {
  const p = r.processes.find((x) => x.key === key)!;
  const out = new Map<string, number>();
  p.samples.stack.forEach((s, i) => {
    const names = framesOf(r, s).map((f) => frameName(r, f));
    for (const n of new Set(names)) out.set(n, (out.get(n) ?? 0) + p.samples.count[i]);
  });
  return out;
}

test('node --cpu-prof of a forking program: one process per file, pid from the file name', () => {
  const dir = path.join(fixtures, 'cpuprofiles-node20');
  const files = fs.readdirSync(dir).sort();
  const { recording: r, problems } = checkImporter(dir);
  assert.deepEqual(problems, []);
  const pids = files.map((f) => Number(f.split('.')[3]));
  assert.deepEqual(r.processes.map((p) => p.pid), pids);
  assert.deepEqual(r.processes.map((p) => p.key), pids.map(String));
  const [parent, ...children] = r.processes;
  assert.ok((leafNames(r, parent.key).get('parentWork') ?? 0) > 20, 'parent spent its time in parentWork');
  assert.equal(children.length, 3);
  for (const c of children) {
    assert.ok((leafNames(r, c.key).get('childWork') ?? 0) > 20, `child ${c.pid} spent its time in childWork`);
    assert.ok(c.startTime! >= parent.startTime!, 'children start after their parent on the shared clock');
    assert.equal(c.ppid, 0); // a .cpuprofile does not say
  }
  for (const p of r.processes) {
    assert.ok(p.intervalUs >= 900 && p.intervalUs < 20_000, `interval ${p.intervalUs}`);
    const t = p.samples.time;
    assert.ok(t.every((x, i) => i === 0 || x >= t[i - 1]), 'sample times are in order');
  }
  // The frames keep their script and 1-based line: parentWork is declared on line 18 of the script.
  const f = r.frames.name.findIndex((n) => r.strings[n] === 'parentWork');
  assert.equal(r.frames.line[f], 18);
  assert.match(r.strings[r.frames.file[f]], /make-cpuprofiles\.js$/);
});

test('@datadog/pprof time profile: busyLoop dominates, interval from the wall/nanoseconds values', () => {
  const { recording: r } = checkImporter(path.join(fixtures, 'datadog-time.pb.gz'));
  assert.equal(r.processes.length, 1);
  const p = r.processes[0];
  const names = leafNames(r, p.key);
  assert.ok((names.get('busyLoop') ?? 0) > sampleCount(p) / 2, 'most samples are in busyLoop');
  assert.ok(p.intervalUs > 500 && p.intervalUs < 5000, `interval ${p.intervalUs}`);
});

test('several files merge into one recording with unique process keys', () => {
  const { recording: r, problems } = importFiles([
    path.join(fixtures, 'datadog-time.pb.gz'),
    path.join(foreign, 'stackcollapse-simple.txt'),
    path.join(fixtures, 'cpuprofiles-node20'),
  ]);
  assert.deepEqual(problems, []);
  const keys = r.processes.map((p) => p.key);
  assert.equal(new Set(keys).size, keys.length);
  assert.deepEqual(keys.slice(0, 2), ['0', '0#2']);
  assert.equal(r.processes.length, 6);
  assert.match(r.meta.source, /pprof\+collapsed\+cpuprofile/);
});

test('recordings of two hosts merge under host:pid keys and keep their parent links', () => {
  const tmp = tempDir('wspy-import-');
  const { recording: base } = checkImporter(path.join(fixtures, 'cpuprofiles-node20'));
  const files = ['alpha', 'beta'].map((host) => {
    const r = structuredClone(base);
    r.meta.host = host;
    r.processes.slice(1).forEach((p) => (p.ppid = r.processes[0].pid));
    const file = path.join(tmp, `${host}.json.gz`);
    fs.writeFileSync(file, exporterFor('json').write(r, { fileName: file }) as Buffer);
    return file;
  });
  const { recording: merged } = importFiles(files);
  assert.equal(merged.processes.length, 8);
  assert.equal(merged.processes[0].key, `alpha:${base.processes[0].pid}`);
  assert.equal(merged.processes[4].key, `beta:${base.processes[0].pid}`);
  assert.ok(merged.processes.every((p) => p.host === 'alpha' || p.host === 'beta'));
  assert.equal(sampleCount(merged.processes[5]), sampleCount(base.processes[1]));
});
