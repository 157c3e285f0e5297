// Benchmark: `wspy dump` time to print, for one process (idle, and stuck in a synchronous loop)
// and for a parent with 30 children (-s), with `node -e 0` in the same rounds as the floor that
// any wspy command pays to start, through both ways in: the inspector (unprepared targets) and the
// dormant agent's listener thread (prepared targets). Also how long the target's inspector stayed
// open per dump, and what the standing listener thread costs a prepared process against starting
// one on demand.
import { ChildProcess, spawn } from 'child_process';
import { dumpStackThroughInspector, findDormantSocket } from '../collector/attach';
import { DORMANT_BUNDLE, LISTENER_BUNDLE } from '../collector/ingest';
import { run, runOk, sleep, target, WSPY } from './proc';
import { Benchmark } from './result';
import { interleaved, median, percentile, round } from './stats';

const CHILDREN = 30;

const bare = { ...process.env };
delete bare.NODE_OPTIONS;
delete bare.WSPY_AGENT;
const prepared = { ...bare, NODE_OPTIONS: `--require "${DORMANT_BUNDLE}"` };

async function start(name: string, args: string[] = [], env: NodeJS.ProcessEnv = bare): Promise<ChildProcess> {
  // A random inspector port (children inherit it through fork): the same path as the default port,
  // without depending on 9229 being free on a shared machine. Prepared targets never open it.
  const proc = spawn(process.execPath, ['--inspect-port=0', target(name), ...args], { stdio: ['ignore', 'pipe', 'ignore'], env });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('ready')) resolve();
    });
    proc.once('exit', () => reject(new Error(`${name} exited early`)));
  });
  return proc;
}

async function dumpWall(pid: number, expectFrames: number, subprocesses = false): Promise<number> {
  const r = await run(process.execPath, [WSPY, 'dump', '-p', String(pid), '--json', ...(subprocesses ? ['-s'] : [])]);
  if (r.code !== 0) throw new Error(`wspy dump exited with ${r.code}: ${r.stderr.trim().slice(-500)}`);
  const dumps = JSON.parse(r.stdout) as Array<{ error?: string }>;
  if (dumps.length !== expectFrames || dumps.some((d) => d.error)) throw new Error(`wspy dump printed ${dumps.length} processes: ${r.stdout.slice(0, 500)}`);
  return r.wallMs;
}

