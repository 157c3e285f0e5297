// A CPU-bound worker with a fixed amount of work (JSON, regular expressions, arrays), so that a
// slower run means overhead. Writes to `out` its wall time and its CPU time (every thread, so
// V8's sampling thread too) for the work, not for its start-up.
// The timing starts after WARM_ROUNDS untimed rounds: steady overhead is what a running process
// pays, so neither the profiler thread digesting the start's code events nor V8 compiling the work
// under the profiler (each compiled function is a code event) may count in it; fork-cost measures
// those start-up costs.
// Usage: node cpu-work.js <rounds> <out>
import * as fs from 'fs';
import { oneRound } from './fixed-work';

const rounds = Number(process.argv[2]);
const out = process.argv[3];

const WARM_ROUNDS = 20;

let sink = 0;
for (let r = 0; r < WARM_ROUNDS; r++) sink += oneRound(r);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
for (let r = 0; r < rounds; r++) sink += oneRound(r);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
if (sink === -1) console.log(sink);
fs.writeFileSync(out, JSON.stringify({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000 }));
