// On a worker whose every fork loads real libraries, the analysis names the real culprit first: the
// cost of loading bullmq, in every fork, in words, in the terminal and in --json; every figure is the
// children's CPU time as they measured it themselves, including what ran before the agent.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { importFiles } from '../../collector/formats';
import { FIXTURES, runWspy, tempDir } from '../helpers/wspy';

interface FamilyJson {
  command: string;
  members: number;
  cpuMs: number;
  topology: { kind: string; concurrency: number; jobsPerMember?: number };
  pool?: { children: number; savedMs: number; speedup: number; forkMs: number };
  startup: { beforeAgentMs: { median: number }; setupMs: { median: number } };
  packages: Array<{ name: string; members: number; of: number; share: number; estimate: { savedMs: number } }>;
}

test('a fork-per-job worker loading bullmq in every child: loading bullmq is ranked first, 8 of 8, in CPU ms', async () => {
  const out = path.join(tempDir(), 'libs.json');
  const worker = path.join(FIXTURES, 'analysis', 'libs-worker.js');
  const r = await runWspy(['record', '-s', '-f', 'json', '-o', out, '--', process.execPath, worker, '8']);
  assert.equal(r.code, 0, r.stderr);
  const firstLine = r.stderr.split('\n').find((l) => l.startsWith('wspy:   '));
  assert.match(
    firstLine ?? '',
    /Loading bullmq took [\d.]+ ms in 8 of 8 forks \([\d.]+ m?s in all\): \d+ % of the children's CPU\. In a pool of 2 long-lived children: saves [\d.]+ m?s, about [\d.]+x the throughput \(all start-up: bootstrap, module loading, set-up, their GC(?:, and the parent's forks)?\)\. (?:Lazy|Narrower) require .*: saves [\d.]+ m?s, about [\d.]+x \(this item and its GC\)\./,
  );

  // Each child measured its own CPU: before the agent (Node's bootstrap) and while it was sampled.
  const { recording } = importFiles([out]);
  const children = recording.processes.filter((p) => p.command.includes('libs-job.js'));
  assert.equal(children.length, 8);
  for (const p of children) {
    assert.ok(p.cpu && p.cpu.beforeAgentMs! > 0 && p.cpu.sampledMs > 0, JSON.stringify(p.cpu));
    assert.equal(p.messages, 0, 'the jobs arrive in no IPC message');
  }

  const report = await runWspy(['report', out, '--json']);
  assert.equal(report.code, 0, report.stderr);
  const analysis = JSON.parse(report.stdout) as { version: number; families: FamilyJson[] };
  assert.equal(analysis.version, 2);
  const family = analysis.families.find((f) => f.command.includes('libs-job.js'))!;
  assert.equal(family.members, 8);
  // Two children at a time (the worker runs two chains), each for one job.
  assert.equal(family.topology.kind, 'fork-per-job');
  assert.equal(family.topology.concurrency, 2);
  const sampledPlusBefore = children.reduce((t, p) => t + p.cpu!.sampledMs + p.cpu!.beforeAgentMs!, 0);
  assert.ok(Math.abs(family.cpuMs - sampledPlusBefore) <= 0.02 * sampledPlusBefore, `${family.cpuMs} vs ${sampledPlusBefore}`);
  assert.ok(family.startup.beforeAgentMs.median > 0);
  // A pool of 2 keeps two children's set-up: it saves at most the other six's.
  assert.equal(family.pool!.children, 2);
  assert.ok(family.pool!.savedMs <= 6 * family.startup.setupMs.median * 1.5 && family.pool!.savedMs > 0, JSON.stringify(family.pool));
  // What the worker spent forking them (its samples under child_process's fork): a small part of its CPU.
  const parent = recording.processes.find((p) => p.command.includes('libs-worker.js'))!;
  assert.ok(family.pool!.forkMs >= 0 && family.pool!.forkMs <= parent.cpu!.sampledMs, JSON.stringify(family.pool));
  const top = [...family.packages].sort((a, b) => b.share - a.share)[0];
  assert.equal(top.name, 'bullmq');
  assert.equal(top.members, 8);
  assert.ok(top.share > 0.2, `loading bullmq is a large share of the children's CPU (${top.share})`);
  // Package loads fold what they require (ioredis under bullmq): their shares add to at most 100 %.
  assert.ok(family.packages.reduce((t, p) => t + p.share, 0) <= 1);
  assert.ok(!family.packages.some((p) => p.name === 'ioredis'), family.packages.map((p) => p.name).join());
});
