// The agent in real processes, without a collector: everything it has to say goes to the spool
// (its hello at boot, its last chunk and exit at exit), which is what these tests read.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import type { AgentMessage, ExitMessage, HelloMessage, SpawnMessage } from '../../agent/protocol';
import {
  agentEnv,
  chunksOf,
  fixtures,
  readSpool,
  removeDir,
  runNode,
  samplesIn,
  spoolOnlyConfig,
  stacksOf,
} from '../helpers/agent-support';
import { tempDir } from '../helpers/wspy';

const tree = path.join(fixtures, 'agent-tree');
// Spool directories come from spoolOnlyConfig, through tempDir(): they go when this file ends.

const hello = (ms: AgentMessage[] = []) => ms.find((m): m is HelloMessage => m.t === 'hello');
const exitOf = (ms: AgentMessage[] = [], pid: number) => ms.find((m): m is ExitMessage => m.t === 'exit' && m.of === pid);
const spawns = (ms: AgentMessage[] = []) => ms.filter((m): m is SpawnMessage => m.t === 'spawn');
/** Pid of the process whose hello argv mentions `script`, with the given extra argument. */
function pidRunning(spool: Map<number, AgentMessage[]>, script: string): number[] {
  return [...spool].filter(([, ms]) => hello(ms)?.argv.some((a) => a.endsWith(script))).map(([pid]) => pid);
}

