// `wspy ps` on real processes: a Node parent with two forked children, listed as a tree with their
// figures, in a table and as JSON; and the queues of real workers, when Redis is asked.
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { formatBytes, formatDuration } from '../../cli/ps';
import { ROOT } from '../helpers/wspy';
import { sleep } from '../helpers/wait';
import { PsRow, redisUnavailable, runPs, startRedis, startWorker, stopProcess, TestRedis, uniqueQueue } from '../helpers/queues-support';

const PARENT = `
const { fork } = require('child_process');
if (process.argv[2] === 'child') { setInterval(() => {}, 1000); }
else {
  const kids = [fork(__filename, ['child']), fork(__filename, ['child'])];
  let n = 0;
  for (const k of kids) k.on('spawn', () => { if (++n === 2) console.log('ready ' + kids.map((c) => c.pid).join(' ')); });
  process.on('SIGTERM', () => { for (const k of kids) k.kill(); process.exit(0); });
  setInterval(() => {}, 1000);
}`;

let parent: ChildProcess;
let children: number[] = [];

before(async () => {
  const file = path.join(ROOT, 'dist', 'test', 'ps-tree-parent.js');
  require('node:fs').writeFileSync(file, PARENT);
  parent = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'] });
  children = await new Promise<number[]>((resolve) => {
    let out = '';
    parent.stdout!.on('data', (d) => {
      out += d;
      const m = /ready (\d+) (\d+)/.exec(out);
      if (m) resolve([Number(m[1]), Number(m[2])]);
    });
  });
  // The children must have exec'd node (not still be a copy of the parent) and say so in /proc.
  await sleep(300);
});

after(async () => {
  await stopProcess(parent);
});

test('ps --json lists the parent and, right after it, its two children one level deeper', () => {
  const r = runPs(['--json']);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as PsRow[];
  const i = rows.findIndex((p) => p.pid === parent.pid);
  assert.ok(i >= 0, `parent ${parent.pid} missing`);
  const top = rows[i];
  assert.equal(top.ppid, process.pid);
  assert.ok(top.rssBytes > 10 * 1024 * 1024, `rss ${top.rssBytes}`);
  assert.ok(top.uptimeS >= 0 && top.uptimeS < 120);
  assert.ok(top.cpuPercent >= 0);
  assert.equal(top.agent, false);
  assert.deepEqual(top.queues, []);
  assert.match(top.command, /^node .*ps-tree-parent\.js$/);
  const kids = rows.slice(i + 1, i + 3);
  assert.deepEqual(kids.map((k) => k.pid).sort(), [...children].sort());
  for (const k of kids) {
    assert.equal(k.ppid, parent.pid);
    assert.equal(k.depth, top.depth + 1);
    assert.deepEqual(k.argv.slice(-1), ['child']);
  }
  // runPs runs `node -e <script calling psCommand()>`: that process must not list itself.
  assert.deepEqual(rows.filter((p) => p.argv.some((a) => a.includes('psCommand'))).map((p) => p.pid), [], 'ps lists itself');
});

test('the table indents children under their parent', () => {
  const r = runPs([]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0], /^\s*PID\s+PPID\s+UPTIME\s+CPU%\s+RSS\s+AGENT\s+QUEUES\s+COMMAND$/);
  const parentLine = lines.findIndex((l) => new RegExp(`^\\s*${parent.pid}\\s`).test(l));
  assert.ok(parentLine > 0, r.stdout);
  for (const offset of [1, 2]) {
    assert.match(lines[parentLine + offset], new RegExp(`^\\s*(${children.join('|')})\\s+${parent.pid}\\s.*\\\\_ node .*ps-tree-parent\\.js child$`));
  }
});

test('durations and sizes read like ps', () => {
  assert.equal(formatDuration(5.7), '5s');
  assert.equal(formatDuration(125), '2m05s');
  assert.equal(formatDuration(3 * 3600 + 61), '3h01m');
  assert.equal(formatDuration(2 * 86400 + 7200), '2d02h');
  assert.equal(formatBytes(50 * 1024 * 1024), '50M');
  assert.equal(formatBytes(3.5 * 1024 ** 3), '3.5G');
});

const skip = redisUnavailable();
let redis: TestRedis | undefined;

test('ps --redis shows the queues that real BullMQ and Bull workers consume', { skip }, async () => {
  redis = await startRedis();
  const queue = uniqueQueue('ps-mails');
  const legacy = uniqueQueue('ps-legacy');
  const worker = await startWorker('bullmq-worker.js', [redis.url, queue, '--prefix', 'app:v2', '--also-bull', legacy]);
  try {
    const r = runPs(['--json', '--redis', redis.url]);
    assert.equal(r.code, 0, r.stderr);
    const row = (JSON.parse(r.stdout) as PsRow[]).find((p) => p.pid === worker.pid);
    assert.ok(row, 'worker not listed');
    assert.deepEqual(
      row.queues.sort((a, b) => a.queue.localeCompare(b.queue)),
      [
        { queue: legacy, prefix: 'bull', source: 'redis' },
        { queue, prefix: 'app:v2', source: 'redis' },
      ].sort((a, b) => a.queue.localeCompare(b.queue)),
    );
    const table = runPs(['--redis', redis.url]).stdout;
    assert.match(table, new RegExp(`^\\s*${worker.pid}\\s.*app:v2:${queue}`, 'm'));
  } finally {
    await stopProcess(worker);
    await redis.stop();
  }
});

test('ps --redis with Redis down: one line naming the URL, exit non-zero', () => {
  const r = runPs(['--redis', 'redis://127.0.0.1:1']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr.trim(), /^cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(.*ECONNREFUSED/);
});
