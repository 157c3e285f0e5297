// On a worker whose every fork loads real libraries, the analysis names the real culprit first: the
// cost of loading bullmq, in every fork, in words, in the terminal and in --json.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { FIXTURES, runWspy, tempDir } from '../helpers/wspy';

test('a fork-per-job worker loading bullmq in every child: loading bullmq is ranked first, 8 of 8', async () => {
  const out = path.join(tempDir(), 'libs.json');
  const worker = path.join(FIXTURES, 'analysis', 'libs-worker.js');
  const r = await runWspy(['record', '-s', '-f', 'json', '-o', out, '--', process.execPath, worker, '8']);
  assert.equal(r.code, 0, r.stderr);
  const firstLine = r.stderr.split('\n').find((l) => l.startsWith('wspy:   '));
  assert.match(firstLine ?? '', /Loading bullmq took \d+ ms in 8 of 8 forks \([\d.]+ m?s in all\): \d+ % of the children's CPU\. Load it lazily or keep children alive/);

  const report = await runWspy(['report', out, '--json']);
  assert.equal(report.code, 0, report.stderr);
  const analysis = JSON.parse(report.stdout) as {
    version: number;
    families: Array<{ command: string; members: number; packages: Array<{ name: string; members: number; of: number; share: number }> }>;
  };
  assert.equal(analysis.version, 1);
  const family = analysis.families.find((f) => f.command.includes('libs-job.js'))!;
  assert.equal(family.members, 8);
  const top = [...family.packages].sort((a, b) => b.share - a.share)[0];
  assert.equal(top.name, 'bullmq');
  assert.equal(top.members, 8);
  assert.ok(top.share > 0.2, `loading bullmq is a large share of the children's CPU (${top.share})`);
});
