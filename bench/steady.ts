// Benchmark 2: steady overhead on a CPU-bound process, at several rates and under V8's own --cpu-prof.
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_RATE_HZ } from '../cli/record-config';
import { readNumber, recordWithWspy, runOk, target, tempDir } from './proc';
import { Benchmark, Figure } from './result';
import { interleaved, median, round } from './stats';

export const STEADY_RATES = [100, 250, 1000];
const TARGET_PERCENT = 2;

export const steady: Benchmark = {
  name: 'steady',
  title: 'Steady overhead (CPU-bound worker)',
  async run(ctx) {
    const dir = tempDir();
    try {
      // About 3 s of work on this machine (calibrated once, unprofiled).
      const workRounds = await calibrate(dir, ctx.quick ? 500 : 3000);
      const rounds = ctx.quick ? 2 : 5;
      let n = 0;
      const work = (out: string) => [target('cpu-work'), String(workRounds), out];
      const next = () => path.join(dir, `o${n++}.txt`);
      const variants = [
        { name: 'unprofiled', run: async () => { const o = next(); await runOk(process.execPath, work(o)); return readNumber(o); } },
        ...STEADY_RATES.map((hz) => ({
          name: `wspy ${hz} Hz`,
          run: async () => { const o = next(); await recordWithWspy(hz, false, [process.execPath, ...work(o)], path.join(dir, `r${n}.json`)); return readNumber(o); },
        })),
        {
          name: 'node --cpu-prof (1000 Hz, reference)',
          run: async () => { const o = next(); await runOk(process.execPath, ['--cpu-prof', '--cpu-prof-dir', path.join(dir, 'prof'), ...work(o)]); return readNumber(o); },
        },
      ];
      const times = await interleaved(variants, rounds, false);
      const base = median(times.unprofiled);
      ctx.log(Object.entries(times).map(([k, xs]) => `${k}: ${xs.map((x) => round(x, 0)).join(' ')}`).join(' | '));
      const figures: Figure[] = [{ metric: 'unprofiled: median time for the fixed work', value: round(base, 0), unit: 'ms' }];
      for (const [name, xs] of Object.entries(times)) {
        if (name === 'unprofiled') continue;
        const overhead = (median(xs) / base - 1) * 100;
        const judged = name.startsWith('wspy');
        figures.push({
          metric: `${name}: overhead (ratio of medians - 1)`,
          value: round(overhead, 1),
          unit: '%',
          ...(judged ? { target: `<= ${TARGET_PERCENT} %`, met: overhead <= TARGET_PERCENT } : {}),
        });
      }
      return {
        figures,
        notes: [
          `A fixed amount of JSON, regex and array work (${workRounds} rounds, about ${ctx.quick ? 0.5 : 3} s unprofiled), ${rounds} interleaved runs per variant; time measured inside the process around the work, so start-up and report writing are excluded. Overhead = median(variant) / median(unprofiled) - 1. Differences within about +-1 % are noise on this 2-core machine.`,
          `node --cpu-prof samples every 1000 us by default (V8's own profiler writing a .cpuprofile at exit, no JS agent).`,
        ],
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** How many rounds of cpu-work take about `targetMs` here. */
async function calibrate(dir: string, targetMs: number): Promise<number> {
  const probe = 50;
  const out = path.join(dir, 'calibrate.txt');
  await runOk(process.execPath, [target('cpu-work'), String(probe), out]);
  const ms = readNumber(out);
  return Math.max(10, Math.round((probe * targetMs) / ms));
}
