// Faults: wspy itself SIGKILLed in the middle of a launch-mode recording with -s. The worker and
// its children must carry on unharmed (complete output, exit code 0), their agents must stop by
// themselves without a word on stderr, and no agent may create anything in the dead recording's
// private directory afterwards. wspy cannot remove that directory when it is SIGKILLed (no code of
// its own runs); the agents that notice the collector is gone remove what is left of it.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { FIXTURES, runWspy, tempDir } from '../helpers/wspy';
import { sleep, until } from '../helpers/wait';

const worker = path.join(FIXTURES, 'faults', 'forking-worker.js');

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function agentConfigOf(pid: number): { spool: string; socket: string } | undefined {
  try {
    const env = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const line = env.find((e) => e.startsWith('WSPY_AGENT='));
    return line ? JSON.parse(line.slice('WSPY_AGENT='.length)) : undefined;
  } catch {
    return undefined;
  }
}

test('wspy SIGKILLed mid-recording: the worker and its children finish unharmed and the agents stop quietly', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const results = path.join(dir, 'results.json');
  const out = path.join(dir, 'never-written.json');
  let wspyPid = 0;
  const running = runWspy(['record', '-s', '-o', out, '--', process.execPath, worker, results], { onSpawn: (pid) => (wspyPid = pid) });

  // Find the recording's private directory through the worker's environment.
  const config = await until(
    () => {
      const root = childrenOf(wspyPid)[0];
      return root ? agentConfigOf(root) : undefined;
    },
    { tries: 100, everyMs: 50, what: 'the worker to run with an agent configuration' },
  );
  const privateDir = path.dirname(config.spool);
  // Past one chunk interval: the worker and the first children stream over ws.
  await sleep(2200);
  const beforeKill = new Set(fs.readdirSync(config.spool));
  assert.ok(beforeKill.size >= 4, `the worker and 3 children wrote to the spool: ${[...beforeKill]}`);
  process.kill(wspyPid, 'SIGKILL');

  // The pipes close when the last process holding them (worker, children) is gone: no hang.
  const r = await running;
  assert.equal(r.signal, 'SIGKILL');
  const summary = JSON.parse(fs.readFileSync(results, 'utf8')) as { code: number; children: Array<{ name: string; code: number | null }> };
  assert.equal(summary.code, 0, 'the worker exited 0');
  assert.deepEqual(summary.children.map((c) => [c.name, c.code]).sort(), [
    ['child0', 0], ['child1', 0], ['child2', 0], ['late-captured', 0], ['late-inherited', 0],
  ]);
  const lines = r.stdout.trim().split('\n').sort();
  assert.equal(lines.length, 6, r.stdout);
  for (const name of ['child0', 'child1', 'child2']) assert.ok(lines.some((l) => new RegExp(`^${name} \\d+ done 75 slices, sum 2775$`).test(l)), name);
  for (const name of ['late-captured', 'late-inherited']) assert.ok(lines.some((l) => new RegExp(`^${name} \\d+ done 5 slices, sum 10$`).test(l)), name);
  assert.match(r.stdout, /^worker done: 5 children, \d+ ticks$/m);
  // Nothing but wspy's own lines (written before it died) on stderr: the agents said nothing.
  for (const line of r.stderr.split(/[\r\n]+/)) assert.ok(line === '' || line.startsWith('wspy: ') || line.startsWith('\x1b[2K'), `stderr: ${line}`);
  assert.equal(fs.existsSync(out), false);

  // No agent created a file in the dead recording's directory after wspy died; what the agents
  // that noticed could remove is gone.
  const left = fs.existsSync(config.spool) ? fs.readdirSync(config.spool) : [];
  const created = left.filter((f) => !beforeKill.has(f));
  try {
    assert.deepEqual(created, [], `files created after wspy died: ${created}`);
    assert.equal(fs.existsSync(privateDir), false, `${privateDir} is left behind: ${left}`);
  } finally {
    fs.rmSync(privateDir, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
