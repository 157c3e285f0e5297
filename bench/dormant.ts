// Benchmark: what preparing a worker costs (the dormant agent preloaded with NODE_OPTIONS, README
// "Running production workers prepared") and how fast it activates.
//  a) boot: a worker forking short children one after another (sequential forks), unprepared vs
//     prepared (its children inherit the dormant agent): wall time and the children's CPU; and
//     `node -e 0` against `node -r agent-dormant.js -e 0`;
//  b) steady: a CPU-bound process with and without the dormant agent (it listens after 1 s);
//  c) activation: a prepared busy process activated and stopped again and again through its socket:
//     time inside the target from the request to sampling and connected, and wspy's round trip.
import * as fs from 'fs';
import * as path from 'path';
import { activateDormant, findDormantSocket } from '../collector/attach';
import { DORMANT_BUNDLE, startCollector } from '../collector/ingest';
import { TREE_RATE_HZ } from '../cli/record-config';
import { readFigures, runOk, sleep, target, tempDir } from './proc';
import { Benchmark, Figure } from './result';
import { spawn } from 'child_process';
import { interleaved, median, percentile, round } from './stats';

const ACTIVATION_TARGET_MS = 20;

/** What bench/targets/fork-worker.ts reports: wall per child, and the median child's own CPU at exit. */
interface WorkerRun {
  wallMsPerChild: number;
  childCpuMs: number;
}

