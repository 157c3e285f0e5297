// Times, inside one fresh process, the agent's boot path step by step, in the agent's own order,
// in CPU ms (process.cpuUsage(): the whole process, so V8's profiler thread is included): compiling
// the agent bundle (loaded without WSPY_AGENT, so it only defines itself), loading the native
// binding, one synchronous spool append (hello), the Module._load watch (follow.ts), starting V8's
// profiler (last, as the agent does), then the child's own work, requiring `packages`, and the exit
// path: stopping the profiler, encoding the chunk, the last append. Prints JSON: `<step>Ms` is CPU,
// `<step>WallMs` the same step's wall time (a step that waits, such as V8 starting its sampling
// thread, shows there).
// mode: "agent" (all of it), "late-start" (the profiler starts after the packages have loaded, as a
// start deferred past module loading, or a second profiler at another rate, would: its heap walk
// then covers every package), "no-profiler" (the profiler is never started), "timed-watch" (no
// profiler; every require timed with process.cpuUsage() and performance.now(), as exact start-up
// timings instead of samples would be) or "bare" (neither the profiler nor the watch): the packages' load time under each mode tells what the profiler and the
// watch add to module loading.
// Usage: node boot-steps.js <agent bundle> <bindings dir> <interval us> <spool file> <mode> [packages]
import * as path from 'path';
import { encodeChunk } from '../../agent/encode';
import { ChildFollower } from '../../agent/follow';
import type { AgentConfig } from '../../agent/protocol';
import { Spool } from '../../agent/spool';
import { profilerOptions, type ProfileNode } from '../../agent/sampler';

const [bundle, bindings, intervalUs, spoolFile, mode, packages = ''] = process.argv.slice(2);
const steps: Record<string, number> = {};
let last = process.cpuUsage();
let lastWall = performance.now();
function lap(name: string): void {
  const d = process.cpuUsage(last);
  steps[name] = (d.user + d.system) / 1000;
  steps[name.replace(/Ms$/, 'WallMs')] = performance.now() - lastWall;
  last = process.cpuUsage();
  lastWall = performance.now();
}

require(bundle);
lap('bundleLoadMs');
const binding = require(path.join(bindings, `dd_pprof.node.abi${process.versions.modules}.node`));
const profiler = new binding.TimeProfiler(profilerOptions(Number(intervalUs)));
lap('bindingLoadMs');
// The agent's own spool writer (open, fstat, write, close), into <dir of spoolFile>/<pid>.jsonl.
const spool = new Spool(path.dirname(spoolFile), process.pid);
spool.append({ t: 'hello', pid: process.pid, ppid: process.ppid, argv: process.argv, execArgv: process.execArgv, cwd: process.cwd(), node: process.version, start: Date.now() });
lap('helloAppendMs');
let requires = 0;
if (mode !== 'bare') {
  const config = { follow: true, spool: path.dirname(spoolFile) } as AgentConfig;
  new ChildFollower(config, () => undefined, () => undefined).watchLoads();
}
const Module = require('module') as { _load: (...args: unknown[]) => unknown };
const load = Module._load;
/** "timed-watch": CPU and wall of every top-level package require, what exact timings instead of samples would cost. */
const timings: Array<[string, number, number]> = [];
let depth = 0;
Module._load = function countedLoad(this: unknown, ...args: unknown[]) {
  requires++;
  if (mode !== 'timed-watch') return load.apply(this, args);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  depth++;
  try {
    return load.apply(this, args);
  } finally {
    depth--;
    const c = process.cpuUsage(c0);
    if (depth === 0) timings.push([String(args[0]), (c.user + c.system) / 1000, performance.now() - t0]);
  }
};
lap('loadWatchMs');
if (mode === 'agent') profiler.start();
lap('profilerStartMs');
for (const name of packages.split(',').filter(Boolean)) require(name);
lap('packagesLoadMs');
if (mode === 'late-start') {
  profiler.start();
  lap('lateProfilerStartMs');
}
let root: ProfileNode | undefined;
if (mode === 'agent' || mode === 'late-start') {
  root = profiler.stop(false).topDownRoot as ProfileNode;
  profiler.dispose();
}
lap('profilerStopMs');
const chunk = root && encodeChunk(root, { pid: process.pid, seq: 0, start: 0, end: 1 });
lap('encodeMs');
if (chunk) spool.append(chunk);
spool.append({ t: 'exit', pid: process.pid, of: process.pid, code: 0, signal: null, time: Date.now() });
lap('exitAppendMs');
console.log(JSON.stringify({ ...steps, requires, timedTopLevel: timings.length }));
