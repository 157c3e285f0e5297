// Many attach/record/stop cycles on one process with the real agent and collector (issue 3): the
// process stays healthy, listens on nothing afterwards, and its memory does not grow beyond noise.
// 25 cycles; WSPY_LONG=1 runs 100. The target reports its own memory (after a full GC) on SIGUSR2.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { attach } from '../collector/attach/attach';
import { listeningSockets } from '../collector/attach/procfs';
import { startCollector } from '../collector/collector';
import { alive, FIXTURES, startTarget, Target } from './attach-targets';

const targets: Target[] = [];
after(() => targets.forEach((t) => t.kill()));
const CYCLES = process.env.WSPY_LONG === '1' ? 100 : 25;
const MB = 1024 * 1024;

async function memoryOf(t: Target, file: string): Promise<{ rss: number; heapUsed: number }> {
  const written = t.nextLine(/^memory/);
  process.kill(t.pid, 'SIGUSR2');
  await written;
  return JSON.parse(readFileSync(file, 'utf8'));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test(`${CYCLES} attach/record/stop cycles leave the target healthy, closed and without memory growth`, async (t) => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'wspy-cycles-')), 'memory.json');
  const target = await startTarget(['--expose-gc', path.join(FIXTURES, 'memory-target.js'), file], { waitFor: /^ready/ });
  targets.push(target);
  const after: { rss: number; heapUsed: number }[] = [];
  for (let cycle = 1; cycle <= CYCLES; cycle++) {
    const collector = await startCollector({ intervalUs: 1000, follow: false, chunkMs: 100 });
    await attach(target.pid, collector.agentConfig);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await collector.stopAgents(3000);
    const recording = await collector.finish();
    assert.ok(recording.processes.some((p) => p.pid === target.pid), `cycle ${cycle}: recorded`);
    assert.deepEqual(listeningSockets(target.pid), [], `cycle ${cycle}: no port left`);
    after.push(await memoryOf(target, file));
  }
  assert.ok(alive(target.pid));
  await target.nextLine(/^tick/);
  assert.doesNotMatch(target.stderr(), /Error|Segmentation|wspy/i);
  const first = after.slice(0, 10);
  const last = after.slice(-10);
  const rssGrowth = (median(last.map((m) => m.rss)) - median(first.map((m) => m.rss))) / MB;
  const heapGrowth = (median(last.map((m) => m.heapUsed)) - median(first.map((m) => m.heapUsed))) / MB;
  t.diagnostic(`${CYCLES} cycles: RSS ${(median(first.map((m) => m.rss)) / MB).toFixed(1)} -> ${(median(last.map((m) => m.rss)) / MB).toFixed(1)} MB, heap growth ${heapGrowth.toFixed(2)} MB`);
  assert.ok(rssGrowth < 8, `RSS grew ${rssGrowth.toFixed(1)} MB from the first 10 cycles to the last 10`);
  assert.ok(heapGrowth < 2, `heap grew ${heapGrowth.toFixed(2)} MB`);
});
