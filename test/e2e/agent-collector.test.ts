// The agent against the real collector: streaming over ws once a process lives long enough, the
// collector's stop command, attach mode, and a child killed with SIGKILL.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { startCollector, type Collector } from '../../collector/ingest';
import type { ProcessRecord, Recording } from '../../collector/model';
import { fixtures, runNode } from '../helpers/agent-support';
import { until } from '../helpers/wait';

const tree = path.join(fixtures, 'agent-tree');

/** Samples of process `p` whose stack holds function `name`. */
function samplesIn(r: Recording, p: ProcessRecord, name: string): number {
  let total = 0;
  for (let i = 0; i < p.samples.stack.length; i++) {
    for (let s = p.samples.stack[i]; s !== -1; s = r.stacks.parent[s]) {
      if (r.strings[r.frames.name[r.stacks.frame[s]]] === name) {
        total += p.samples.count[i];
        break;
      }
    }
  }
  return total;
}

async function withCollector<T>(chunkMs: number, fn: (c: Collector) => Promise<T>): Promise<{ result: T; recording: Recording }> {
  const collector = await startCollector({ intervalUs: 1000, follow: true, chunkMs, idle: true });
  try {
    const result = await fn(collector);
    return { result, recording: await collector.finish() };
  } catch (e) {
    await collector.finish();
    throw e;
  }
}

describe('agent with the collector', () => {
  test('a long-lived process streams chunks over ws while it runs', async () => {
    const { result: run, recording } = await withCollector(100, async (c) => {
      const pending = runNode([path.join(tree, 'long.js'), '800'], c.agentEnv());
      await until(() => c.stats().connected === 1, { timeoutMs: 10_000, what: 'the agent to connect' });
      // Chunks arrive while the process still runs, before anything is read from an exit flush.
      await until(() => c.stats().samples > 0, { timeoutMs: 10_000, what: 'streamed samples' });
      return pending;
    });
    assert.deepEqual([run.code, run.stdout], [0, 'long done\n']);
    const p = recording.processes.find((x) => x.pid === run.pid)!;
    assert.ok(p.sampled);
    assert.equal(p.exitCode, 0);
    assert.ok(samplesIn(recording, p, 'longWork') > 0);
    // What the agent spent where V8 could not sample it (boot, exit flush) is kept apart, not sampled.
    assert.ok((p.cpu?.agentMs ?? 0) > 0, `the agent's own CPU is measured: ${JSON.stringify(p.cpu)}`);
    assert.ok(samplesIn(recording, p, '(wspy agent)') === 0, 'and counted in no sample');
  });

  test("the collector's stop makes the agent send a bye and unhook; the program carries on", async () => {
    const { result, recording } = await withCollector(100, async (c) => {
      const child = spawn(process.execPath, [path.join(tree, 'stop.js'), 'launch', 'external'], {
        env: c.agentEnv(),
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const closed = new Promise<number | null>((r) => child.on('close', r));
      await until(() => out.startsWith('ready\n'), { timeoutMs: 10_000, what: 'ready' });
      await until(() => c.stats().connected >= 1, { timeoutMs: 10_000, what: 'the agent to connect' });
      await c.stopAgents(5000);
      const code = await closed;
      return { code, out, pid: child.pid! };
    });
    assert.equal(result.code, 0);
    const seen = JSON.parse(result.out.split('\n')[1]);
    assert.equal(seen.during.spawn, 'wspySpawn');
    assert.notEqual(seen.after.spawn, 'wspySpawn');
    assert.equal(seen.after.exitListeners, 0);
    assert.equal(seen.after.wspyAgent, false);
    const p = recording.processes.find((x) => x.pid === result.pid)!;
    assert.ok(samplesIn(recording, p, 'stopWork') > 0);
    assert.equal(
      recording.processes.some((x) => x.pid === seen.lateChild && x.sampled),
      false,
      'a child started after the stop is not profiled',
    );
  });

  test('attach mode: start() in a running process follows its children, stop() restores its env', async () => {
    const { result, recording } = await withCollector(100, async (c) => {
      const env: NodeJS.ProcessEnv = { ...process.env, TEST_WSPY_CONFIG: JSON.stringify(c.agentConfig) };
      delete env.NODE_OPTIONS;
      return runNode([path.join(tree, 'stop.js'), 'attach', 'self'], env);
    });
    assert.equal(result.code, 0, result.stderr);
    const seen = JSON.parse(result.stdout);
    assert.match(seen.during.nodeOptions, /--require ".*agent\.js"/);
    assert.equal(seen.during.wspyAgent, true);
    assert.notEqual(seen.after.spawn, 'wspySpawn');
    assert.deepEqual([seen.after.exitListeners, seen.after.nodeOptions, seen.after.wspyAgent], [0, null, false]);
    const root = recording.processes.find((x) => x.pid === result.pid)!;
    assert.ok(samplesIn(recording, root, 'stopWork') > 0);
    // Inherited: the child's agent reported it (its samples depend on the CPU it got, which on a
    // saturated machine can be none for a short child).
    const child = recording.processes.find((x) => x.ppid === result.pid && x.sampled);
    assert.ok(child, 'the child inherited the agent');
  });

  test('a child killed with SIGKILL keeps its hello and earlier chunks, and its end is recorded', async () => {
    const { result: run, recording } = await withCollector(100, async (c) =>
      runNode([path.join(tree, 'parent.js'), 'kill', '700'], c.agentEnv()),
    );
    assert.deepEqual([run.code, run.stdout], [3, 'parent kill done\n']);
    const child = recording.processes.find((x) => x.ppid === run.pid)!;
    assert.ok(child, 'the child is in the recording');
    assert.equal(child.signal, 'SIGKILL');
    assert.ok(child.argv.some((a) => a.endsWith('child.js')));
    assert.ok(samplesIn(recording, child, 'childWork') > 0, 'chunks sent before the kill are kept');
  });
});
