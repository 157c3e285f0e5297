// findQueueWorkers against a real Redis and real worker processes: BullMQ 5 and 6 workers with
// sandboxed processors at concurrency 3 (named and unnamed), two queues whose names are prefixes of
// one another, a custom prefix, a Bull worker, and the errors a user can meet.
import assert from 'node:assert/strict';
import { ChildProcess, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { descendants } from '../../collector/attach';
import { UserError } from '../../collector/model';
import { findQueueWorkers, readClientList } from '../../collector/queues';
import { workerConnectionName } from '../../collector/queues/redis-clients';
import { freePort, redisUnavailable, startRedis, startWorker, stopProcess, TestRedis, uniqueQueue } from '../helpers/queues-support';
import { ROOT } from '../helpers/wspy';

const skip = redisUnavailable();
if (skip) console.log(`# skipping the Redis queue tests: ${skip}`);

let redis: TestRedis;
const workers: ChildProcess[] = [];
// `short` is three bytes long so that its base64 is a prefix of `long`'s: the trap of DESIGN.md 8.
const id = uniqueQueue('q').replace(/[^a-z0-9]/g, '');
const short = id.slice(0, id.length - (id.length % 3));
const long = short + 'bar';
const bullQueue = uniqueQueue('legacy');
const prefixedQueue = uniqueQueue('emails');
let shortWorker: ChildProcess; // BullMQ 5, unnamed, sandboxed, concurrency 3, with jobs in flight
let longWorker: ChildProcess; // BullMQ 6, named
let bullWorker: ChildProcess;
let prefixedWorker: ChildProcess; // BullMQ 5 under --prefix myapp

before(async () => {
  if (skip) return;
  redis = await startRedis();
  [shortWorker, longWorker, bullWorker, prefixedWorker] = await Promise.all([
    startWorker('bullmq-worker.js', [redis.url, short, '--concurrency', '3', '--jobs', '3']),
    startWorker('bullmq-worker.js', [redis.url, long, '--lib', 'bullmq6', '--name', 'mailer-1', '--concurrency', '3']),
    startWorker('bull-worker.js', [redis.url, bullQueue]),
    startWorker('bullmq-worker.js', [redis.url, prefixedQueue, '--prefix', 'myapp', '--name', 'p']),
  ]);
  workers.push(shortWorker, longWorker, bullWorker, prefixedWorker);
});

after(async () => {
  await Promise.all(workers.map(stopProcess));
  await redis?.stop();
});

test('the test exercises the prefix trap', { skip }, () => {
  assert.ok(workerConnectionName(long).startsWith(workerConnectionName(short)));
});

test('a BullMQ 5 queue finds exactly its worker process, whose sandboxed children are its descendants', { skip }, async () => {
  const found = await findQueueWorkers(short, { redisUrl: redis.url });
  assert.deepEqual(found.pids, [shortWorker.pid]);
  assert.deepEqual(found.queuesByPid.get(shortWorker.pid!), [short]);
  assert.equal(found.workers[0].via, 'redis');
  // The three sandboxed children (concurrency 3, three jobs in flight) hold no Redis connection;
  // recording with --subprocesses reaches them as descendants.
  const children = descendants(shortWorker.pid!);
  assert.equal(children.length, 3, `children of ${shortWorker.pid}: ${children.join(', ')}`);
});

test('a BullMQ 6 named worker whose queue name extends another queue name is found alone', { skip }, async () => {
  const found = await findQueueWorkers(long, { redisUrl: redis.url });
  assert.deepEqual(found.pids, [longWorker.pid]);
  assert.equal(found.workers[0].workerName, 'mailer-1');
});

test('a Bull worker is found', { skip }, async () => {
  const found = await findQueueWorkers(bullQueue, { redisUrl: redis.url });
  assert.deepEqual(found.pids, [bullWorker.pid]);
});

test('--prefix selects the queue under that prefix; without it the error says which prefix has it', { skip }, async () => {
  const found = await findQueueWorkers(prefixedQueue, { redisUrl: redis.url, prefix: 'myapp' });
  assert.deepEqual(found.pids, [prefixedWorker.pid]);
  await assert.rejects(findQueueWorkers(prefixedQueue, { redisUrl: redis.url }), (e: Error) => {
    assert.ok(e instanceof UserError);
    assert.match(e.message, new RegExp(`--prefix myapp: "${prefixedQueue}"`));
    return true;
  });
});

test('no worker for the queue: one line that lists the queues that have workers', { skip }, async () => {
  await assert.rejects(findQueueWorkers('nobody-consumes-this', { redisUrl: redis.url }), (e: Error) => {
    assert.ok(e instanceof UserError);
    assert.doesNotMatch(e.message, /\n/);
    assert.match(e.message, /no worker is consuming queue "nobody-consumes-this"/);
    for (const q of [short, long, bullQueue]) assert.ok(e.message.includes(`"${q}"`), e.message);
    return true;
  });
});

test('another database of the same server has no workers', { skip: skip || !!process.env.REDIS_URL }, async () => {
  await assert.rejects(findQueueWorkers(short, { redisUrl: `${redis.url}/5` }), /no BullMQ or Bull worker is connected there at all/);
});

test('Redis unreachable: one line that names the URL', async () => {
  const port = await freePort();
  const url = `redis://:secret@127.0.0.1:${port}/0`;
  await assert.rejects(findQueueWorkers('emails', { redisUrl: url }), (e: Error) => {
    assert.ok(e instanceof UserError);
    assert.match(e.message, new RegExp(`cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}/0 \\(.*ECONNREFUSED`));
    assert.ok(!e.message.includes('secret'));
    assert.doesNotMatch(e.message, /\n/);
    return true;
  });
  await assert.rejects(readClientList('http://localhost'), /not a Redis URL/);
});

// Only root can start a worker as another user; wspy then runs as that other user to look for it.
const asOtherUser = skip || os.userInfo().uid !== 0 ? 'needs root to run processes as another user' : false;

test('workers of another user: one line that says whose they are', { skip: asOtherUser }, async () => {
  const finder = `require(${JSON.stringify(path.join(ROOT, 'dist/collector/queues/find-workers.js'))})
    .findQueueWorkers(process.argv[1], { redisUrl: process.argv[2] })
    .then((r) => console.log('found', r.pids.join(',')), (e) => console.log(e.name + ': ' + e.message));`;
  const r = spawnSync(process.execPath, ['-e', finder, short, redis.url], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: '/' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.trim(), new RegExp(`^UserError: the workers of queue "${short}" run as root \\(uid 0\\), and wspy runs as .*: run wspy as that user or as root$`));
});
