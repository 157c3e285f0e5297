// Times, inside one fresh process, the steps of the agent's boot path one by one: compiling the
// agent bundle (loaded without WSPY_AGENT, so it only defines itself), loading the native binding,
// starting V8's profiler, one synchronous spool append, and the stop at exit. Prints JSON.
// Usage: node boot-steps.js <agent bundle> <bindings dir> <interval us> <spool file>
import * as fs from 'fs';
import * as path from 'path';
import { profilerOptions } from '../../agent/sampler';

const [bundle, bindings, intervalUs, spoolFile] = process.argv.slice(2);
const steps: Record<string, number> = {};
let t = performance.now();
function lap(name: string): void {
  const now = performance.now();
  steps[name] = now - t;
  t = now;
}

require(bundle);
lap('bundleLoadMs');
const binding = require(path.join(bindings, `dd_pprof.node.abi${process.versions.modules}.node`));
lap('bindingLoadMs');
const profiler = new binding.TimeProfiler(profilerOptions(Number(intervalUs)));
profiler.start();
lap('profilerStartMs');
fs.appendFileSync(spoolFile, JSON.stringify({ t: 'hello', pid: process.pid, argv: process.argv, cwd: process.cwd() }) + '\n');
lap('helloAppendMs');
const root = profiler.stop(false).topDownRoot;
profiler.dispose();
lap('profilerStopMs');
fs.appendFileSync(spoolFile, JSON.stringify({ t: 'chunk', nodes: root.children.length }) + '\n');
lap('exitAppendMs');
console.log(JSON.stringify(steps));
