// A fork-per-job worker: runs `jobs` jobs, each in a freshly forked child that does nothing and
// exits, `concurrency` at a time. Writes to `out` its own wall time (first line to the last child's
// exit) and the CPU time its children used (cutime + cstime of /proc/self/stat: every waited-for child).
// Usage: node fork-worker.js <jobs> <concurrency> <out>
import { fork } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const [jobs, concurrency] = process.argv.slice(2, 4).map(Number);
const out = process.argv[4];
const child = path.join(__dirname, 'noop-child.js');
const t0 = performance.now();
const cpu0 = childrenCpuMs();

/** CPU time of this process's waited-for children, in ms (clock ticks of 10 ms). */
function childrenCpuMs(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of proc(5) (cutime, cstime); after the ')' field 3 is index 0.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

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
  const wallMs = performance.now() - t0;
  const childCpuMs = childrenCpuMs() - cpu0;
  fs.writeFileSync(out, JSON.stringify({ wallMs, childCpuMs }));
}

void main();
