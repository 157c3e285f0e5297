// `wspy dump` against real stuck processes: a parent and its forked child, both in synchronous
// loops that never return to their event loops. Both functions are printed, both processes keep
// running (their CPU time keeps growing), and the inspectors wspy opened are closed again. Also the
// in-process path a prepared agent uses: a worker thread dumps its stuck main thread, with no port.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { listeningSockets, readProcStats } from '../../collector/proc';
import { FIXTURES, ROOT, runWspy } from '../helpers/wspy';
import { startTarget, Target } from '../helpers/attach-targets';
import { until } from '../helpers/wait';

const DUMP = path.join(FIXTURES, 'dump');
const targets: Target[] = [];
// A stuck child never notices its parent's death, and it holds the parent's stdout pipe open.
const children: number[] = [];
after(() => {
  targets.forEach((t) => t.kill());
  for (const pid of children) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
});

const cpuSeconds = (pid: number) => readProcStats(pid)?.cpuSeconds ?? -1;
const running = (pid: number) => {
  const stats = readProcStats(pid);
  return stats !== undefined;
};

/** `nodeArgs` reach the child too (fork passes execArgv on). */
async function stuckParentAndChild(nodeArgs: string[] = []): Promise<{ parent: number; child: number; target: Target }> {
  const target = await startTarget([...nodeArgs, path.join(DUMP, 'stuck-parent.js')], { waitFor: /^ready/ });
  targets.push(target);
  const [, parent, child] = target.lines.find((l) => l.startsWith('ready'))!.split(' ').map(Number);
  children.push(child);
  // Both are in their loops once their CPU time grows while the parent's timer (1.1 s) has fired.
  await until(() => readProcStats(child) !== undefined && Date.now() - readProcStats(child)!.startTime > 1200, {
    timeoutMs: 10_000,
    what: 'the child to be older than the minimum descendant age',
  });
  const before = cpuSeconds(parent);
  await until(() => cpuSeconds(parent) > before + 0.05, { timeoutMs: 10_000, what: 'the parent to spin' });
  return { parent, child, target };
}

test('dump -s prints the loops of a stuck parent and its stuck child, both keep running, no port stays open', async () => {
  const { parent, child, target } = await stuckParentAndChild();
  const result = await runWspy(['dump', '-p', String(parent), '-s']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`Process ${parent}: node .*stuck-parent\\.js`));
  assert.match(result.stdout, new RegExp(`Process ${child}: .*stuck-child\\.js`));
  assert.match(result.stdout, /parentSpinsForever \(.*stuck-parent\.js:7\)/);
  assert.match(result.stdout, /childSpinsForever \(.*stuck-child\.js:4\)/);
  // The parent's frames come before the child's header.
  assert.ok(result.stdout.indexOf('parentSpinsForever') < result.stdout.indexOf(`Process ${child}`));

  for (const pid of [parent, child]) {
    assert.ok(running(pid), `process ${pid} still runs`);
    assert.deepEqual(listeningSockets(pid), [], `process ${pid} listens on no port (its inspector was closed)`);
    const before = cpuSeconds(pid);
    await until(() => cpuSeconds(pid) > before + 0.05, { timeoutMs: 10_000, what: `process ${pid} to keep spinning` });
  }
  assert.doesNotMatch(target.stderr(), /Segmentation|Assertion|Error/);
});

test('dump --json gives the frames as data, on a random inspector port, and a second dump of the same processes works too', async () => {
  const { parent, child } = await stuckParentAndChild(['--inspect-port=0']);
  for (let round = 0; round < 2; round++) {
    const result = await runWspy(['dump', '-p', String(parent), '-s', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const dumps = JSON.parse(result.stdout) as Array<{ pid: number; frames: Array<{ name: string; file: string; line: number }> }>;
    assert.deepEqual(dumps.map((d) => d.pid), [parent, child]);
    assert.equal(dumps[0].frames[0].name, 'parentSpinsForever');
    assert.match(dumps[0].frames[0].file, /stuck-parent\.js$/);
    assert.equal(dumps[1].frames[0].name, 'childSpinsForever');
    assert.deepEqual(listeningSockets(parent), []);
    assert.deepEqual(listeningSockets(child), []);
  }
});

test('an idle process dumps as idle; bad input is one line and exit 2', async () => {
  const idle = await startTarget(['--inspect-port=0', '-e', 'setInterval(() => {}, 1000); console.log("ready")'], { waitFor: /^ready/ });
  targets.push(idle);
  const result = await runWspy(['dump', '-p', String(idle.pid)]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\(idle: waiting in the event loop\)/);
  assert.deepEqual(listeningSockets(idle.pid), []);

  for (const args of [['dump'], ['dump', '-p', 'x'], ['dump', '-p', '1', '--queue', 'q']]) {
    const bad = await runWspy(args);
    assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
    assert.match(bad.stderr, /^wspy: error: [^\n]+\n$/);
  }
});

test('a worker thread dumps its stuck main thread in-process (the prepared path), with no port', async () => {
  const module = path.join(ROOT, 'dist', 'agent', 'stack-dump.js');
  const t = await startTarget([path.join(DUMP, 'stuck-with-worker.js'), module], { waitFor: /^ready/ });
  targets.push(t);
  const lines: string[] = [];
  for (let i = 0; i < 2; i++) lines.push(await t.nextLine(/^dump /, 10_000));
  for (const line of lines) {
    const dump = JSON.parse(line.slice('dump '.length)) as { pid: number; frames: Array<{ name: string; file: string }>; error?: string };
    assert.equal(dump.error, undefined);
    assert.equal(dump.pid, t.pid);
    assert.equal(dump.frames[0].name, 'mainThreadSpins');
    assert.match(dump.frames[0].file, /stuck-with-worker\.js$/);
  }
  assert.deepEqual(listeningSockets(t.pid), []);
  const before = cpuSeconds(t.pid);
  await until(() => cpuSeconds(t.pid) > before + 0.05, {
    timeoutMs: 10_000,
    what: () => `the main thread to keep spinning (CPU ${before} s, now ${cpuSeconds(t.pid)} s; stderr: ${t.stderr()}; exit: ${t.child.exitCode} ${t.child.signalCode})`,
  });
});
