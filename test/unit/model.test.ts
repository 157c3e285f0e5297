import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandLabel, displayFile, emptySamples, frameLabel, framesOf, RecordingBuilder, recordingTree, ROOT_STACK, sampleCount, sampledMs } from '../../collector/model';

function processInit(pid: number, ppid: number, argv: string[]) {
  return { pid, ppid, argv, command: argv.join(' '), sampled: true, intervalUs: 10_000, samples: emptySamples(), errors: [] };
}

test('frames and stacks are interned once', () => {
  const b = new RecordingBuilder();
  const f1 = b.frame('main', '/app/worker.js', 3, 1);
  const f2 = b.frame('main', '/app/worker.js', 3, 1);
  const f3 = b.frame('main', '/app/worker.js', 4, 1);
  assert.equal(f1, f2);
  assert.notEqual(f1, f3);
  const s1 = b.stackOf([f1, f3]);
  const s2 = b.stackOf([f1, f3]);
  assert.equal(s1, s2);
  assert.deepEqual(framesOf(b.recording, s1), [f1, f3]);
  assert.equal(b.recording.stacks.parent[b.recording.stacks.parent[s1]], ROOT_STACK);
  assert.equal(b.recording.strings.filter((s) => s === 'main').length, 1);
});

test('merge translates indices and keeps samples', () => {
  const a = new RecordingBuilder();
  const pa = a.upsertProcess('1', () => processInit(1, 0, ['node', 'a.js']));
  a.addSamples(pa, a.stackOf([a.frame('x', 'a.js', 1, 1)]), 5, 10);

  const b = new RecordingBuilder();
  b.frame('unrelated', 'z.js', 9, 9);
  const pb = b.upsertProcess('2', () => processInit(2, 1, ['node', 'b.js']));
  const shared = b.frame('x', 'a.js', 1, 1);
  b.addSamples(pb, b.stackOf([shared, b.frame('y', 'b.js', 2, 1)]), 3, 20);

  a.merge(b.recording, (p) => `h2:${p.pid}`);
  const r = a.recording;
  assert.equal(r.processes.length, 2);
  const merged = r.processes[1];
  assert.equal(merged.key, 'h2:2');
  assert.equal(sampleCount(merged), 3);
  const names = framesOf(r, merged.samples.stack[0]).map((f) => r.strings[r.frames.name[f]]);
  assert.deepEqual(names, ['x', 'y']);
  // The shared frame and the shared root stack were not duplicated.
  assert.equal(r.frames.name.filter((n) => r.strings[n] === 'x').length, 1);
  assert.equal(merged.samples.stack[0] !== undefined && r.stacks.parent[merged.samples.stack[0]], pa.samples.stack[0]);
  assert.equal(sampledMs(merged), 30);
});

test('paths are shortened to the package or the project', () => {
  assert.equal(displayFile('/srv/app/node_modules/sequelize/lib/model.js'), 'sequelize/lib/model.js');
  assert.equal(displayFile('/srv/app/node_modules/a/node_modules/@org/pkg/x.js'), '@org/pkg/x.js');
  assert.equal(displayFile('file:///srv/app/src/jobs/send.mjs', '/srv/app'), 'src/jobs/send.mjs');
  assert.equal(displayFile('node:internal/modules/cjs/loader', '/srv/app'), 'node:internal/modules/cjs/loader');
  assert.equal(commandLabel(['/usr/local/bin/node', '/srv/app/worker.js', '--x'], '/srv/app'), 'node worker.js --x');
  const b = new RecordingBuilder();
  b.recording.meta.cwd = '/srv/app';
  const f = b.frame('', '/srv/app/node_modules/sequelize/lib/model.js', 120, 3);
  assert.equal(frameLabel(b.recording, f), '(anonymous) (sequelize/lib/model.js:120)');
});

test('the recording tree nests child processes under their parent and sums them', () => {
  const b = new RecordingBuilder();
  const parent = b.upsertProcess('10', () => processInit(10, 1, ['node', 'worker.js']));
  const c1 = b.upsertProcess('11', () => processInit(11, 10, ['node', 'job.js']));
  const c2 = b.upsertProcess('12', () => processInit(12, 10, ['node', 'job.js']));
  const idle = b.frame('(idle)', '', 0, 0);
  b.addSamples(parent, b.stackOf([b.frame('poll', 'worker.js', 1, 1)]), 4, 1);
  b.addSamples(parent, b.stackOf([idle]), 100, 1);
  b.addSamples(c1, b.stackOf([b.frame('init', 'job.js', 1, 1)]), 6, 1);
  b.addSamples(c2, b.stackOf([b.frame('init', 'job.js', 1, 1)]), 8, 1);

  const tree = recordingTree(b.recording);
  assert.equal(tree.value, 18, 'idle samples are dropped by default');
  assert.equal(tree.children.length, 1);
  const p = tree.children[0];
  assert.match(p.name, /^pid 10: /);
  assert.equal(p.value, 18);
  assert.deepEqual(p.children.map((c) => c.name).sort(), ['pid 11: node job.js', 'pid 12: node job.js', 'poll (worker.js:1)']);

  const grouped = recordingTree(b.recording, { groupByCommand: true });
  const kids = grouped.children[0].children.filter((c) => c.processes);
  assert.equal(kids.length, 1);
  assert.equal(kids[0].name, '2 x node job.js');
  assert.equal(kids[0].value, 14);
  assert.equal(kids[0].children[0].value, 14);

  assert.equal(recordingTree(b.recording, { idle: true }).value, 118);
});
