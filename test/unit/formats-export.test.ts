// Exporters checked against the real clients: speedscope's own JSON schema, pprof-format's decoder,
// folded lines parsed back, and wspy json round trips that must give identical bytes.

import Ajv from 'ajv';
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { exporterFor, fromDocument, importBytes, toDocument } from '../../collector/formats';
import { readCollapsed } from '../../collector/formats/collapsed';
import { writeWspyJson } from '../../collector/formats/wspy-json';
import { formatFromPath } from '../../viewer/outputs';
import { emptySamples, sampleCount } from '../../collector/model';
import { sampleRecording } from '../helpers/formats-sample';
import { ROOT } from '../helpers/wspy';

const root = ROOT;

test('json: export -> import -> export gives identical bytes, plain and gzipped', () => {
  const r = sampleRecording();
  const first = exporterFor('json').write(r) as string;
  const again = exporterFor('json').write(importBytes(Buffer.from(first), 'r.json'));
  assert.equal(again, first);
  const gz = exporterFor('json').write(r, { fileName: 'out.json.gz' }) as Buffer;
  assert.ok(Buffer.isBuffer(gz) && gz[0] === 0x1f && gz[1] === 0x8b);
  const back = importBytes(gz, 'out.json.gz');
  assert.deepEqual(exporterFor('json').write(back, { fileName: 'x.json.gz' }), gz);
  assert.deepEqual(back, r);
});

test('json: documents carry format, version and per-process pid, ppid, command, sampleCount', () => {
  const doc = JSON.parse(exporterFor('json').write(sampleRecording()) as string);
  assert.equal(doc.format, 'wspy-recording');
  assert.equal(doc.version, 1);
  const p = doc.processes.find((x: { pid: number; host?: string }) => x.pid === 101 && !x.host);
  assert.deepEqual([p.pid, p.ppid, p.command, p.sampleCount], [101, 100, 'node job.js', 45]);
  assert.equal(doc.processes[0].exitCode, 0);
  assert.equal(doc.processes[0].signal, null);
});

test('json: older versions go through the upgraders, newer ones are refused', () => {
  const v1 = toDocument(sampleRecording());
  // Pretend version 2 renamed meta.title to meta.name: a version-1 file must still load.
  const upgraders = {
    1: (d: Record<string, unknown>) => {
      const meta = { ...(d.meta as Record<string, unknown>) };
      meta.name = meta.title;
      return { ...d, meta };
    },
  };
  const loaded = fromDocument(v1, upgraders, 2);
  assert.equal(loaded.meta.title, 'sample');
  assert.throws(() => fromDocument({ ...v1, version: 9 }), /version 9, written by a newer wspy/);
  assert.throws(() => fromDocument(v1, {}, 2), /cannot upgrade/);
});

test('speedscope: valid against the schema shipped by speedscope, one profile per process', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/speedscope/dist/release/file-format-schema.json'), 'utf8'));
  type Doc = { profiles: Array<{ unit: string; samples: number[][]; weights: number[]; startValue: number }> };
  const validate = new Ajv({ allErrors: true, strict: false }).compile<Doc>(schema);
  const r = sampleRecording();
  for (const timeUnit of ['milliseconds', 'microseconds'] as const) {
    const doc: Doc = JSON.parse(exporterFor('speedscope').write(r, { timeUnit }) as string);
    assert.ok(validate(doc), JSON.stringify(validate.errors));
    assert.equal(doc.profiles.length, 3);
    for (const [i, prof] of doc.profiles.entries()) {
      assert.equal(prof.unit, timeUnit);
      assert.equal(prof.samples.length, prof.weights.length);
      const p = r.processes[i];
      // startValue is the process's start measured from the recording's start.
      const perMs = timeUnit === 'milliseconds' ? 1 : 1000;
      assert.equal(prof.startValue, (p.startTime! - r.meta.startTime) * perMs);
    }
    // Idle samples are dropped (meta.idle is false): the parent's 50 idle samples are not there.
    const parentTotal = doc.profiles[0].weights.reduce((a: number, b: number) => a + b, 0);
    assert.equal(parentTotal, timeUnit === 'milliseconds' ? 10 : 10_000);
  }
  const withIdle = JSON.parse(exporterFor('speedscope').write(r, { idle: true }) as string);
  assert.equal(withIdle.profiles[0].weights.reduce((a: number, b: number) => a + b, 0), 60);
});