export const dormant: Benchmark = {
  name: 'dormant',
  title: 'Prepared workers: cost of the dormant agent, and activation',
  async run(ctx) {
    const dir = tempDir();
    const figures: Figure[] = [];
    const notes: string[] = [];
    const bare = { ...process.env };
    delete bare.NODE_OPTIONS;
    delete bare.WSPY_AGENT;
    const prepared = { ...bare, NODE_OPTIONS: `--require "${DORMANT_BUNDLE}"` };
    let n = 0;
    const next = () => path.join(dir, `o${n++}.json`);
    try {
      // a) boot, sequential forks
      const jobs = ctx.quick ? 20 : 100;
      const rounds = ctx.quick ? 2 : 9;
      const worker = (env: NodeJS.ProcessEnv) => async () => {
        const out = next();
        await runOk(process.execPath, [target('fork-worker'), String(jobs), '1', out], env);
        return readFigures<WorkerRun>(out);
      };
      const forks = await interleaved<'unprepared' | 'prepared', WorkerRun>(
        [
          { name: 'unprepared', run: worker(bare) },
          { name: 'prepared', run: worker(prepared) },
        ],
        rounds,
      );
      const wall = (v: WorkerRun[]) => median(v.map((r) => r.wallMsPerChild));
      const cpu = (v: WorkerRun[]) => median(v.map((r) => r.childCpuMs));
      figures.push(
        { metric: `${jobs} sequential forks, unprepared: median wall / child's CPU, per child`, value: `${round(wall(forks.unprepared), 1)} / ${round(cpu(forks.unprepared), 1)}`, unit: 'ms' },
        { metric: `same, prepared (children inherit the dormant agent): median wall / child's CPU, per child`, value: `${round(wall(forks.prepared), 1)} / ${round(cpu(forks.prepared), 1)}`, unit: 'ms' },
        { metric: '**added per child, prepared**: wall / CPU', value: `${round(wall(forks.prepared) - wall(forks.unprepared), 2)} / ${round(cpu(forks.prepared) - cpu(forks.unprepared), 2)}`, unit: 'ms' },
      );
      const startRounds = ctx.quick ? 6 : 40;
      const node = (args: string[]) => async () => (await runOk(process.execPath, args, bare)).wallMs;
      const starts = await interleaved(
        [
          { name: 'plain', run: node(['-e', '0']) },
          { name: 'dormant', run: node(['-r', DORMANT_BUNDLE, '-e', '0']) },
        ] as const,
        startRounds,
      );
      figures.push(
        { metric: 'node -e 0: median wall', value: round(median(starts.plain), 1), unit: 'ms' },
        { metric: 'node -r agent-dormant.js -e 0: added to node -e 0', value: round(median(starts.dormant) - median(starts.plain), 2), unit: 'ms' },
      );
      notes.push(
        `Boot: bench/targets/fork-worker.ts forking ${jobs} children that do nothing, one at a time (concurrency 1), ${rounds} interleaved rounds after a warm-up; each child reports its own process.cpuUsage() at exit, median over the children of a round. node -e 0: ${startRounds} interleaved runs. The dormant bundle is ${round(fs.statSync(DORMANT_BUNDLE).size / 1024, 1)} KB; at boot it arms one unref'd timer and requires nothing.`,
      );

      // b) steady
      const workRounds = ctx.quick ? 300 : 1500;
      const steadyRounds = ctx.quick ? 2 : 10;
      const work = (env: NodeJS.ProcessEnv) => async () => {
        const out = next();
        await runOk(process.execPath, [target('cpu-work'), String(workRounds), out], env);
        return readFigures<{ wallMs: number; cpuMs: number }>(out);
      };
      const steadyRuns = await interleaved<'unprepared' | 'prepared', { wallMs: number; cpuMs: number }>(
        [
          { name: 'unprepared', run: work(bare) },
          { name: 'prepared', run: work(prepared) },
        ],
        steadyRounds,
      );
      const paired = (field: 'wallMs' | 'cpuMs') => median(steadyRuns.prepared.map((x, i) => (x[field] / steadyRuns.unprepared[i][field] - 1) * 100));
      figures.push(
        { metric: 'CPU-bound work, unprepared: median wall / CPU', value: `${round(median(steadyRuns.unprepared.map((r) => r.wallMs)), 0)} / ${round(median(steadyRuns.unprepared.map((r) => r.cpuMs)), 0)}`, unit: 'ms' },
        { metric: 'prepared (dormant, listening after 1 s): overhead wall / CPU, paired by round', value: `${round(paired('wallMs'), 1)} / ${round(paired('cpuMs'), 1)}`, unit: '%' },
      );

      // c) activation
      const cycles = ctx.quick ? 5 : 30;
      const busy = spawn(process.execPath, [target('streaming-child'), '600'], { env: prepared, stdio: 'ignore' });
      try {
        const pid = busy.pid!;
        let socket: string | undefined;
        for (let i = 0; i < 300 && !(socket = findDormantSocket(pid)); i++) await sleep(20);
        if (!socket) throw new Error('the prepared target never listened on its dormant socket');
        const inside: number[] = [];
        const roundTrip: number[] = [];
        for (let i = 0; i < cycles; i++) {
          const collector = await startCollector({ intervalUs: Math.round(1e6 / TREE_RATE_HZ), follow: true, title: 'bench', chunkMs: 200 });
          const activated = await activateDormant(pid, socket, collector.agentConfig);
          inside.push(activated.activationMs);
          roundTrip.push(activated.totalMs);
          await sleep(300);
          await collector.stopAgents(3000);
          const recording = await collector.finish();
          if (!recording.processes.some((p) => p.pid === pid && p.sampled)) throw new Error(`cycle ${i}: the activated target sent no samples`);
        }
        const med = median(inside);
        figures.push(
          { metric: `**activation, inside the target: request read → sampling and connected** (median / p90 of ${cycles})`, value: `${round(med, 1)} / ${round(percentile(inside, 90), 1)}`, unit: 'ms', target: `<= ${ACTIVATION_TARGET_MS} ms`, met: med <= ACTIVATION_TARGET_MS },
          { metric: 'activation, wspy round trip: connect → answer (median / p90)', value: `${round(median(roundTrip), 1)} / ${round(percentile(roundTrip, 90), 1)}`, unit: 'ms' },
        );
        notes.push(
          `Activation: one prepared CPU-busy process (bench/targets/streaming-child.ts, slices of work between event-loop turns) activated ${cycles} times through its dormant socket, each time with a new collector, 300 ms of recording, a stop and a check that samples arrived. "Inside" is measured by the dormant agent (hrtime from reading the request to the full agent's start() returning: the native sampler started, child_process patched, ws loaded and connecting); the first cycle also compiles agent.js.`,
        );
      } finally {
        busy.kill('SIGKILL');
      }
      return { figures, notes };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
