// What V8's sampling costs a CPU-bound thread per sample, measured inside one process so that the
// machine's drift (other engineers' work, frequency phases) hits every variant alike: short
// segments of the same fixed work (fixed-work.ts) alternate unprofiled and profiled at each rate,
// the profiler created and started outside the timed segment with the agent's own options. Each
// profiled segment is compared with the unprofiled segment of its own round. Then, at the agent's
// default chunk length, what one chunk costs a long-lived process: stop(true) (V8 builds the tree
// and samples on) and the encode. Prints JSON.
// Every segment is preceded by `settle` untimed rounds of the same work, after the profiler's start
// for profiled segments, so that the profiler thread's digest of the start (the code events of the
// heap walk) is not counted as a cost per sample.
// Usage: node sample-cost.js <bindings dir> <rates, comma-separated> <rounds> <work rounds per segment> <chunk ms> <settle rounds>
import * as path from 'path';
import { encodeChunk } from '../../agent/encode';
import { profilerOptions, type ProfileNode } from '../../agent/sampler';
import { oneRound } from './fixed-work';

interface NativeProfiler {
  start(): void;
  stop(restart: boolean): { topDownRoot: ProfileNode };
  dispose(): void;
}

const [bindings, ratesArg, roundsArg, segmentArg, chunkArg, settleArg] = process.argv.slice(2);
const binding = require(path.join(bindings, `dd_pprof.node.abi${process.versions.modules}.node`)) as {
  TimeProfiler: new (o: Record<string, unknown>) => NativeProfiler;
};
const rates = ratesArg.split(',').map(Number);
const rounds = Number(roundsArg);
const segment = Number(segmentArg);
const chunkMs = Number(chunkArg);
const settle = Number(settleArg);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

let sink = 0;
for (let r = 0; r < 20; r++) sink += oneRound(r); // warm the JIT before any timing

const variants: Array<number | 'off'> = ['off', ...rates];
const wall: Record<string, number[]> = {};
const cpu: Record<string, number[]> = {};
for (const v of variants) {
  wall[v] = [];
  cpu[v] = [];
}
for (let round = 0; round < rounds; round++) {
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(round + k) % variants.length];
    const profiler = v === 'off' ? undefined : new binding.TimeProfiler(profilerOptions(Math.round(1e6 / v)));
    profiler?.start();
    for (let r = 0; r < settle; r++) sink += oneRound(r);
    const t0 = performance.now();
    const c0 = cpuMs();
    for (let r = 0; r < segment; r++) sink += oneRound(r);
    cpu[v].push(cpuMs() - c0);
    wall[v].push(performance.now() - t0);
    if (profiler) {
      profiler.stop(false);
      profiler.dispose();
    }
  }
}

// One chunk of a long-lived CPU-bound process at the first rate given (the default).
const profiler = new binding.TimeProfiler(profilerOptions(Math.round(1e6 / rates[0])));
profiler.start();
const restartMs: number[] = [];
const encodeMs: number[] = [];
for (let c = 0; c < 6; c++) {
  const t0 = performance.now();
  while (performance.now() - t0 < chunkMs) sink += oneRound(c);
  const c0 = cpuMs();
  const tree = profiler.stop(true).topDownRoot;
  const c1 = cpuMs();
  encodeChunk(tree, { pid: process.pid, seq: c, start: 0, end: 1 });
  restartMs.push(c1 - c0);
  encodeMs.push(cpuMs() - c1);
}
profiler.stop(false);
profiler.dispose();
if (sink === -1) console.log(sink);
console.log(JSON.stringify({ wall, cpu, restartMs, encodeMs }));