describe('agent, one process', () => {
  test('samples the program from its first line, module loading included, and reports its exit', async () => {
    const c = spoolOnlyConfig();
    const run = await runNode([path.join(tree, 'parent.js'), 'none'], agentEnv(c));
    assert.equal(run.stderr, '');
    const spool = readSpool(c.spool);
    assert.deepEqual([...spool.keys()], [run.pid]);
    const ms = spool.get(run.pid)!;
    assert.equal(hello(ms)?.argv[1], path.join(tree, 'parent.js'));
    assert.equal(hello(ms)?.error, undefined);
    assert.ok(samplesIn(ms, 'parentWork', 'agent-tree/parent.js') > 0, 'parentWork sampled');
    // The module's top-level work runs under the CommonJS loader, before the program's own code.
    const loading = stacksOf(chunksOf(ms)).filter(
      (s) =>
        s.frames.some(([name, file]) => name === 'configureAtLoad' && file.endsWith('heavy-module.js')) &&
        s.frames.some(([, file]) => file === 'node:internal/modules/cjs/loader'),
    );
    assert.ok(loading.length > 0, 'module loading sampled');
    const exit = exitOf(ms, run.pid);
    assert.equal(exit?.code, 3);
    // The agent's own boot and exit flush, which no sample can show, are reported in CPU ms.
    assert.ok(typeof exit?.agentCpuMs === 'number' && exit.agentCpuMs > 0, `agentCpuMs ${exit?.agentCpuMs}`);
    // V8's profiler thread is found and read (Linux): its CPU lies within what the process used
    // since sampling started, and the collector keeps it out of the samples' weight.
    const { cpuUs = 0, sampleCpuUs = 0, profilerCpuUs } = exit ?? {};
    assert.ok(typeof profilerCpuUs === 'number' && profilerCpuUs > 0 && profilerCpuUs <= cpuUs - sampleCpuUs, `profilerCpuUs ${profilerCpuUs} of ${cpuUs - sampleCpuUs}`);
    // Nothing samples after the exit flush.
    assert.equal(ms[ms.length - 1].t, 'exit');
  });

  test('never changes what the program prints or its exit code', async () => {
    const c = spoolOnlyConfig();
    const plain = await runNode([path.join(tree, 'parent.js'), 'fork'], { ...process.env, NODE_OPTIONS: '' });
    const profiled = await runNode([path.join(tree, 'parent.js'), 'fork'], agentEnv(c));
    assert.equal(plain.code, 3);
    assert.deepEqual([profiled.code, profiled.stdout, profiled.stderr], [plain.code, plain.stdout, plain.stderr]);
    assert.equal(readSpool(c.spool).size, 2);
  });

  test('a missing binding gives a hello with the error, no samples, and an unharmed program', async () => {
    const empty = tempDir('wspy-no-binding-');
    const c = spoolOnlyConfig({ bindings: empty });
    const run = await runNode([path.join(tree, 'parent.js'), 'none'], agentEnv(c));
    assert.deepEqual([run.code, run.stdout], [3, 'parent none done\n']);
    const ms = readSpool(c.spool).get(run.pid)!;
    assert.match(hello(ms)?.error ?? '', /no profiler binding/);
    assert.equal(chunksOf(ms).length, 0);
    assert.equal(exitOf(ms, run.pid)?.code, 3);
  });

  test('a collector that is gone stops the agent quietly; the program carries on', async () => {
    const c = spoolOnlyConfig({ chunkMs: 50 });
    const run = await runNode([path.join(tree, 'long.js'), '400'], agentEnv(c));
    assert.deepEqual([run.code, run.stdout, run.stderr], [0, 'long done\n', '']);
    const ms = readSpool(c.spool).get(run.pid)!;
    const bye = ms.find((m) => m.t === 'bye');
    assert.ok(bye && bye.t === 'bye' && /collector/.test(bye.reason), 'bye says the collector is gone');
    // The first interval's chunk was kept; after the bye the agent is silent (no exit flush).
    assert.ok(chunksOf(ms).length >= 1);
    assert.equal(ms[ms.length - 1].t, 'bye');
  });

  test('a worker thread reports as a thread of its process, in its own spool file', async () => {
    const c = spoolOnlyConfig();
    const run = await runNode([path.join(tree, 'worker.js')], agentEnv(c));
    assert.deepEqual([run.code, run.stdout], [0, 'worker done\n']);
    const files = fs.readdirSync(c.spool).sort((x, y) => x.length - y.length);
    assert.deepEqual(files.map((f) => f.replace(/-\d+\./, '-T.')), [`${run.pid}.jsonl`, `${run.pid}-T.jsonl`]);
    const spool = readSpool(c.spool);
    const main = spool.get(run.pid)!;
    assert.equal(main.filter((m) => m.t === 'hello').length, 1);
    assert.ok(main.filter((m) => m.t === 'hello' || m.t === 'chunk').every((m) => !('thread' in m)), "the main thread's own messages name no thread");
    assert.ok(samplesIn(main, 'mainThreadWork', 'worker.js') > 0);
    const thread = fs.readFileSync(path.join(c.spool, files[1]), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AgentMessage);
    const id = Number(files[1].slice(files[1].indexOf('-') + 1, -'.jsonl'.length));
    assert.ok(thread.every((m) => m.pid === run.pid && (m as { thread?: number }).thread === id), 'every message names the thread');
    assert.ok(thread.some((m) => m.t === 'hello') && thread.some((m) => m.t === 'exit'));
    assert.ok(main.some((m) => m.t === 'thread' && m.thread === id), 'the main thread reports the thread it started');
    assert.ok(samplesIn(thread, 'burn', 'busy.js') > 0, "the thread's own work");
  });

  test('stop() from inside the process removes every hook', async () => {
    const c = spoolOnlyConfig();
    const run = await runNode([path.join(tree, 'stop.js'), 'launch', 'self'], agentEnv(c));
    assert.equal(run.code, 0, run.stderr);
    const seen = JSON.parse(run.stdout);
    assert.equal(seen.during.spawn, 'wspySpawn');
    assert.equal(seen.during.exitListeners, 1);
    assert.equal(seen.during.load, 'wspyLoad', 'Module._load stays watched while the agent runs (queue libraries loaded later)');
    assert.notEqual(seen.after.spawn, 'wspySpawn');
    assert.notEqual(seen.after.load, 'wspyLoad');
    assert.equal(seen.after.exitListeners, 0);
    assert.equal(seen.after.wspyAgent, false);
    assert.doesNotMatch(seen.after.nodeOptions ?? '', /agent\.js/);
    const spool = readSpool(c.spool);
    assert.equal(spool.has(seen.lateChild), false, 'a child started after stop is not followed');
    const ms = spool.get(run.pid)!;
    assert.ok(samplesIn(ms, 'stopWork', 'stop.js') > 0);
    assert.equal(ms.filter((m) => m.t === 'bye').length, 1);
    assert.equal(exitOf(ms, run.pid), undefined, 'no exit flush after stop');
  });
});

