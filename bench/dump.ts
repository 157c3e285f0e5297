// Benchmark: `wspy dump` time to print, for one process (idle, and stuck in a synchronous loop)
// and for a parent with 30 children (-s), with `node -e 0` in the same rounds as the floor that
// any wspy command pays to start. Also how long the target's inspector stayed open per dump.
import { ChildProcess, spawn } from 'child_process';
import { dumpStackThroughInspector } from '../collector/attach';
import { run, sleep, target, WSPY } from './proc';
import { Benchmark } from './result';
import { interleaved, median, percentile, round } from './stats';

const CHILDREN = 30;

async function start(name: string, args: string[] = []): Promise<ChildProcess> {
  // A random inspector port (children inherit it through fork): the same path as the default port,
  // without depending on 9229 being free on a shared machine.
  const proc = spawn(process.execPath, ['--inspect-port=0', target(name), ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
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
    await sleep(1200); // past the minimum descendant age, so that -s dumps every child
    try {
      const walls = await interleaved(
        [
          { name: 'node -e 0', run: async () => (await run(process.execPath, ['-e', '0'])).wallMs },
          { name: 'idle', run: () => dumpWall(idle.pid!, 1) },
          { name: 'stuck', run: () => dumpWall(stuck.pid!, 1) },
        ],
        rounds,
      );
      const treeRounds = ctx.quick ? 1 : 3;
      const treeWalls: number[] = [];
      for (let i = 0; i < treeRounds; i++) treeWalls.push(await dumpWall(tree.pid!, children + 1, true));
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
        ],
        notes: [
          `The CLI as a user runs it (\`node bin/wspy.js dump -p <pid> --json\`), wall time from spawn to exit, ${rounds} interleaved rounds after a warm-up, against the same running targets each time (started with \`--inspect-port=0\`, so 9229 need not be free): bench/targets/idle-tree.ts (a timer doing a little work every 10 ms) and bench/targets/stuck-loop.ts (a \`for (;;)\` that never returns). Every dump is checked to have printed every process without an error.`,
          `The tree: one idle-tree parent with ${children} children, dumped one after another (${treeRounds} runs, median). Inspector open: dumpStackThroughInspector() in-process, from SIGUSR1 until /proc shows the port closed again.`,
        ],
      };
    } finally {
      for (const p of [idle, stuck, tree]) p.kill('SIGKILL');
    }
  },
};
