// End to end with the real pieces: wspy's collector, its bundled agent (dist/bundles/agent.js)
// injected into running processes, the collector's stop, and the target afterwards.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { attach, attachWithDescendants, MIN_DESCENDANT_AGE_MS } from '../../collector/attach';
import { listeningSockets } from '../../collector/proc';
import { Recording } from '../../collector/model';
import { alive, FIXTURES, sampledBusyWork, startTarget, Target, testCollector } from '../helpers/attach-targets';
import { sleep } from '../helpers/wait';

const targets: Target[] = [];
after(() => targets.forEach((t) => t.kill()));

function samplesOf(recording: Recording, pid: number): number {
  const record = recording.processes.find((p) => p.pid === pid);
  return record ? record.samples.count.reduce((a, b) => a + b, 0) : 0;
}

function sampledFunctions(recording: Recording, pid: number): Set<string> {
  const record = recording.processes.find((p) => p.pid === pid);
  const names = new Set<string>();
  for (const leaf of record?.samples.stack ?? []) {
    for (let stack = leaf; stack !== null && stack !== undefined && stack >= 0; stack = recording.stacks.parent[stack] as number) {
      names.add(recording.strings[recording.frames.name[recording.stacks.frame[stack]]]);
    }
  }
  return names;
}

async function assertUnharmed(t: Target): Promise<void> {
  await t.nextLine(/^tick/);
  assert.ok(alive(t.pid));
  assert.deepEqual(listeningSockets(t.pid), []);
  assert.doesNotMatch(t.stderr(), /Error|Segmentation|wspy/i);
}

test('record a running busy process twice in a row with the real agent', async () => {
  const t = await startTarget([path.join(FIXTURES, 'busy.js')], { waitFor: /^ready/ });
  targets.push(t);
  for (let round = 1; round <= 2; round++) {
    const collector = await testCollector({ intervalUs: 1000, follow: false, chunkMs: 200 });
    const result = await attach(t.pid, collector.agentConfig);
    assert.equal(result.pid, t.pid);
    await sleep(1000);
    await collector.stopAgents(3000);
    const recording = await collector.finish();
    assert.ok(samplesOf(recording, t.pid) > 100, `round ${round}: ${samplesOf(recording, t.pid)} samples`);
    const functions = sampledFunctions(recording, t.pid);
    assert.ok(sampledBusyWork(functions), `round ${round}: the busy function was sampled; sampled: ${[...functions].join(', ')}`);
    await assertUnharmed(t);
  }
});

test('record a running parent and its Node children with the real agent', async () => {
  const parent = await startTarget([path.join(FIXTURES, 'parent.js')], { waitFor: /children/ });
  targets.push(parent);
  const info = JSON.parse(parent.lines[0]) as { children: number[] };
  // Children younger than MIN_DESCENDANT_AGE_MS are left to the root's agent, which only follows new ones.
  await sleep(MIN_DESCENDANT_AGE_MS + 200);
  const collector = await testCollector({ intervalUs: 1000, follow: true, chunkMs: 200 });
  const outcomes = await attachWithDescendants(parent.pid, collector.agentConfig);
  assert.deepEqual(outcomes.filter((o) => 'error' in o), []);
  await sleep(1000);
  await collector.stopAgents(3000);
  const recording = await collector.finish();
  const busyChild = info.children[1];
  assert.ok(samplesOf(recording, busyChild) > 100, `the busy child was sampled: ${samplesOf(recording, busyChild)}`);
  for (const pid of [parent.pid, ...info.children]) {
    assert.ok(recording.processes.some((p) => p.pid === pid && p.sampled), `${pid} is in the recording`);
    assert.ok(alive(pid));
    assert.deepEqual(listeningSockets(pid), []);
  }
  parent.child.kill('SIGTERM');
});
