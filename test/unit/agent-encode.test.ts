// The agent's pure parts: chunk encoding and the NODE_OPTIONS / env edits made for children.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeChunk } from '../../agent/encode';
import { addAgentToEnvPairs, withAgentRequire, withoutAgentRequire } from '../../agent/environment';
import type { AgentConfig } from '../../agent/protocol';
import type { ProfileNode } from '../../agent/sampler';

const node = (name: string, hitCount: number, children: ProfileNode[] = [], scriptName = '/app/a.js'): ProfileNode => ({
  name,
  scriptName,
  lineNumber: 3,
  columnNumber: 7,
  hitCount,
  children,
});

test('a chunk keeps sampled subtrees in preorder, with frames listed once', () => {
  const tree = node('(root)', 0, [
    node('main', 0, [node('work', 5, [node('leaf', 2)]), node('unsampled', 0, [node('alsoUnsampled', 0)]), node('work', 1)]),
    node('(idle)', 4, [], ''),
  ]);
  const chunk = encodeChunk(tree, { pid: 7, seq: 2, start: 100, end: 200 })!;
  assert.deepEqual(chunk.frames, [
    ['main', '/app/a.js', 3, 7],
    ['work', '/app/a.js', 3, 7],
    ['leaf', '/app/a.js', 3, 7],
    ['(idle)', '', 3, 7],
  ]);
  // prettier-ignore
  assert.deepEqual(chunk.nodes, [
    -1, 0, 0, // main
    0, 1, 5,  // main > work
    1, 2, 2,  // main > work > leaf
    0, 1, 1,  // main > work (a second call site, same frame)
    -1, 3, 4, // (idle)
  ]);
  assert.deepEqual([chunk.t, chunk.pid, chunk.seq, chunk.start, chunk.end], ['chunk', 7, 2, 100, 200]);
});

test('a tree without samples gives no chunk', () => {
  assert.equal(encodeChunk(node('(root)', 0, [node('main', 0)]), { pid: 1, seq: 0, start: 0, end: 1 }), undefined);
});

/** The encoding spelled out the slow way: subtree sums first, then a preorder walk of what has samples. */
function reference(root: ProfileNode): { frames: unknown[]; nodes: number[] } {
  const total = (n: ProfileNode): number => n.children.reduce((s, c) => s + total(c), n.hitCount);
  const frames: string[] = [];
  const nodes: number[] = [];
  const walk = (n: ProfileNode, parent: number): void => {
    if (total(n) === 0) return;
    const key = JSON.stringify([n.name, n.scriptName, n.lineNumber, n.columnNumber]);
    if (!frames.includes(key)) frames.push(key);
    const self = nodes.length / 3;
    nodes.push(parent, frames.indexOf(key), n.hitCount);
    for (const c of n.children) walk(c, self);
  };
  for (const c of root.children) walk(c, -1);
  return { frames: frames.map((k) => JSON.parse(k)), nodes };
}

test('frames met only in unsampled subtrees are taken back with them, at any depth', () => {
  // A few hundred random trees whose names repeat, so that frames are shared between sampled and
  // unsampled subtrees and unsampled ones sit between sampled siblings.
  let seed = 7;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return (seed >>> 8) % n;
  };
  const grow = (depth: number): ProfileNode[] =>
    Array.from({ length: depth > 0 ? rand(4) : 0 }, () =>
      node(`f${rand(6)}`, rand(3) === 0 ? rand(4) : 0, grow(depth - 1), `/app/${rand(2)}.js`),
    );
  let compared = 0;
  for (let i = 0; i < 300; i++) {
    const tree = node('(root)', 0, grow(6));
    const chunk = encodeChunk(tree, { pid: 1, seq: 0, start: 0, end: 1 });
    const want = reference(tree);
    if (want.nodes.length === 0) {
      assert.equal(chunk, undefined);
      continue;
    }
    assert.deepEqual({ frames: chunk!.frames, nodes: chunk!.nodes }, want);
    compared++;
  }
  assert.ok(compared > 100, `only ${compared} trees had samples`);
});

test('NODE_OPTIONS gains our --require once and loses it in every spelling', () => {
  const agent = '/opt/my tools/agent.js';
  assert.equal(withAgentRequire(undefined, agent), '--require "/opt/my tools/agent.js"');
  assert.equal(withAgentRequire('--max-old-space-size=99', agent), '--max-old-space-size=99 --require "/opt/my tools/agent.js"');
  assert.equal(withAgentRequire(withAgentRequire('', agent), agent), '--require "/opt/my tools/agent.js"');
  const plain = '/opt/agent.js';
  for (const form of [`--require ${plain}`, `--require "${plain}"`, `-r ${plain}`, `--require=${plain}`]) {
    assert.equal(withoutAgentRequire(`--inspect=0 ${form} --trace-warnings`, plain), '--inspect=0 --trace-warnings');
  }
  assert.equal(withoutAgentRequire('--require /opt/agent.js.bak', plain), '--require /opt/agent.js.bak');
});

test('an explicit child env gets WSPY_AGENT and our --require, keeping its own options', () => {
  const config = { agent: '/opt/agent.js' } as AgentConfig;
  const pairs = ['PATH=/bin', 'NODE_OPTIONS=--max-old-space-size=99'];
  addAgentToEnvPairs(pairs, config);
  assert.deepEqual(pairs, ['PATH=/bin', 'NODE_OPTIONS=--max-old-space-size=99 --require "/opt/agent.js"', `WSPY_AGENT=${JSON.stringify(config)}`]);
  const again = pairs.slice();
  addAgentToEnvPairs(again, config);
  assert.deepEqual(again, pairs);
});
