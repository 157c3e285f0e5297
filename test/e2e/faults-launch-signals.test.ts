// Fault: in launch mode a terminal's Ctrl-C reaches the whole foreground process group, and wspy
// forwarded another SIGINT, so the program saw two (many treat the second as "force quit"). wspy is
// started here as the leader of its own process group, like a shell starts a job; the program it
// launches is in that group. A SIGINT or SIGQUIT sent to the group must reach the program once; a
// SIGTERM or SIGHUP sent to wspy alone must be passed on, once.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { until } from '../helpers/wait';
import { FIXTURES, runWspy, tempDir } from '../helpers/wspy';

const PROGRAM = path.join(FIXTURES, 'faults', 'count-signals.js');

function readCounts(file: string): Record<string, number> | undefined {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { counts: Record<string, number> }).counts;
  } catch {
    return undefined;
  }
}

const cases: Array<{ signal: NodeJS.Signals; to: 'group' | 'wspy' }> = [
  { signal: 'SIGINT', to: 'group' },
  { signal: 'SIGQUIT', to: 'group' },
  { signal: 'SIGTERM', to: 'wspy' },
  { signal: 'SIGHUP', to: 'wspy' },
];

for (const c of cases) {
  test(`launch mode: ${c.signal} sent to ${c.to === 'group' ? 'the process group' : 'wspy alone'} reaches the program once`, { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const counts = path.join(dir, 'counts.json');
    let wspyPid = 0;
    const running = runWspy(['record', '-f', 'json', '-o', path.join(dir, 'r.json'), '--', process.execPath, PROGRAM, counts], {
      detached: true,
      onSpawn: (pid) => (wspyPid = pid),
    });
    let r;
    try {
      await until(() => readCounts(counts), { timeoutMs: 60_000, what: 'the program to install its handlers' });
      process.kill(c.to === 'group' ? -wspyPid : wspyPid, c.signal);
      r = await running;
    } finally {
      // Whatever happened, nothing of this group outlives the test.
      try {
        process.kill(-wspyPid, 'SIGKILL');
      } catch {
        // the group is gone already
      }
    }
    const seen = readCounts(counts)!;
    assert.equal(seen[c.signal], 1, `${c.signal} seen ${seen[c.signal]} times: ${JSON.stringify(seen)}\n${r.stderr}`);
    assert.equal(Object.values(seen).reduce((a, b) => a + b, 0), 1, JSON.stringify(seen));
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.existsSync(path.join(dir, 'r.json')), `the recording was written: ${r.stderr}`);
  });
}
