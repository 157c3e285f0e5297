// wspy's demo: a job worker that forks one child per job (the Node version of the story in
// DESIGN.md). Each child pays a heavy initialisation, configuring its "ORM" models, before a
// light job, so almost all of the children's CPU goes to work that every fork repeats.
//
//   node examples/demo/worker.js [jobs] [concurrency]
'use strict';
const { fork } = require('child_process');
const path = require('path');

const jobs = Number(process.argv[2] || 16);
const concurrency = Number(process.argv[3] || 2);
const queue = Array.from({ length: jobs }, (_, i) => ({ id: i + 1, to: `user${i}@example.com` }));

function runJob(job) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'job.js'), [String(job.id)]);
    child.once('message', (result) => resolve(result));
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`job ${job.id} exited with ${code}`)));
    child.send(job);
  });
}

function pickNextJob() {
  // A little bookkeeping of the worker's own, so that the parent has a stack of its own too.
  let checksum = 0;
  for (let i = 0; i < 2e5; i++) checksum = (checksum + i * 31) % 1000003;
  return queue.shift();
}

async function lane() {
  for (let job = pickNextJob(); job; job = pickNextJob()) await runJob(job);
}

const started = Date.now();
Promise.all(Array.from({ length: concurrency }, lane)).then(
  () => console.log(`demo worker: ${jobs} jobs in ${Date.now() - started} ms`),
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
