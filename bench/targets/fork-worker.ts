// A fork-per-job worker: runs `jobs` jobs, each in a freshly forked child that does nothing and
// exits, `concurrency` at a time. Writes its own wall time (first line to last child's exit) to `out`.
// Usage: node fork-worker.js <jobs> <concurrency> <out>
import { fork } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const [jobs, concurrency] = process.argv.slice(2, 4).map(Number);
const out = process.argv[4];
const child = path.join(__dirname, 'noop-child.js');
const t0 = performance.now();

function runJob(): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = fork(child, [], { stdio: 'ignore' });
    c.on('error', reject);
    c.on('exit', () => resolve());
  });
}

async function main(): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs) {
      next++;
      await runJob();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  fs.writeFileSync(out, String(performance.now() - t0));
}

void main();
