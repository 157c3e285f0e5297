// Times, inside one fresh process, the agent's boot path step by step, in the agent's own order,
// in CPU ms (process.cpuUsage(): the whole process, so V8's profiler thread is included): compiling
// the agent bundle (loaded without WSPY_AGENT, so it only defines itself), loading the native
// binding, one synchronous spool append (hello), the Module._load watch (follow.ts), starting V8's
// profiler (last, as the agent does), then the child's own work, requiring `packages`, and the exit
// path: stopping the profiler, encoding the chunk, the last append. Prints JSON.
// mode: "agent" (all of it), "no-profiler" (the profiler is never started) or "bare" (neither the
// profiler nor the watch): the packages' load time under each mode tells what the profiler and the
// watch add to module loading.
// Usage: node boot-steps.js <agent bundle> <bindings dir> <interval us> <spool file> <mode> [packages]
import * as fs from 'fs';
import * as path from 'path';
import { encodeChunk } from '../../agent/encode';
import { ChildFollower } from '../../agent/follow';
import type { AgentConfig } from '../../agent/protocol';
import { profilerOptions, type ProfileNode } from '../../agent/sampler';

const [bundle, bindings, intervalUs, spoolFile, mode, packages = ''] = process.argv.slice(2);
const steps: Record<string, number> = {};
let last = process.cpuUsage();
function lap(name: string): void {
  const d = process.cpuUsage(last);
  steps[name] = (d.user + d.system) / 1000;
  last = process.cpuUsage();
}

require(bundle);
lap('bundleLoadMs');
const binding = require(path.join(bindings, `dd_pprof.node.abi${process.versions.modules}.node`));
const profiler = new binding.TimeProfiler(profilerOptions(Number(intervalUs)));
lap('bindingLoadMs');
fs.appendFileSync(spoolFile, JSON.stringify({ t: 'hello', pid: process.pid, argv: process.argv, cwd: process.cwd() }) + '\n');
lap('helloAppendMs');
let requires = 0;
if (mode !== 'bare') {
  const config = { follow: true, spool: path.dirname(spoolFile) } as AgentConfig;
  new ChildFollower(config, () => undefined, () => undefined).watchLoads();
}
const Module = require('module') as { _load: (...args: unknown[]) => unknown };
const load = Module._load;
Module._load = function countedLoad(this: unknown, ...args: unknown[]) {
  requires++;
  return load.apply(this, args);
};
lap('loadWatchMs');
if (mode === 'agent') profiler.start();
lap('profilerStartMs');
for (const name of packages.split(',').filter(Boolean)) require(name);
lap('packagesLoadMs');
let root: ProfileNode | undefined;
if (mode === 'agent') {
  root = profiler.stop(false).topDownRoot as ProfileNode;
  profiler.dispose();
}
lap('profilerStopMs');
const chunk = root && encodeChunk(root, { pid: process.pid, seq: 0, start: 0, end: 1 });
lap('encodeMs');
fs.appendFileSync(spoolFile, JSON.stringify(chunk ?? {}) + '\n');
lap('exitAppendMs');
console.log(JSON.stringify({ ...steps, requires }));
