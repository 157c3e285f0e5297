// Forks `perDuration` busy children for each duration (ms), interleaved, `concurrency` at a time.
// Usage: node coverage-parent.js <perDuration> <concurrency> <ms,ms,...>
import { fork } from 'child_process';
import * as path from 'path';

const perDuration = Number(process.argv[2]);
const concurrency = Number(process.argv[3]);
const durations = process.argv[4].split(',').map(Number);
const child = path.join(__dirname, 'busy-child.js');

const queue: number[] = [];
for (let i = 0; i < perDuration; i++) queue.push(...durations);

function runJob(ms: number): Promise<void> {
  return new Promise((resolve) => fork(child, [String(ms)], { stdio: 'ignore' }).on('exit', () => resolve()));
}

async function lane(): Promise<void> {
  for (let ms = queue.shift(); ms !== undefined; ms = queue.shift()) await runJob(ms);
}

void Promise.all(Array.from({ length: concurrency }, lane));