test('speedscope: processes with no samples (a shell between parent and node) are left out', () => {
  const r = sampleRecording();
  r.processes.push({ ...r.processes[1], key: '102', pid: 102, command: 'sh -c node job.js', sampled: false, samples: emptySamples(), errors: [] });
  // Only idle samples, dropped: empty as well.
  r.processes.push({ ...r.processes[1], key: '103', pid: 103, samples: { stack: [r.processes[0].samples.stack[2]], count: [5], time: [80] }, errors: [] });
  const doc = JSON.parse(exporterFor('speedscope').write(r) as string) as { profiles: Array<{ name: string }> };
  assert.deepEqual(doc.profiles.map((p) => p.name), ['pid 100: node worker.js', 'pid 101: node job.js', 'box2 pid 101: node job.js --remote']);
  const idle = JSON.parse(exporterFor('speedscope').write(r, { idle: true }) as string) as { profiles: Array<{ name: string }> };
  assert.equal(idle.profiles.length, 4, 'with idle samples kept, the idle process has a profile');
  const none = sampleRecording();
  for (const p of none.processes) p.samples = emptySamples();
  assert.equal(JSON.parse(exporterFor('speedscope').write(none) as string).profiles.length, 1, 'a recording with no samples still opens');
});

test('speedscope: export imports back with the same stacks per process', () => {
  const r = sampleRecording();
  const back = importBytes(Buffer.from(exporterFor('speedscope').write(r) as string), 'x.speedscope.json');
  assert.deepEqual(back.processes.map((p) => [p.pid, p.host, p.command, sampleCount(p)]), [
    [100, undefined, 'node worker.js', 10],
    [101, undefined, 'node job.js', 45],
    [101, 'box2', 'node job.js --remote', 7],
  ]);
  back.meta.cwd = r.meta.cwd; // speedscope has no place for the project directory
  assert.equal(exporterFor('collapsed').write(back), exporterFor('collapsed').write(r));
});

test('pprof: gzipped profile that pprof-format decodes, with pid and command labels', () => {
  const r = sampleRecording();
  const gz = exporterFor('pprof').write(r) as Buffer;
  const prof = Profile.decode(gunzipSync(gz));
  const s = prof.stringTable.strings;
  assert.deepEqual(prof.sampleType.map((t) => `${s[Number(t.type)]}/${s[Number(t.unit)]}`), ['samples/count', 'cpu/nanoseconds']);
  assert.equal(Number(prof.period), 1000);
  const total = prof.sample.reduce((n, x) => n + Number(x.value[0]), 0);
  assert.equal(total, 10 + 45 + 7); // idle dropped
  for (const x of prof.sample) assert.equal(Number(x.value[1]), Number(x.value[0]) * 1_000_000);
  const pids = new Set(prof.sample.map((x) => Number(x.label.find((l) => s[Number(l.key)] === 'pid')!.num)));
  assert.deepEqual([...pids].sort(), [100, 101]);
  const commands = new Set(prof.sample.map((x) => s[Number(x.label.find((l) => s[Number(l.key)] === 'command')!.str)]));
  assert.deepEqual([...commands].sort(), ['node job.js', 'node job.js --remote', 'node worker.js']);
  const fnNames = new Set(prof.function.map((f) => s[Number(f.name)]));
  for (const n of ['main', 'configureModels', '(anonymous)']) assert.ok(fnNames.has(n), n);
  const models = prof.function.find((f) => s[Number(f.name)] === 'configureModels')!;
  assert.equal(s[Number(models.filename)], '/app/node_modules/orm/lib/models.js');
  assert.equal(Number(models.startLine), 12);
  // And wspy's own importer splits it back into the three processes.
  const back = importBytes(gz, 'x.pb.gz');
  assert.deepEqual(back.processes.map((p) => [p.key, sampleCount(p), p.intervalUs]), [['100', 10, 1000], ['101', 45, 1000], ['box2:101', 7, 1000]]);
});

