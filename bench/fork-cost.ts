// Benchmark 1, the headline: what the agent adds to every forked child.
//  a) a fork-per-job worker running 200 no-op jobs, unprofiled vs under `wspy record -s`;
//  b) `node -e 0` against `node -r agent.js -e 0` with a live collector, and variants that show
//     where the time goes (bundle only, rates, follow, V8's own --cpu-prof);
//  c) the boot steps timed one by one inside a process.
import * as fs from 'fs';
import * as path from 'path';
import { pprofBindingsDir, startCollector } from '../collector/ingest';
import { DEFAULT_RATE_HZ } from '../cli/record-config';
import { AGENT_BUNDLE, readFigures, recordWithWspy, runOk, target, tempDir } from './proc';
import { Benchmark, Figure } from './result';
import { interleaved, median, round } from './stats';

const JOBS = 200;
const CONCURRENCY = 4;
const TARGET_MS = 10;

export const forkCost: Benchmark = {
  name: 'fork-cost',
  title: 'Cost per fork',
  async run(ctx) {
    const dir = tempDir();
    const figures: Figure[] = [];
    const notes: string[] = [];
    try {
      // a) the worker
      const jobs = ctx.quick ? 40 : JOBS;
      const rounds = ctx.quick ? 2 : 7;
      const workerArgs = (out: string) => [target('fork-worker'), String(jobs), String(CONCURRENCY), out];
      let n = 0;
      type WorkerRun = { wallMs: number; childCpuMs: number };
      const worker = await interleaved<'plain' | 'wspy', WorkerRun>(
        [
          {
            name: 'plain',
            run: async () => {
              const out = path.join(dir, `w${n++}.txt`);
              await runOk(process.execPath, workerArgs(out));
              return readFigures<WorkerRun>(out);
            },
          },
          {
            name: 'wspy',
            run: async () => {
              const out = path.join(dir, `w${n++}.txt`);
              await recordWithWspy(DEFAULT_RATE_HZ, true, [process.execPath, ...workerArgs(out)], path.join(dir, `r${n}.json`));
              return readFigures<WorkerRun>(out);
            },
          },
        ],
        rounds,
      );
      const wall = (v: WorkerRun[]) => median(v.map((r) => r.wallMs));
      const cpu = (v: WorkerRun[]) => median(v.map((r) => r.childCpuMs));
      const perChild = (wall(worker.wspy) - wall(worker.plain)) / jobs;
      const cpuPerChild = (cpu(worker.wspy) - cpu(worker.plain)) / jobs;
      ctx.log(`worker wall: plain ${worker.plain.map((x) => round(x.wallMs, 0)).join(' ')} | wspy ${worker.wspy.map((x) => round(x.wallMs, 0)).join(' ')}`);
      figures.push(
        { metric: `fork-per-job worker, ${jobs} jobs (${CONCURRENCY} at a time), unprofiled: median wall / children's CPU`, value: `${round(wall(worker.plain), 0)} / ${round(cpu(worker.plain), 0)}`, unit: 'ms' },
        { metric: `same under wspy record -s -r ${DEFAULT_RATE_HZ}: median wall / children's CPU`, value: `${round(wall(worker.wspy), 0)} / ${round(cpu(worker.wspy), 0)}`, unit: 'ms' },
        { metric: '**added wall time per child** (worker)', value: round(perChild, 2), unit: 'ms', target: `<= ${TARGET_MS} ms`, met: perChild <= TARGET_MS },
        { metric: 'added CPU time per child (worker)', value: round(cpuPerChild, 2), unit: 'ms' },
      );
      notes.push(
        `Worker: ${rounds} interleaved runs each; wall time measured by the worker itself (first line to the last child's exit), so wspy's own start and report writing are not counted. Added per child = (median with - median without) / ${jobs}. Wall time is what a job queue waits; with ${CONCURRENCY} children at a time on 2 cores, two children boot in parallel, so the added CPU time per child (children's cutime + cstime, read by the worker from /proc/self/stat, 10 ms ticks summed over ${jobs} children) is the figure that does not depend on the core count.`,
      );

      // b) node -e 0 variants, against a live collector
      const startRounds = ctx.quick ? 6 : 40;
      const collectors = await Promise.all(
        [DEFAULT_RATE_HZ, 1000].map((hz) => startCollector({ intervalUs: Math.round(1e6 / hz), follow: false, title: 'bench' })),
      );
      const followCollector = await startCollector({ intervalUs: Math.round(1e6 / DEFAULT_RATE_HZ), follow: true, title: 'bench' });
      try {
        const bare = { ...process.env };
        delete bare.NODE_OPTIONS;
        delete bare.WSPY_AGENT;
        const envWith = (c: (typeof collectors)[number]) => {
          const e = c.agentEnv(bare);
          delete e.NODE_OPTIONS; // -r on the command line instead, as the brief's comparison has it
          return e;
        };
        const profDir = path.join(dir, 'cpuprof');
        const node = (args: string[], env: NodeJS.ProcessEnv) => async () => (await runOk(process.execPath, args, env)).wallMs;
        const starts = await interleaved(
          [
            { name: 'node -e 0', run: node(['-e', '0'], bare) },
            { name: 'agent bundle loaded, no WSPY_AGENT', run: node(['-r', AGENT_BUNDLE, '-e', '0'], bare) },
            { name: `agent at ${DEFAULT_RATE_HZ} Hz`, run: node(['-r', AGENT_BUNDLE, '-e', '0'], envWith(collectors[0])) },
            { name: `agent at ${DEFAULT_RATE_HZ} Hz, follow (-s)`, run: node(['-r', AGENT_BUNDLE, '-e', '0'], envWith(followCollector)) },
            { name: 'agent at 1000 Hz', run: node(['-r', AGENT_BUNDLE, '-e', '0'], envWith(collectors[1])) },
            { name: 'node --cpu-prof -e 0 (V8 only, reference)', run: node(['--cpu-prof', '--cpu-prof-dir', profDir, '-e', '0'], bare) },
          ] as const,
          startRounds,
        );
        const base = median(starts['node -e 0']);
        figures.push({ metric: 'node -e 0: median wall', value: round(base, 1), unit: 'ms' });
        for (const [name, xs] of Object.entries(starts) as Array<[string, number[]]>) {
          if (name === 'node -e 0') continue;
          const added = median(xs) - base;
          const isHeadline = name === `agent at ${DEFAULT_RATE_HZ} Hz, follow (-s)`;
          figures.push({
            metric: `${name}: added to node -e 0`,
            value: round(added, 1),
            unit: 'ms',
            ...(isHeadline ? { target: `<= ${TARGET_MS} ms`, met: added <= TARGET_MS } : {}),
          });
        }
        const samples = await Promise.all([...collectors, followCollector].map((c) => c.finish()));
        const sampled = samples.flatMap((r) => r.processes).filter((p) => p.sampled).length;
        notes.push(
          `node -e 0 variants: ${startRounds} interleaved runs each (after a warm-up round), whole-process wall time from spawn to exit; the agent is loaded with -r and WSPY_AGENT points at a live collector (startCollector), so it does its full boot and exit flush (${sampled} processes reached the collectors).`,
        );
      } finally {
        await Promise.all([...collectors, followCollector].map((c) => c.finish()));
      }

      // c) the boot steps, one by one
      const stepRuns = ctx.quick ? 3 : 15;
      const spool = path.join(dir, 'steps.jsonl');
      const stepLists: Record<string, number[]> = {};
      const fastStarts: number[] = [];
      for (let i = 0; i < stepRuns; i++) {
        const steps = async (hz: number) => {
          const r = await runOk(process.execPath, [target('boot-steps'), AGENT_BUNDLE, pprofBindingsDir(), String(1e6 / hz), spool]);
          return JSON.parse(r.stdout) as Record<string, number>;
        };
        for (const [k, v] of Object.entries(await steps(DEFAULT_RATE_HZ))) (stepLists[k] ??= []).push(v);
        fastStarts.push((await steps(1000)).profilerStartMs);
      }
      for (const [k, xs] of Object.entries(stepLists)) {
        figures.push({ metric: `boot step ${k.replace(/Ms$/, '')} (in-process, median)`, value: round(median(xs), 2), unit: 'ms' });
      }
      figures.push({ metric: 'boot step profilerStart at 1000 Hz instead (in-process, median)', value: round(median(fastStarts), 2), unit: 'ms' });
      notes.push(
        `Boot steps: ${stepRuns} fresh processes, each timing the agent's steps with performance.now() (bench/targets/boot-steps.ts): compile the bundle, load the binding, start V8's profiler, append the hello, stop the profiler at exit, append the last chunk; at the default rate, alternating with processes that start the profiler at 1000 Hz (the start cost is V8 logging the code that already exists, which does not depend on the rate). The agent bundle is ${Math.round(fs.statSync(AGENT_BUNDLE).size / 1024)} KB.`,
      );
      return { figures, notes };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
