// Benchmark 1, the headline: what the agent adds to every forked child.
//  a) a fork-per-job worker forking children one after another (never overlapped): trivial children,
//     and children that require ioredis, pg and sequelize; each unprofiled, with V8's own
//     `--cpu-prof`, and under `wspy record -s`, interleaved; the children's own CPU at exit, and
//     what the recording reports for the package children against their real CPU;
//  b) `node -e 0` against `node -r agent.js -e 0` with a live collector, and variants that show
//     where the time goes (bundle only, rates, follow, --cpu-prof);
//  c) the boot steps timed one by one inside a process, for a trivial and a package-loading child.
import { fork, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { pprofBindingsDir, startCollector } from '../collector/ingest';
import { fromDocument } from '../collector/formats';
import { sampledMs, unsampledCpuMs, type Recording } from '../collector/model';
import { TREE_RATE_HZ } from '../cli/record-config';
import { AGENT_BUNDLE, readFigures, recordWithWspy, runOk, target, tempDir } from './proc';
import { Benchmark, Figure } from './result';
import { interleaved, median, round } from './stats';

const TRIVIAL_TARGET_MS = 5;
const PACKAGES = 'ioredis,pg,sequelize';

type Variant = 'plain' | 'cpu-prof' | 'wspy';
interface StartRun {
  wallMs: number;
  /** The process's CPU at its last exit listener (after the agent's flush). */
  cpuMs: number;
}
interface WorkerRun {
  wallMsPerChild: number;
  childCpuMs: number;
  /** wspy only: what the recording says of the children (median over them). */
  reportedMs?: number;
  agentFrameMs?: number;
}

export const forkCost: Benchmark = {
  name: 'fork-cost',
  title: 'Cost per fork',
  async run(ctx) {
    const dir = tempDir();
    const figures: Figure[] = [];
    const notes: string[] = [];
    try {
      // a) sequential forks, trivial and package-loading children
      const rounds = ctx.quick ? 1 : 5;
      let n = 0;
      const worker = (jobs: number, packages: string) => {
        const runOne = async (variant: Variant): Promise<WorkerRun> => {
          const out = path.join(dir, `w${n++}.json`);
          const profDir = path.join(dir, `prof${n}`);
          const args = [target('fork-worker'), String(jobs), '1', out, packages];
          if (variant === 'plain') await runOk(process.execPath, args);
          if (variant === 'cpu-prof') await runOk(process.execPath, [...args, `--cpu-prof --cpu-prof-dir=${profDir}`]);
          let reported: Pick<WorkerRun, 'reportedMs' | 'agentFrameMs'> = {};
          if (variant === 'wspy') {
            const rec = path.join(dir, `r${n}.json`);
            await recordWithWspy(TREE_RATE_HZ, true, [process.execPath, ...args], rec);
            reported = reportedChildren(fromDocument(JSON.parse(fs.readFileSync(rec, 'utf8')) as object));
            fs.rmSync(rec, { force: true });
          }
          fs.rmSync(profDir, { recursive: true, force: true });
          return { ...readFigures<WorkerRun>(out), ...reported };
        };
        return interleaved<Variant, WorkerRun>(
          (['plain', 'cpu-prof', 'wspy'] as const).map((name) => ({ name, run: () => runOne(name) })),
          rounds,
        );
      };
      const trivialJobs = ctx.quick ? 10 : 40;
      const packageJobs = ctx.quick ? 3 : 10;
      const trivial = await worker(trivialJobs, '');
      const pkg = await worker(packageJobs, PACKAGES);
      const med = (xs: WorkerRun[], k: keyof WorkerRun) => median(xs.map((x) => x[k] ?? NaN));
      for (const [label, runs, jobs] of [['trivial', trivial, trivialJobs], ['ioredis+pg+sequelize', pkg, packageJobs]] as const) {
        const base = { wall: med(runs.plain, 'wallMsPerChild'), cpu: med(runs.plain, 'childCpuMs') };
        const added = (v: Variant) => ({ wall: med(runs[v], 'wallMsPerChild') - base.wall, cpu: med(runs[v], 'childCpuMs') - base.cpu });
        const wspy = added('wspy');
        const cpuProf = added('cpu-prof');
        ctx.log(`${label}: cpu plain ${runs.plain.map((r) => round(r.childCpuMs, 0)).join(' ')} | cpu-prof ${runs['cpu-prof'].map((r) => round(r.childCpuMs, 0)).join(' ')} | wspy ${runs.wspy.map((r) => round(r.childCpuMs, 0)).join(' ')}`);
        const isTrivial = label === 'trivial';
        figures.push(
          { metric: `${label} child, ${jobs} sequential forks, unprofiled: median wall per child / child's CPU`, value: `${round(base.wall, 1)} / ${round(base.cpu, 1)}`, unit: 'ms' },
          {
            metric: `${isTrivial ? '**' : ''}${label} child: wall added per child, wspy record -s${isTrivial ? '**' : ''}`,
            value: round(wspy.wall, 1),
            unit: 'ms',
            ...(isTrivial ? { target: `<= ${TRIVIAL_TARGET_MS} ms`, met: wspy.wall <= TRIVIAL_TARGET_MS } : {}),
          },
          { metric: `${label} child: wall added per child, node --cpu-prof`, value: round(cpuProf.wall, 1), unit: 'ms' },
          { metric: `${label} child: CPU added, wspy / --cpu-prof`, value: `${round(wspy.cpu, 1)} / ${round(cpuProf.cpu, 1)}`, unit: 'ms' },
          {
            metric: `${isTrivial ? '' : '**'}${label} child: CPU added by wspy as a share of what --cpu-prof adds${isTrivial ? '' : '**'}`,
            value: round(wspy.cpu / cpuProf.cpu, 2),
            ...(isTrivial ? {} : { target: '<= 1 (aim 0.5)', met: wspy.cpu <= cpuProf.cpu }),
          },
        );
        if (!isTrivial) {
          const reported = med(runs.wspy, 'reportedMs');
          figures.push(
            { metric: `${label} child: CPU the recording reports (its samples, weighted to CPU, plus CPU before the agent; the agent's own CPU left out) / its real CPU unprofiled`, value: `${round(reported, 0)} / ${round(base.cpu, 0)}`, unit: 'ms' },
            { metric: `${label} child: the agent's own CPU, kept apart (agentCpuMs)`, value: round(med(runs.wspy, 'agentFrameMs'), 1), unit: 'ms' },
          );
        }
      }
      // V8's profiler starts cheaper before Node's bootstrap, where only --cpu-prof starts it; wspy
      // reaches every descendant through NODE_OPTIONS, and whether Node takes it there decides
      // whether wspy could use it.
      const viaOptions = spawnSync(process.execPath, ['-e', '0'], { env: { ...process.env, NODE_OPTIONS: '--cpu-prof' }, encoding: 'utf8' });
      figures.push({ metric: 'node -e 0 with NODE_OPTIONS=--cpu-prof (the way wspy reaches every descendant): exit code, stderr', value: `${viaOptions.status}: ${viaOptions.stderr.trim() || '(none)'}` });
      notes.push(
        `Sequential forks: targets/fork-worker.ts forks targets/package-child.ts one at a time (${trivialJobs} trivial children, ${packageJobs} that require ${PACKAGES.replace(/,/g, ', ')}), unprofiled, with \`--cpu-prof\` in the children's execArgv (V8's own profiler at its default 1000 Hz, writing a .cpuprofile at exit), and under \`wspy record -s -r ${TREE_RATE_HZ}\`; ${rounds} interleaved rounds after a warm-up, medians. Wall per child is the worker's own time from its first line to the last child's exit, divided by the children. Child CPU is each child's process.cpuUsage() at exit (all its threads: V8's profiler thread too), median over the children of a round, then over rounds. Added = median(variant) - median(unprofiled), in the same run.`,
        `Reported: the wspy recording's samples x interval for each package child (median), the agent's own CPU left out, against the same child's real CPU unprofiled; samples count only the main thread while it runs JavaScript or V8 work, so the reported figure sits below real CPU (Node's bootstrap before the agent runs is never sampled).`,
      );

      // b) node -e 0 variants, against a live collector
      const startRounds = ctx.quick ? 6 : 20;
      const collectors = await Promise.all(
        [TREE_RATE_HZ, 1000].map((hz) => startCollector({ intervalUs: Math.round(1e6 / hz), follow: false, title: 'bench' })),
      );
      const followCollector = await startCollector({ intervalUs: Math.round(1e6 / TREE_RATE_HZ), follow: true, title: 'bench' });
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
        // `-e 0` that also prints the process's CPU (all threads) from the last exit listener, after
        // the agent's exit flush (the agent's listener is prepended): CPU is steadier than wall time
        // on a shared machine.
        const cpuAtExit = "process.on('exit',()=>{const u=process.cpuUsage();process.stdout.write(String((u.user+u.system)/1000))})";
        const node = (args: string[], env: NodeJS.ProcessEnv) => async (): Promise<StartRun> => {
          const r = await runOk(process.execPath, [...args, '-e', cpuAtExit], env);
          return { wallMs: r.wallMs, cpuMs: Number(r.stdout) };
        };
        const codeCache = path.join(dir, 'agent.code-cache');
        const cachedEnv = { ...envWith(collectors[0]), WSPY_BENCH_AGENT: AGENT_BUNDLE, WSPY_BENCH_CODE_CACHE: codeCache };
        const starts = await interleaved<string, StartRun>(
          [
            { name: 'node -e 0', run: node([], bare) },
            { name: 'agent bundle loaded, no WSPY_AGENT', run: node(['-r', AGENT_BUNDLE], bare) },
            { name: `agent at ${TREE_RATE_HZ} Hz`, run: node(['-r', AGENT_BUNDLE], envWith(collectors[0])) },
            { name: `agent at ${TREE_RATE_HZ} Hz, compiled from a V8 code cache (vm.Script cachedData; not used by wspy)`, run: node(['-r', target('cached-agent')], cachedEnv) },
            { name: `agent at ${TREE_RATE_HZ} Hz, follow (-s)`, run: node(['-r', AGENT_BUNDLE], envWith(followCollector)) },
            { name: 'agent at 1000 Hz', run: node(['-r', AGENT_BUNDLE], envWith(collectors[1])) },
            { name: 'node --cpu-prof -e 0 (V8 only, reference)', run: node(['--cpu-prof', '--cpu-prof-dir', profDir], bare) },
          ],
          startRounds,
        );
        const base = starts['node -e 0'];
        const baseWall = median(base.map((r) => r.wallMs));
        const baseCpu = median(base.map((r) => r.cpuMs));
        figures.push({ metric: 'node -e 0: median wall / CPU at exit', value: `${round(baseWall, 1)} / ${round(baseCpu, 1)}`, unit: 'ms' });
        for (const [name, xs] of Object.entries(starts)) {
          if (name === 'node -e 0') continue;
          const wall = median(xs.map((r) => r.wallMs)) - baseWall;
          const cpu = median(xs.map((r) => r.cpuMs)) - baseCpu;
          figures.push({ metric: `${name}: wall / CPU added to node -e 0`, value: `${round(wall, 1)} / ${round(cpu, 1)}`, unit: 'ms' });
        }
        const samples = await Promise.all([...collectors, followCollector].map((c) => c.finish()));
        const sampled = samples.flatMap((r) => r.processes).filter((p) => p.sampled).length;
        notes.push(
          `node -e 0 variants: ${startRounds} interleaved runs each (after a warm-up round), whole-process wall time from spawn to exit, and the process's CPU (all threads) read by the last exit listener, after the agent's flush; the agent is loaded with -r and WSPY_AGENT points at a live collector (startCollector), so it does its full boot and exit flush (${sampled} processes reached the collectors). The code-cache variant (bench/targets/cached-agent.ts) compiles the same bundle through vm.Script with V8 cached data written by the warm-up run after its exit flush, so the cache holds every function the agent compiles at boot and at exit.`,
        );
      } finally {
        await Promise.all([...collectors, followCollector].map((c) => c.finish()));
      }

      // c) the boot steps, one by one, in CPU ms
      const stepRuns = ctx.quick ? 2 : 9;
      const spool = path.join(dir, 'steps.jsonl');
      const stepArgs = (mode: string, packages: string) => [target('boot-steps'), AGENT_BUNDLE, pprofBindingsDir(), String(1e6 / TREE_RATE_HZ), spool, mode, packages];
      const steps = async (mode: string, packages: string) => JSON.parse((await runOk(process.execPath, stepArgs(mode, packages))).stdout) as Record<string, number>;
      const stepModes = await interleaved(
        [
          { name: 'trivial', run: () => steps('agent', '') },
          { name: 'trivial, forked', run: async () => JSON.parse(await forkedStdout(stepArgs('agent', ''))) as Record<string, number> },
          { name: 'package', run: () => steps('agent', PACKAGES) },
          { name: 'package, late start', run: () => steps('late-start', PACKAGES) },
          { name: 'package, no profiler', run: () => steps('no-profiler', PACKAGES) },
          { name: 'package, every require timed, no profiler', run: () => steps('timed-watch', PACKAGES) },
          { name: 'package, bare', run: () => steps('bare', PACKAGES) },
        ] as const,
        stepRuns,
      );
      const stepMedian = (runs: Array<Record<string, number>>, k: string) => median(runs.map((r) => r[k]));
      const stepKeys = Object.keys(stepModes.package[0]).filter((k) => k.endsWith('Ms') && !k.endsWith('WallMs'));
      for (const k of stepKeys) {
        const wallKey = k.replace(/Ms$/, 'WallMs');
        const pair = (runs: Array<Record<string, number>>) => `${round(stepMedian(runs, k), 2)} / ${round(stepMedian(runs, wallKey), 2)}`;
        figures.push({
          metric: `boot step ${k.replace(/Ms$/, '')}: CPU / wall, trivial forked child; trivial child; package child (in-process, median)`,
          value: `${pair(stepModes['trivial, forked'])}; ${pair(stepModes.trivial)}; ${pair(stepModes.package)}`,
          unit: 'ms',
        });
      }
      const load = (mode: keyof typeof stepModes) => stepMedian(stepModes[mode], 'packagesLoadMs');
      const lateStart = stepMedian(stepModes['package, late start'], 'lateProfilerStartMs');
      figures.push({
        metric: `package child: V8's profiler start once the packages have loaded (what a start deferred past module loading, or a second profiler at another rate, pays) / the start at boot plus what the running profiler adds to loading`,
        value: `${round(lateStart, 1)} / ${round(stepMedian(stepModes.package, 'profilerStartMs') + load('package') - load('package, no profiler'), 1)}`,
        unit: 'ms',
      });
      const agentSteps = stepKeys.filter((k) => k !== 'packagesLoadMs');
      const forkedSum = median(stepModes['trivial, forked'].map((r) => agentSteps.reduce((a, k) => a + r[k], 0)));
      figures.push({
        metric: 'trivial forked child: the agent steps above, summed (CPU) / of which V8 profiler start',
        value: `${round(forkedSum, 1)} / ${round(stepMedian(stepModes['trivial, forked'], 'profilerStartMs'), 1)}`,
        unit: 'ms',
      });
      const requires = stepMedian(stepModes.package, 'requires');
      figures.push(
        { metric: `requiring ${PACKAGES.replace(/,/g, ', ')}: CPU with profiler and watch / watch only / every require timed (cpuUsage + performance.now, no profiler) / neither`, value: `${round(load('package'), 0)} / ${round(load('package, no profiler'), 0)} / ${round(load('package, every require timed, no profiler'), 0)} / ${round(load('package, bare'), 0)}`, unit: 'ms' },
        { metric: `Module._load watch: (watch only - neither) / ${requires} requires (a difference of separate processes: noise-level)`, value: round(((load('package, no profiler') - load('package, bare')) / requires) * 1000, 1), unit: 'µs' },
      );
      notes.push(
        `Boot steps: ${stepRuns} interleaved rounds of fresh processes (bench/targets/boot-steps.ts) timing the agent's steps in its own order with process.cpuUsage() (whole process, so V8's profiler thread is counted): compile the bundle, load the binding, append the hello, install the Module._load watch, start V8's profiler (last, as the agent does), the child's own work (requiring the packages: nothing for the trivial child), stop the profiler, encode the chunk, the last append; CPU (all threads) and wall per step. The trivial child runs twice: spawned, and forked with an IPC channel like the fork-worker's children (its heap holds Node's IPC modules, which V8's profiler start walks). The same package child without the profiler, and without profiler and watch, shows what each adds to module loading; with every require timed instead of the profiler (process.cpuUsage() and performance.now() around each Module._load, kept for the top-level ones), what exact start-up timings would cost instead of samples. The agent bundle is ${Math.round(fs.statSync(AGENT_BUNDLE).size / 1024)} KB.`,
      );
      return { figures, notes };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** Forks `args` (an IPC channel, like a fork-per-job worker's child) and resolves with its stdout. */
function forkedStdout(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const [script, ...rest] = args;
    const child = fork(script, rest, { silent: true });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${path.basename(script)} exited with ${code}`))));
  });
}

/** Medians over the package children of one recording: reported CPU ms, and the agent's own CPU kept apart. */
function reportedChildren(r: Recording): Pick<WorkerRun, 'reportedMs' | 'agentFrameMs'> {
  const children = r.processes.filter((p) => p.argv.some((a) => a.endsWith('package-child.js')));
  const reported = children.map((p) => sampledMs(p) + unsampledCpuMs(p));
  return { reportedMs: median(reported), agentFrameMs: median(children.map((p) => p.cpu?.agentMs ?? 0)) };
}
