import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordingTree, CallTreeNode } from '../../collector/model';
import { reportData } from '../../viewer/embed';
import { forkWorkerRecording, manyStacksRecording } from '../helpers/viewer-fixture';

function count(n: CallTreeNode): number {
  return 1 + n.children.reduce((s, c) => s + count(c), 0);
}

test('pruning keeps every process total and the grand total', () => {
  const r = manyStacksRecording(5_000);
  const full = recordingTree(r);
  const data = reportData(r, { pruneFraction: 0.001 });
  const pruned = recordingTree(data.recording);
  assert.ok(data.pruning.foldedStacks > 0, 'something was folded');
  assert.ok(data.recording.stacks.frame.length < r.stacks.frame.length / 5);
  assert.ok(count(pruned) < count(full));
  assert.equal(pruned.value, full.value);
  assert.equal(data.totalSamples, full.value);
  assert.deepEqual(
    pruned.children.map((c) => [c.name, c.value]),
    full.children.map((c) => [c.name, c.value]),
  );
  // No kept node is smaller than the threshold, except the root and process nodes.
  const visit = (n: CallTreeNode): void => {
    if (n.frame !== undefined) assert.ok(n.value >= data.pruning.minSamples, `${n.name}: ${n.value}`);
    n.children.forEach(visit);
  };
  visit(pruned);
});

test('idle samples are dropped before embedding unless the recording keeps them', () => {
  const r = forkWorkerRecording();
  const dropped = reportData(r, { pruneFraction: 0 });
  assert.ok(!recordingTree(dropped.recording, { idle: true }).children.some(function hasIdle(n): boolean {
    return n.name === '(idle)' || n.children.some(hasIdle);
  }));
  const kept = reportData({ ...r, meta: { ...r.meta, idle: true } }, { pruneFraction: 0 });
  assert.equal(kept.totalSamples, dropped.totalSamples + 500 + 3 * 100);
});