test('collapsed: lines parse back to the same stacks and counts', () => {
  const r = sampleRecording();
  const text = exporterFor('collapsed').write(r) as string;
  assert.match(text, /^pid 100: node worker\.js;main \(worker\.js:3\) 5$/m);
  assert.match(text, /^box2 pid 101: node job\.js --remote;main \(worker\.js:3\);configureModels \(orm\/lib\/models\.js:12\) 7$/m);
  assert.ok(!text.includes('(idle)'));
  const back = readCollapsed(Buffer.from(text), 'x.folded')!;
  const byKey = [...back.processes].sort((a, b) => (a.key < b.key ? -1 : 1));
  assert.deepEqual(byKey.map((p) => [p.key, p.command, sampleCount(p)]), [['100', 'node worker.js', 10], ['101', 'node job.js', 45], ['box2:101', 'node job.js --remote', 7]]);
  assert.equal(exporterFor('collapsed').write(back), text);
  // With processes merged, the same stacks of different processes add up.
  const plain = exporterFor('collapsed').write(r, { mergeProcesses: true }) as string;
  assert.match(plain, /^main \(worker\.js:3\);configureModels \(orm\/lib\/models\.js:12\) 47$/m);
});

test('formatFromPath maps endings to formats', () => {
  const cases: Array<[string, string | undefined]> = [
    ['a.json', 'json'], ['a.JSON.gz', 'json'], ['a.speedscope.json', 'speedscope'], ['a.pb.gz', 'pprof'], ['a.pprof', 'pprof'],
    ['a.txt', 'collapsed'], ['a.folded', 'collapsed'], ['a.collapsed', 'collapsed'], ['a.html', 'html'], ['a.svg', 'svg'], ['a.xyz', undefined],
  ];
  for (const [file, want] of cases) assert.equal(formatFromPath(file), want, file);
  assert.throws(() => exporterFor('nope'), /unknown export format "nope"/);
});

test('json writer output is stable text ending in a newline', () => {
  const out = writeWspyJson(sampleRecording()) as string;
  assert.ok(out.endsWith('}\n'));
});

test('cpuprofile: one DevTools profile per sampled process, named as Node names them, read back alike', () => {
  const r = sampleRecording();
  const { files } = exporterFor('cpuprofile').write(r) as { files: Array<{ name: string; data: string }> };
  assert.deepEqual(files.map((f) => f.name.replace(/^CPU\.\d{8}\.\d{6}\./, '')), ['100.0.001.cpuprofile', '101.0.002.cpuprofile', '101.0.003.cpuprofile']);
  for (const [i, f] of files.entries()) {
    type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; hitCount: number; children: number[] };
    const doc = JSON.parse(f.data) as { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
    const ids = new Set(doc.nodes.map((n) => n.id));
    assert.equal(ids.size, doc.nodes.length, 'node ids are unique');
    assert.equal(doc.nodes[0].callFrame.functionName, '(root)');
    for (const n of doc.nodes) for (const c of n.children) assert.ok(ids.has(c), `child ${c} exists`);
    for (const s of doc.samples) assert.ok(ids.has(s));
    assert.equal(doc.samples.length, doc.timeDeltas.length);
    assert.ok(doc.timeDeltas.every((d) => d >= 0));
    assert.equal(doc.nodes.reduce((n, x) => n + x.hitCount, 0), doc.samples.length);
    // 0-based lines and columns, as V8 writes them: main is on line 3, column 1 of worker.js.
    const main = doc.nodes.find((n) => n.callFrame.functionName === 'main')!;
    assert.deepEqual([main.callFrame.url, main.callFrame.lineNumber, main.callFrame.columnNumber], ['/app/worker.js', 2, 0]);
    // wspy's importer reads back the same pid, stacks and counts (idle samples were dropped).
    const back = importBytes(Buffer.from(f.data), f.name);
    const p = r.processes[i];
    assert.equal(back.processes[0].pid, p.pid);
    assert.equal(back.processes[0].intervalUs, p.intervalUs);
    assert.equal(sampleCount(back.processes[0]), [10, 45, 7][i]);
  }
  const withIdle = exporterFor('cpuprofile').write(r, { idle: true }) as { files: Array<{ data: string }> };
  assert.equal((JSON.parse(withIdle.files[0].data) as { samples: number[] }).samples.length, 60);
});
