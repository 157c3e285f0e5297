// A fork-per-job worker: runs `jobs` jobs, each in a freshly forked package-child.ts that loads the
// given packages (none: a trivial child) and exits, `concurrency` at a time. Children are forked
// with this process's execArgv plus `childFlags` (e.g. --cpu-prof). Writes to `out` its own wall
// time (first line to the last child's exit) per child, and the median of the children's own CPU
// (each child's process.cpuUsage() at its exit).
// Usage: node fork-worker.js <jobs> <concurrency> <out> [packages] [childFlags, space-separated]
import { fork } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const [jobs, concurrency] = process.argv.slice(2, 4).map(Number);
const [out, packages = '', childFlags = ''] = process.argv.slice(4);
const child = path.join(__dirname, 'package-child.js');
const cpuFile = `${out}.children.jsonl`;
const execArgv = [...process.execArgv, ...childFlags.split(' ').filter(Boolean)];
const t0 = performance.now();

function runJob(): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = fork(child, [cpuFile, packages], { stdio: 'ignore', execArgv });
    c.on('error', reject);
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child exited with ${code}`))));
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
  const wallMsPerChild = (performance.now() - t0) / jobs;
  const cpus = fs.readFileSync(cpuFile, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { cpuMs: number }).cpuMs);
  cpus.sort((a, b) => a - b);
  fs.rmSync(cpuFile, { force: true });
  fs.writeFileSync(out, JSON.stringify({ wallMsPerChild, childCpuMs: cpus[Math.floor(cpus.length / 2)], children: cpus.length }));
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exitCode = 1;
});