export const dump: Benchmark = {
  name: 'dump',
  title: 'wspy dump: time to print',
  async run(ctx) {
    const rounds = ctx.quick ? 2 : 10;
    const children = ctx.quick ? 8 : CHILDREN;
    const idle = await start('idle-tree', ['0']);
    const stuck = await start('stuck-loop');
    const tree = await start('idle-tree', [String(children)]);
    // Prepared: the stuck one enters its loop after its first second, once its agent listens.
    const pIdle = await start('idle-tree', ['0'], prepared);
    const pStuck = await start('stuck-loop', ['1500'], prepared);
    const pTree = await start('idle-tree', [String(children)], prepared);
    const all = [idle, stuck, tree, pIdle, pStuck, pTree];
    await sleep(2000); // past the minimum descendant age (and the loop's start), so that -s dumps every child
    try {
      for (const p of [pIdle, pStuck, pTree]) if (findDormantSocket(p.pid!) === undefined) throw new Error(`prepared target ${p.pid} does not listen`);
      const walls = await interleaved(
        [
          { name: 'node -e 0', run: async () => (await run(process.execPath, ['-e', '0'])).wallMs },
          { name: 'idle', run: () => dumpWall(idle.pid!, 1) },
          { name: 'stuck', run: () => dumpWall(stuck.pid!, 1) },
          { name: 'prepared idle', run: () => dumpWall(pIdle.pid!, 1) },
          { name: 'prepared stuck', run: () => dumpWall(pStuck.pid!, 1) },
        ],
        rounds,
      );
      const treeRounds = ctx.quick ? 1 : 3;
      const trees = await interleaved(
        [
          { name: 'inspector', run: () => dumpWall(tree.pid!, children + 1, true) },
          { name: 'prepared', run: () => dumpWall(pTree.pid!, children + 1, true) },
        ],
        treeRounds,
        false,
      );
      const treeWalls = trees.inspector;
      // The standing listener thread's price, in a process that does nothing (RSS and CPU of every
      // thread after 2.5 s, prepared or not), against starting a thread on demand (its time to listen).
      const costRounds = ctx.quick ? 3 : 10;
      const cost = (env: NodeJS.ProcessEnv) => async () => JSON.parse((await runOk(process.execPath, [target('listener-cost'), 'idle'], env)).stdout) as { rssMb: number; cpuMs: number };
      const costs = await interleaved(
        [
          { name: 'unprepared', run: cost(bare) },
          { name: 'prepared', run: cost(prepared) },
          { name: 'no thread', run: cost({ ...prepared, WSPY_LISTENER_THREAD: '0' }) },
        ],
        costRounds,
      );
      const listenMs: number[] = [];
      for (let i = 0; i < costRounds; i++) listenMs.push((JSON.parse((await runOk(process.execPath, [target('listener-cost'), 'start-thread', LISTENER_BUNDLE], bare)).stdout) as { listenMs: number }).listenMs);
      const rss = (xs: { rssMb: number }[]) => median(xs.map((x) => x.rssMb));
      const cpu = (xs: { cpuMs: number }[]) => median(xs.map((x) => x.cpuMs));
      const open: number[] = [];
      for (let i = 0; i < rounds; i++) open.push((await dumpStackThroughInspector(stuck.pid!)).inspectorOpenMs);
      const fmt = (xs: number[]) => `median ${round(median(xs), 0)}, p95 ${round(percentile(xs, 95), 0)}`;
      ctx.log(`stuck: ${walls.stuck.map((x) => round(x, 0)).join(' ')}`);
      return {
        figures: [
          { metric: '`node -e 0` (the floor of any command)', value: fmt(walls['node -e 0']), unit: 'ms' },
          { metric: 'one idle process: wspy dump -p, start to exit', value: fmt(walls.idle), unit: 'ms' },
          { metric: 'one process stuck in a synchronous loop: wspy dump -p, start to exit', value: fmt(walls.stuck), unit: 'ms' },
          { metric: `parent + ${children} children (idle): wspy dump -p -s, start to exit`, value: `median ${round(median(treeWalls), 0)}`, unit: 'ms' },
          { metric: `parent + ${children} children: per process`, value: round(median(treeWalls) / (children + 1), 0), unit: 'ms' },
          { metric: 'stuck process: inspector open (SIGUSR1 to port closed)', value: fmt(open), unit: 'ms' },
          { metric: 'prepared, one idle process: wspy dump -p (listener thread, no port)', value: fmt(walls['prepared idle']), unit: 'ms' },
          { metric: 'prepared, one process stuck in a synchronous loop: wspy dump -p', value: fmt(walls['prepared stuck']), unit: 'ms' },
          { metric: `prepared, parent + ${children} children (idle): wspy dump -p -s`, value: `median ${round(median(trees.prepared), 0)} (inspector, same rounds: ${round(median(treeWalls), 0)})`, unit: 'ms' },
          { metric: `prepared, parent + ${children} children: per process`, value: round(median(trees.prepared) / (children + 1), 0), unit: 'ms' },
          { metric: 'idle process after 2.5 s, RSS: unprepared / prepared with `WSPY_LISTENER_THREAD=0` (main thread listens) / prepared', value: `${round(rss(costs.unprepared), 1)} / ${round(rss(costs['no thread']), 1)} / ${round(rss(costs.prepared), 1)}`, unit: 'MB' },
          { metric: '**standing listener thread: RSS added** (prepared − `WSPY_LISTENER_THREAD=0`)', value: round(rss(costs.prepared) - rss(costs['no thread']), 1), unit: 'MB' },
          { metric: 'same, CPU of every thread: unprepared / `WSPY_LISTENER_THREAD=0` / prepared; the thread adds, once', value: `${round(cpu(costs.unprepared), 1)} / ${round(cpu(costs['no thread']), 1)} / ${round(cpu(costs.prepared), 1)}; +${round(cpu(costs.prepared) - cpu(costs['no thread']), 1)}`, unit: 'ms' },
          { metric: 'a listener thread started on demand instead: until it listens (added to every dump; cannot start while the main thread is stuck)', value: fmt(listenMs), unit: 'ms' },
        ],
        notes: [
          `The CLI as a user runs it (\`node bin/wspy.js dump -p <pid> --json\`), wall time from spawn to exit, ${rounds} interleaved rounds after a warm-up, against the same running targets each time (started with \`--inspect-port=0\`, so 9229 need not be free): bench/targets/idle-tree.ts (a timer doing a little work every 10 ms) and bench/targets/stuck-loop.ts (a \`for (;;)\` that never returns). Every dump is checked to have printed every process without an error.`,
          `The tree: one idle-tree parent with ${children} children, dumped one after another (${treeRounds} interleaved runs per way in, median). Inspector open: dumpStackThroughInspector() in-process, from SIGUSR1 until /proc shows the port closed again.`,
          `Prepared: the same targets started with NODE_OPTIONS="--require agent-dormant.js" (children inherit it); wspy dump asks the dormant socket, and the agent's listener thread pauses the main thread through an inspector session connected to it (no port, no signal). Listener cost: bench/targets/listener-cost.ts, ${costRounds} interleaved runs of a process that does nothing for 2.5 s (its RSS and process.cpuUsage() then), unprepared, prepared, and prepared with WSPY_LISTENER_THREAD=0 (the main thread serves the socket, as before the listener thread); on demand: the same thread started by hand, new Worker() until its socket listens.`,
        ],
      };
    } finally {
      for (const p of all) p.kill('SIGKILL');
    }
  },
};
