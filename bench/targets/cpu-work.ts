// A CPU-bound worker with a fixed amount of work (JSON, regular expressions, arrays), so that a
// slower run means overhead. Writes to `out` its wall time and its CPU time (every thread, so
// V8's sampling thread too) for the work, not for its start-up.
// Usage: node cpu-work.js <rounds> <out>
import * as fs from 'fs';

const rounds = Number(process.argv[2]);
const out = process.argv[3];

function jsonRoundTrip(i: number): number {
  const doc = { id: i, name: `item-${i}`, tags: ['a', 'b', String(i % 7)], nested: { x: i * 2, y: [i, i + 1, i + 2] } };
  return JSON.parse(JSON.stringify(doc)).nested.y.length;
}

const WORD = /([a-z]+)-(\d+)/g;
function regexScan(i: number): number {
  const text = `alpha-${i} beta-${i + 1} gamma-${i + 2} delta-${i * 3}`;
  let n = 0;
  for (const m of text.matchAll(WORD)) n += m[2].length;
  return n;
}

function arrayWork(i: number): number {
  const xs = Array.from({ length: 64 }, (_, k) => (k * 7919 + i) % 101);
  return xs
    .map((x) => x * 2)
    .filter((x) => x % 3 !== 0)
    .sort((a, b) => a - b)
    .reduce((a, b) => a + b, 0);
}

function oneRound(round: number): number {
  let acc = 0;
  for (let i = 0; i < 1000; i++) acc += jsonRoundTrip(i + round) + regexScan(i) + arrayWork(i);
  return acc;
}

const t0 = performance.now();
const cpu0 = process.cpuUsage();
let sink = 0;
for (let r = 0; r < rounds; r++) sink += oneRound(r);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
if (sink === -1) console.log(sink);
fs.writeFileSync(out, JSON.stringify({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000 }));
