// Shared by the known-answer workloads (bench/accuracy.ts): a fork-per-job worker (one child per
// job, a few at a time), a pool (a few kept-alive children that take jobs over IPC), and the
// worker's own CPU figure. Plain JavaScript, run as it is, so that wspy sees ordinary Node programs.
//
// Environment: ACC_JOBS (jobs, default 40), ACC_CONCURRENCY (children at a time, default 4),
// ACC_OUT (file the worker writes {cpuMs, wallMs, jobs} to at the end), FIX=1 (the fixed variant),
// ACC_DIR (where the bench's set-up step put generated code, for fixes that need it).
'use strict';
const { fork } = require('child_process');
const fs = require('fs');

const JOBS = Number(process.env.ACC_JOBS || 40);
const CONCURRENCY = Number(process.env.ACC_CONCURRENCY || 4);
const FIX = process.env.FIX === '1';

/** One child per job, `concurrency` at a time; args(i) gives job i's argv. */
function forkPerJob(child, args = (i) => [String(i)], jobs = JOBS, concurrency = CONCURRENCY) {
  return new Promise((resolve, reject) => {
    let next = 0;
    let running = 0;
    let done = 0;
    const start = () => {
      while (running < concurrency && next < jobs) {
        const i = next++;
        running++;
        const c = fork(child, args(i), { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
        c.on('error', reject);
        c.on('exit', (code) => {
          if (code !== 0) return reject(new Error(`job ${i} exited with ${code}`));
          running--;
          done++;
          if (done === jobs) resolve();
          else start();
        });
      }
    };
    if (jobs === 0) resolve();
    else start();
  });
}

/** `size` kept-alive children take the jobs one message at a time; each child exits when the queue is empty. */
function pool(child, jobs = JOBS, size = CONCURRENCY) {
  return new Promise((resolve, reject) => {
    let next = 0;
    let exited = 0;
    for (let k = 0; k < size; k++) {
      const c = fork(child, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      const hand = () => {
        if (next < jobs) c.send({ job: next++ });
        else c.send({ stop: true });
      };
      c.on('message', (m) => {
        if (m && m.ready) hand();
        else if (m && m.done !== undefined) hand();
      });
      c.on('error', reject);
      c.on('exit', (code) => {
        if (code !== 0) return reject(new Error(`pool child exited with ${code}`));
        if (++exited === size) resolve();
      });
    }
  });
}

/** The child side of pool(): set-up once, then handle(job) for every job message. */
function serve(handle) {
  process.on('message', async (m) => {
    if (m && m.stop) return process.disconnect();
    await handle(m.job);
    process.send({ done: m.job });
  });
  process.send({ ready: true });
}

/**
 * CPU ms of this process and all its waited-for children: process.cpuUsage() for itself (µs) and
 * cutime + cstime from /proc/self/stat for the children (the kernel sums them exactly and reports
 * clock ticks of 10 ms, so the sum over 40 children is rounded once, not 40 times).
 */
function treeCpuMs() {
  const self = process.cpuUsage();
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); cutime and cstime are fields 16 and 17.
  const childTicks = Number(fields[13]) + Number(fields[14]);
  return (self.user + self.system) / 1000 + childTicks * 10;
}

/** Runs the worker's jobs and writes its figures to ACC_OUT. */
function main(run) {
  const t0 = process.hrtime.bigint();
  run().then(
    () => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const figures = { cpuMs: treeCpuMs(), wallMs, jobs: JOBS, fix: FIX };
      if (process.env.ACC_OUT) fs.writeFileSync(process.env.ACC_OUT, JSON.stringify(figures));
      else console.log(JSON.stringify(figures));
    },
    (err) => {
      console.error(`worker failed: ${err.message}`);
      process.exitCode = 1;
    },
  );
}

module.exports = { JOBS, CONCURRENCY, FIX, forkPerJob, pool, serve, main, treeCpuMs };