describe('agent, following children', () => {
  async function family(mode: string, follow = true) {
    const c = spoolOnlyConfig({ follow });
    const run = await runNode([path.join(tree, 'parent.js'), mode], agentEnv(c));
    assert.deepEqual([run.code, run.stdout, run.stderr], [3, `parent ${mode} done\n`, '']);
    return { run, spool: readSpool(c.spool) };
  }

  /** The parent reported the child's spawn and its end, and the child sampled childWork. */
  function assertChild(spool: Map<number, AgentMessage[]>, parent: number, work = 'childWork', file = 'child.js'): number {
    const [spawn] = spawns(spool.get(parent));
    assert.ok(spawn, 'spawn reported');
    assert.equal(exitOf(spool.get(parent), spawn.child)?.code, 0);
    const child = spool.get(spawn.child)!;
    assert.equal(hello(child)?.ppid, parent);
    assert.ok(samplesIn(child, work, file) > 0, `${work} sampled in the child`);
    assert.equal(exitOf(child, spawn.child)?.code, 0);
    return spawn.child;
  }

  test('fork()', async () => {
    const { run, spool } = await family('fork');
    assertChild(spool, run.pid);
    assert.equal(spool.size, 2);
  });

  test("spawn('node') with an explicit env that lacks NODE_OPTIONS", async () => {
    const { run, spool } = await family('spawn-env');
    assertChild(spool, run.pid);
  });

  test('exec() through a shell', async () => {
    const { run, spool } = await family('exec');
    const [spawn] = spawns(spool.get(run.pid));
    assert.equal(spawn.argv[0], '/bin/sh');
    assert.equal(exitOf(spool.get(run.pid), spawn.child)?.code, 0);
    const [node] = pidRunning(spool, 'child.js');
    assert.ok(node, 'the node behind the shell was followed');
    assert.ok(samplesIn(spool.get(node)!, 'childWork', 'child.js') > 0);
  });

  test('cluster.fork()', async () => {
    const { run, spool } = await family('cluster');
    assertChild(spool, run.pid, 'clusterWorkerWork', 'parent.js');
  });

  test('a grandchild', async () => {
    const { run, spool } = await family('grandchild');
    const child = assertChild(spool, run.pid);
    const [spawn] = spawns(spool.get(child));
    assert.ok(spawn, 'the child reported its own child');
    const grandchild = spool.get(spawn.child)!;
    assert.equal(hello(grandchild)?.ppid, child);
    assert.ok(samplesIn(grandchild, 'grandchildWork', 'grandchild.js') > 0);
  });

  test('a child that lives only a few ms', async () => {
    const { run, spool } = await family('short');
    const [spawn] = spawns(spool.get(run.pid));
    const child = spool.get(spawn.child)!;
    assert.ok(hello(child));
    assert.equal(exitOf(child, spawn.child)?.code, 0);
  });

  test('follow: false records the root only', async () => {
    const { run, spool } = await family('fork', false);
    assert.deepEqual([...spool.keys()], [run.pid]);
    assert.equal(spawns(spool.get(run.pid)).length, 0);
  });
});

test('an agent whose recording is over (no spool) samples nothing and keeps children out', async () => {
  const c = spoolOnlyConfig();
  removeDir(c.spool);
  const env = { ...agentEnv(c), TEST_WSPY_CONFIG: agentEnv(c).WSPY_AGENT };
  const run = await runNode([path.join(tree, 'stop.js'), 'launch', 'self'], env);
  assert.equal(run.code, 0, run.stderr);
  const seen = JSON.parse(run.stdout);
  assert.notEqual(seen.during.spawn, 'wspySpawn');
  assert.equal(seen.during.exitListeners, 0);
  assert.equal(seen.during.wspyAgent, false);
  assert.equal(fs.existsSync(c.spool), false);
});
