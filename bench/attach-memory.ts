// Benchmark 7: memory of a process attached many times (issues 3 and 7). One target gets wspy's real
// agent, `cycles` times (attach, record 150 ms at 1000 Hz, stop, finish, as `wspy record -p` does);
// a second, identical target gets an agent that does nothing, interleaved cycle by cycle, as the
// baseline. Each reports its RSS and heap after a full GC after every cycle.
// test/perf/attach-cycles.test.ts runs the same measurement and holds its bounds.
//
// Two things make a raw RSS curve misleading, and the measurement removes both:
// - V8 sizes its young generation to the allocation rate: new space doubles up to a fixed cap after
//   enough bytes survive scavenges, in any program that allocates. The agent allocates while it
//   samples, so an idle target would "grow" by 16 MB and then stop. The targets run with the young
//   generation pinned at its cap, so that growth is not counted.
// - Node's inspector itself (SIGUSR1, a DevTools session, an evaluation, closing) leaves a little
//   behind on every attach, even with an agent that does nothing: that is the baseline.
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { attach } from '../collector/attach';
import { listeningSockets } from '../collector/proc';
import { startCollector } from '../collector/ingest';
import { target, tempDir } from './proc';
import { Benchmark } from './result';
import { median, round } from './stats';

const WARM_UP = 5; // the first attaches load ws, the agent and the binding: not growth
const WINDOW = 10;
const MB = 1024 * 1024;
const PINNED_YOUNG_GENERATION = ['--min-semi-space-size=16', '--max-semi-space-size=16'];

export interface Memory {
  rss: number;
  heapUsed: number;
}

export interface CycleTarget {
  child: ChildProcess;
  pid: number;
  stderr: () => string;
  /** Resolves with the next stdout line that matches. */
  nextLine: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
  memory: Memory[];
}

export interface AttachCycles {
  profiled: CycleTarget;
  baseline: CycleTarget;
  /** Cycles where the profiled process was not recorded or a target listened on a port afterwards. */
  problems: string[];
}

/** The smallest number of cycles that growth() can compare. */
export const MIN_CYCLES = WARM_UP + 2 * WINDOW;

/**
 * Runs the cycles on two fresh targets and returns them still running (the caller kills them:
 * killTargets) so that their health can be checked.
 */
export async function runAttachCycles(cycles: number): Promise<AttachCycles> {
  if (cycles < MIN_CYCLES) throw new Error(`at least ${MIN_CYCLES} cycles are needed to compare memory`);
  const dir = tempDir();
  const profiled = await startMemoryTarget(path.join(dir, 'profiled.json'));
  const baseline = await startMemoryTarget(path.join(dir, 'baseline.json'));
  const problems: string[] = [];
  try {
    for (let cycle = 1; cycle <= cycles; cycle++) {
      const recorded = await recordOnce(profiled.pid);
      if (!recorded.includes(profiled.pid)) problems.push(`cycle ${cycle}: the process was not recorded`);
      await recordOnce(baseline.pid, target('noop-agent'));
      for (const t of [profiled, baseline]) {
        const ports = listeningSockets(t.pid);
        if (ports.length) problems.push(`cycle ${cycle}: process ${t.pid} listens on ${ports.map((p) => p.port).join(', ')}`);
        await readMemory(t, path.join(dir, t === profiled ? 'profiled.json' : 'baseline.json'));
      }
    }
    return { profiled, baseline, problems };
  } catch (error) {
    killTargets({ profiled, baseline });
    throw error;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function killTargets(run: Pick<AttachCycles, 'profiled' | 'baseline'>): void {
  run.profiled.child.kill('SIGKILL');
  run.baseline.child.kill('SIGKILL');
}

/** MB from the median of the first window after warm-up to the median of the last window. */
export function growth(memory: Memory[], field: keyof Memory): number {
  const first = memory.slice(WARM_UP, WARM_UP + WINDOW).map((m) => m[field]);
  const last = memory.slice(-WINDOW).map((m) => m[field]);
  return (median(last) - median(first)) / MB;
}

/** One wspy recording of `pid`, as `record -p` makes it, with the real agent or a stand-in. */
async function recordOnce(pid: number, agent?: string): Promise<number[]> {
  const collector = await startCollector({ intervalUs: 1000, follow: false, chunkMs: 100 });
  try {
    await attach(pid, agent ? { ...collector.agentConfig, agent } : collector.agentConfig);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await collector.stopAgents(3000);
  } catch (error) {
    await collector.finish(); // an open collector would keep this process alive
    throw error;
  }
  const recording = await collector.finish();
  return recording.processes.map((p) => p.pid);
}

async function readMemory(t: CycleTarget, file: string): Promise<void> {
  const written = t.nextLine(/^memory/);
  process.kill(t.pid, 'SIGUSR2');
  await written;
  t.memory.push(JSON.parse(fs.readFileSync(file, 'utf8')) as Memory);
}

async function startMemoryTarget(memoryFile: string): Promise<CycleTarget> {
  const args = ['--expose-gc', ...PINNED_YOUNG_GENERATION, target('memory-target'), memoryFile];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const i = waiters.findIndex((w) => w.pattern.test(line));
      if (i >= 0) waiters.splice(i, 1)[0].resolve(line);
    }
  });
  const nextLine = (pattern: RegExp, timeoutMs = 5000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`memory target: no line matching ${pattern} in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
      waiters.push({ pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) });
    });
  const t: CycleTarget = { child, pid: child.pid as number, stderr: () => stderr, nextLine, memory: [] };
  try {
    await nextLine(/^ready/);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return t;
}

export const attachMemory: Benchmark = {
  name: 'attach-memory',
  title: 'Memory over many attach/record/stop cycles',
  async run(ctx) {
    const cycles = ctx.quick ? MIN_CYCLES : 100;
    const run = await runAttachCycles(cycles);
    killTargets(run);
    const mb = (x: number) => `${x >= 0 ? '+' : ''}${round(x, 2)} MB`;
    const rss = growth(run.profiled.memory, 'rss');
    const heap = growth(run.profiled.memory, 'heapUsed');
    const baseRss = growth(run.baseline.memory, 'rss');
    const baseHeap = growth(run.baseline.memory, 'heapUsed');
    ctx.log(`RSS MB, profiled: ${run.profiled.memory.map((m) => round(m.rss / MB, 1)).join(' ')}`);
    return {
      figures: [
        { metric: `${cycles} cycles with wspy's agent: RSS / heap growth`, value: `${mb(rss)} / ${mb(heap)}` },
        { metric: `${cycles} cycles with an agent that does nothing (baseline): RSS / heap growth`, value: `${mb(baseRss)} / ${mb(baseHeap)}` },
        { metric: "**wspy's share** (wspy's agent minus baseline): RSS / heap", value: `${mb(rss - baseRss)} / ${mb(heap - baseHeap)}` },
        { metric: 'cycles where the process was not recorded or a port stayed open', value: run.problems.length, target: '0', met: run.problems.length === 0 },
      ],
      notes: [
        `Two identical targets (bench/targets/memory-target.ts, young generation pinned with ${PINNED_YOUNG_GENERATION.join(' ')}), attached in turn: one with wspy's agent (record 150 ms at 1000 Hz, chunks every 100 ms, stop), one with bench/targets/noop-agent.ts. Each reports RSS and heap used after a full GC after every cycle; growth = median of the last ${WINDOW} cycles - median of cycles ${WARM_UP + 1}-${WARM_UP + WINDOW}. Heap is the steady signal; RSS also moves with the allocator by about 2 MB between runs. test/perf/attach-cycles.test.ts holds the bounds.`,
      ],
    };
  },
};
