// Attaching with descendants (-s) to a fork-per-job worker while its short-lived children come and
// go, with the real agent and collector, on Node 20 and every other major available. A child that
// is attached while it ends must be let go at once: Node holds an exiting process with an open
// inspector session ("Waiting for the debugger to disconnect...") until the session hangs up.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { attachWithDescendants, descendants } from '../../collector/attach';
import { listeningSockets } from '../../collector/proc';
import { otherNodeBinaries } from '../helpers/node-majors';
import { FIXTURES, startTarget, Target, testCollector } from '../helpers/attach-targets';
import { sleep } from '../helpers/wait';

const targets: Target[] = [];
after(() => targets.forEach((t) => t.kill()));

const ROUNDS = process.env.WSPY_LONG === '1' ? 20 : 5;

interface ChildEnd {
  child: number;
  work: number;
  lived: number;
  ended: number;
  code: number | null;
  signal: string | null;
}

function childEnds(t: Target, from: number, to = Infinity): ChildEnd[] {
  return t.lines
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as ChildEnd)
    .filter((e) => e.ended >= from && e.ended <= to);
}

const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);

async function stressOn(node: string): Promise<string> {
  const worker = await startTarget([path.join(FIXTURES, 'job-worker.js')], { node, waitFor: /^ready/ });
  targets.push(worker);
  const baselineFrom = Date.now();
  await sleep(1500);
  const baseline = childEnds(worker, baselineFrom);
  assert.ok(baseline.length >= 8, `the worker forks children unprofiled: ${baseline.length}`);
  const baselineMax = max(baseline.map((e) => e.lived));

  const attachFrom = Date.now();
  const attachMs: number[] = [];
  let attached = 0;
  let errors: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const collector = await testCollector({ intervalUs: 1000, follow: true, chunkMs: 200 });
    const started = Date.now();
    const outcomes = await attachWithDescendants(worker.pid, collector.agentConfig);
    attachMs.push(Date.now() - started);
    attached += outcomes.filter((o) => 'result' in o).length - 1;
    errors = errors.concat(outcomes.flatMap((o) => ('error' in o ? [`${o.pid}: ${o.error.message}`] : [])));
    assert.ok('result' in outcomes[0], 'the root is attached');
    // Whoever is alive now, wspy opened no inspector that is still listening.
    for (const pid of [worker.pid, ...descendants(worker.pid)]) {
      assert.deepEqual(listeningSockets(pid), [], `round ${round}: process ${pid} listens on nothing`);
    }
    await sleep(300);
    await collector.stopAgents(3000);
    await collector.finish();
  }
  await sleep(500); // the last children end
  const during = childEnds(worker, attachFrom);
  worker.child.kill('SIGTERM');

  const detail = `\n${errors.join('\n')}\n${worker.stderr().split('\n').filter((l) => !/^(Debugger|For help)/.test(l)).join('\n')}`;
  assert.ok(during.length >= ROUNDS * 3, `children kept coming: ${during.length}`);
  const crashed = during.filter((e) => e.code !== 0 || e.signal !== null);
  assert.deepEqual(crashed, [], 'every child ended normally' + detail);
  // Generous: an attached child also loads the agent and flushes it. The bug kept children 10 s.
  const duringMax = max(during.map((e) => e.lived));
  assert.ok(duringMax < baselineMax + 1000, `no child was kept alive: longest ${duringMax} ms, unprofiled ${baselineMax} ms` + detail + JSON.stringify(during.filter((e) => e.lived > 500)));
  assert.ok(max(attachMs) < 3000, `attach times ${attachMs.join(', ')} ms`);
  assert.deepEqual(listeningSockets(worker.pid), []);
  assert.doesNotMatch(worker.stderr(), /Segmentation|Error|Assertion/);
  const held = (worker.stderr().match(/Waiting for the debugger to disconnect/g) ?? []).length;
  const summary =
    `${path.basename(path.dirname(path.dirname(node)))} ${ROUNDS} rounds: attach ${attachMs.join('/')} ms, ` +
    `${attached} children attached, ${errors.length} given up, children lived ≤${duringMax} ms (unprofiled ≤${baselineMax} ms), ` +
    `${during.length} children, ${held} "waiting for the debugger" lines`;
  return summary + (errors.length ? `\n  ${errors.join('\n  ')}` : '');
}

describe('attach -s to a fork-per-job worker while children come and go', () => {
  test(`Node ${process.versions.node}`, async (t) => {
    t.diagnostic(await stressOn(process.execPath));
  });
  for (const binary of otherNodeBinaries()) {
    test(`Node ${binary.version}`, async (t) => {
      t.diagnostic(await stressOn(binary.path));
    });
  }
});
