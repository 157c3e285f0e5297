// Benchmark 3: which short-lived children get at least one sample, by lifetime and rate.
import * as fs from 'fs';
import * as path from 'path';
import { TREE_RATE_HZ } from '../cli/record-config';
import { readRecording } from './recording';
import { recordWithWspy, target, tempDir } from './proc';
import { Benchmark, Figure } from './result';
import { median } from './stats';

export const LIFETIMES_MS = [10, 20, 50, 200];

export const coverage: Benchmark = {
  name: 'coverage',
  title: 'Fork coverage (short-lived children)',
  async run(ctx) {
    const dir = tempDir();
    const perLifetime = ctx.quick ? 5 : 20;
    const rates = [...new Set([TREE_RATE_HZ, 100, 250, 1000])];
    const figures: Figure[] = [];
    try {
      for (const hz of rates) {
        const out = path.join(dir, `cov-${hz}.json`);
        await recordWithWspy(hz, true, [process.execPath, target('coverage-parent'), String(perLifetime), '2', LIFETIMES_MS.join(',')], out);
        const rec = readRecording(out);
        for (const ms of LIFETIMES_MS) {
          const kids = rec.processes.filter((p) => p.argv.some((a) => a.endsWith('busy-child.js')) && p.argv[p.argv.length - 1] === String(ms));
          const covered = kids.filter((p) => p.sampleCount >= 1).length;
          const share = kids.length ? (100 * covered) / perLifetime : 0;
          const judged = ms >= 20 && hz === TREE_RATE_HZ;
          figures.push({
            metric: `${hz} Hz, children busy ${ms} ms: recorded with >= 1 sample`,
            value: `${Math.round(share)} % (${covered}/${perLifetime}, ${kids.length} seen; median samples ${median(kids.map((p) => p.sampleCount))})`,
            ...(judged ? { target: '100 %', met: covered === perLifetime } : {}),
          });
        }
        ctx.log(`coverage at ${hz} Hz done`);
      }
      return {
        figures,
        notes: [
          `A parent forks ${perLifetime} children per lifetime (${LIFETIMES_MS.join(', ')} ms of busy work from their first line), 2 at a time, under wspy record -s -r <rate>; a child counts when the recording holds it with at least one sample. "seen" is how many of them the recording holds at all; the median sample count per child includes the child's own start-up after the agent started (loading its script), so it runs above lifetime x rate.`,
        ],
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
