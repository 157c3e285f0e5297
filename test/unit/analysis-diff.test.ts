// Known-answer tests of the differential call tree and the table of changes by function.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffRecordings, DiffNode } from '../../collector/analysis';
import { PlantedRecording } from '../helpers/analysis-support';

const CONFIGURE = 'configureModels@/app/models.js:12';

/** A worker (40 ms polling) that forked `n` children, each with `initMs` of configureModels and a 5 ms job. */
function worker(n: number, initMs: number, pidBase: number): PlantedRecording {
  const rec = new PlantedRecording().add({ pid: pidBase, ppid: 1, argv: ['node', '/app/worker.js'], samples: [[['poll@/app/worker.js:3'], 40]] });
  for (let i = 0; i < n; i++) {
    rec.add({
      pid: pidBase + 1 + i,
      ppid: pidBase,
      argv: ['node', '/app/child.js', String(1000 + i + pidBase)],
      samples: [
        [['@/app/child.js:1', CONFIGURE], initMs],
        [['handle@/app/child.js:20', 'job@/app/jobs.js:4'], 5],
      ],
    });
  }
  return rec;
}

function find(n: DiffNode, path: string[]): DiffNode {
  let at = n;
  for (const name of path) {
    const next = at.children.find((c) => c.name === name);
    assert.ok(next, `no ${name} under ${at.name}: ${at.children.map((c) => c.name).join(', ')}`);
    at = next;
  }
  return at;
}

const CHILD = 'node child.js <n>';
const TOP_PATH = [CHILD, '(anonymous) (child.js:1)', 'configureModels (models.js:12)'];

test('per process: the average child before and after, matched by normalised command and frame label', () => {
  const d = diffRecordings(worker(4, 60, 100).recording, worker(8, 10, 900).recording, { normalize: 'process' });
  assert.equal(d.normalize, 'process');
  const configure = find(d.tree, TOP_PATH);
  assert.equal(configure.before, 60);
  assert.equal(configure.after, 10);
  assert.equal(configure.delta, -50);
  assert.equal(configure.value, 10);
  const job = find(d.tree, [CHILD, 'handle (child.js:20)', 'job (jobs.js:4)']);
  assert.equal(job.delta, 0);
  const poll = find(d.tree, ['node worker.js', 'poll (worker.js:3)']);
  assert.equal(poll.before, 40);
  assert.equal(poll.after, 40);
  // The module top-level and configureModels carry the whole change; ties are listed by name.
  assert.deepEqual(d.functions.slice(0, 2).map((f) => f.name), ['(anonymous) (child.js:1)', 'configureModels (models.js:12)']);
  assert.equal(d.functions[1].delta, -50);
  assert.equal(d.functions[1].relative, -0.8333);
  assert.ok(!d.functions.some((f) => f.name.startsWith('job ')), 'unchanged functions are not listed');
});

test('none and unit normalisation', () => {
  const before = worker(4, 60, 100).recording;
  const after = worker(8, 10, 900).recording;
  const none = diffRecordings(before, after, { normalize: 'none' });
  assert.equal(find(none.tree, TOP_PATH).before, 240);
  assert.equal(find(none.tree, TOP_PATH).after, 80);
  assert.equal(none.tree.before, 40 + 4 * 65);
  assert.equal(none.tree.after, 40 + 8 * 15);
  assert.equal(none.before.cpuMs, 300);

  const unit = diffRecordings(before, after, { normalize: 'unit' });
  assert.equal(unit.before.units, 4);
  assert.equal(unit.after.units, 8);
  // Per job: the worker's polling is spread over the jobs too.
  assert.equal(find(unit.tree, ['node worker.js']).before, 10);
  assert.equal(find(unit.tree, ['node worker.js']).after, 5);
  assert.equal(find(unit.tree, TOP_PATH).delta, -50);
  assert.equal(unit.tree.before, 75);
  assert.equal(unit.tree.after, 20);
});

test('a function that is new or gone shows on one side only', () => {
  const before = worker(2, 30, 100);
  const after = worker(2, 30, 900);
  after.add({ pid: 999, ppid: 900, argv: ['node', '/app/child.js', '7'], samples: [[['fresh@/app/new.js:1'], 12]] });
  const d = diffRecordings(before.recording, after.recording, { normalize: 'none' });
  const fresh = d.functions.find((f) => f.name === 'fresh (new.js:1)')!;
  assert.equal(fresh.before, 0);
  assert.equal(fresh.after, 12);
  assert.equal(fresh.relative, null);
  assert.equal(find(d.tree, [CHILD, 'fresh (new.js:1)']).before, 0);
});
