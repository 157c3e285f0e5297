// Attaching to real running Node processes: the stand-in agents (test/fixtures/attach/*-agent.js)
// record from inside the target what they saw, so these tests check that the agent really ran there,
// with the inspector already closed, and that the target lives on, keeps working and listens on nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { attach, attachWithDescendants, AttachResult, descendants, MIN_DESCENDANT_AGE_MS } from '../../collector/attach';
import { listeningSockets } from '../../collector/proc';
import { UserError } from '../../collector/model';
import { NO_BINARIES_REASON, otherNodeBinaries } from '../helpers/node-majors';
import { ROOT } from '../helpers/wspy';
import { sleep } from '../helpers/wait';
import {
  agentConfig,
  alive,
  connectionRefused,
  FIXTURES,
  freePort,
  MARKER_AGENT,
  PPROF_AGENT,
  startTarget,
  Target,
  waitForMarker,
} from '../helpers/attach-targets';

const targets: Target[] = [];
after(() => targets.forEach((t) => t.kill()));

async function target(args: string[], opts: Parameters<typeof startTarget>[1] = {}): Promise<Target> {
  const started = await startTarget(args, { waitFor: /^ready/, ...opts });
  targets.push(started);
  return started;
}

/** Attaches the marker agent and checks everything a successful attach promises. */
async function attachAndCheck(t: Target): Promise<AttachResult> {
  const config = agentConfig(MARKER_AGENT);
  const result = await attach(t.pid, config);
  assert.equal(result.pid, t.pid);
  assert.ok(result.inspectorOpenMs > 0 && result.inspectorOpenMs <= result.totalMs, JSON.stringify(result));
  assert.equal(result.inspectorWasOpen, false);

  const started = await waitForMarker(path.join(config.spool, `started-${t.pid}-1.json`));
  assert.equal(started.pid, t.pid, 'the agent ran in the process asked for');
  assert.equal(started.attached, true);
  assert.equal(started.inspectorUrl, null, 'the inspector was closed before the agent started');
  assert.deepEqual(started.config, config);
  await waitForMarker(path.join(config.spool, `stopped-${t.pid}-1.json`));

  await assertHealthyAndClosed(t, result.port);
  return result;
}

/** The target is alive, keeps ticking and listens on nothing; `port`, when given, is refused too. */
async function assertHealthyAndClosed(t: Target, port?: number): Promise<void> {
  // The target keeps working: two new ticks arrive (nextLine rejects when none comes within 5 s).
  await t.nextLine(/^tick/);
  await t.nextLine(/^tick/);
  assert.ok(alive(t.pid));
  assert.deepEqual(listeningSockets(t.pid), [], 'no listening socket is left in the target');
  if (port !== undefined) assert.ok(await connectionRefused(port), `nothing listens on ${port} any more`);
}

/** Attaches the @datadog/pprof stand-in `cycles` times; each run samples for 100 ms and stops. */
async function profileCycles(t: Target, cycles: number): Promise<void> {
  const config = agentConfig(PPROF_AGENT, 100);
  for (let cycle = 1; cycle <= cycles; cycle++) {
    const result = await attach(t.pid, config);
    const stopped = await waitForMarker(path.join(config.spool, `stopped-${t.pid}-${cycle}.json`));
    assert.equal(stopped.inspectorUrl, null, `cycle ${cycle}: profiler started after the inspector closed`);
    assert.ok(Number(stopped.samples) > 0, `cycle ${cycle}: the profiler sampled`);
    assert.deepEqual(listeningSockets(t.pid), [], `cycle ${cycle}: no port left`);
    assert.ok(alive(t.pid), `cycle ${cycle}: alive`);
    assert.ok(await connectionRefused(result.port));
  }
}

async function attachError(pid: number, config = agentConfig(MARKER_AGENT)): Promise<UserError> {
  const error = await attach(pid, config).then(
    () => assert.fail('attach should have failed'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof UserError, `a UserError, not ${String(error)}`);
  assert.ok(!error.message.includes('\n'), 'one line');
  return error;
}

describe('attach to a running Node process', () => {
  test('a CPU-busy CommonJS target', async () => {
    const t = await target([path.join(FIXTURES, 'busy.js')]);
    const result = await attachAndCheck(t);
    assert.equal(result.port, 9229);
    const slices = (line: string) => Number(/slices (\d+)/.exec(line)?.[1]);
    const first = slices(await t.nextLine(/^tick/));
    const later = slices(await t.nextLine(/^tick/));
    assert.ok(later > first, 'its synchronous work goes on');
  });

  test('an idle target', async () => {
    const t = await target([path.join(FIXTURES, 'idle.js')]);
    await attachAndCheck(t);
  });

  test('an ES module target', async () => {
    const t = await target([path.join(FIXTURES, 'esm.mjs')]);
    await attachAndCheck(t);
  });

  test('a target started with --inspect-port=0 (a random port)', async () => {
    const t = await target(['--inspect-port=0', path.join(FIXTURES, 'idle.js')]);
    const result = await attachAndCheck(t);
    assert.notEqual(result.port, 9229);
  });

  test('a target started with a custom inspector port, in NODE_OPTIONS or on its command line', async () => {
    const port = await freePort();
    const fromEnv = await target([path.join(FIXTURES, 'idle.js')], { env: { ...process.env, NODE_OPTIONS: `--inspect-port=${port}` } });
    assert.equal((await attachAndCheck(fromEnv)).port, port);
    const onCommandLine = await target([`--inspect-port=127.0.0.1:${port}`, path.join(FIXTURES, 'idle.js')]);
    assert.equal((await attachAndCheck(onCommandLine)).port, port);
  });

  test('a target whose inspector was already open keeps it open', async () => {
    const port = await freePort();
    const t = await target([`--inspect=127.0.0.1:${port}`, path.join(FIXTURES, 'idle.js')]);
    const config = agentConfig(MARKER_AGENT);
    const result = await attach(t.pid, config);
    assert.equal(result.inspectorWasOpen, true);
    assert.equal(result.port, port);
    const started = await waitForMarker(path.join(config.spool, `started-${t.pid}-1.json`));
    assert.equal(started.attached, true);
    assert.match(String(started.inspectorUrl), new RegExp(`:${port}/`));
    assert.equal(await connectionRefused(port), false, 'the inspector the user opened is left alone');
  });

  test('20 attach cycles with a real sampling profiler on one busy process', async () => {
    const t = await target([path.join(FIXTURES, 'busy.js')]);
    await profileCycles(t, 20);
    await assertHealthyAndClosed(t, 9229);
    assert.doesNotMatch(t.stderr(), /Error|Segmentation/);
  });

  test('descendants() lists the running Node children, and attachWithDescendants reaches them all', async () => {
    const parent = await target([path.join(FIXTURES, 'parent.js')], { waitFor: /children/ });
    const info = JSON.parse(parent.lines.find((l) => l.includes('children')) as string) as { children: number[]; sleep: number };
    assert.deepEqual(descendants(parent.pid).sort(), [...info.children].sort(), 'Node children only, not sleep');

    // Descendants younger than MIN_DESCENDANT_AGE_MS are left to the root's agent.
    await sleep(MIN_DESCENDANT_AGE_MS + 200);
    const config = agentConfig(MARKER_AGENT);
    const outcomes = await attachWithDescendants(parent.pid, config);
    assert.deepEqual(outcomes.map((o) => o.pid).sort(), [parent.pid, ...info.children].sort());
    for (const outcome of outcomes) {
      assert.ok('result' in outcome, `attached to ${outcome.pid}`);
      const started = await waitForMarker(path.join(config.spool, `started-${outcome.pid}-1.json`));
      assert.equal(started.pid, outcome.pid);
      assert.deepEqual(listeningSockets(outcome.pid), []);
    }
    assert.ok(alive(info.sleep), 'the non-Node child got no signal');
    parent.child.kill('SIGTERM');
  });
});

describe('attach refuses, with a one-line message, and leaves the target unharmed', () => {
  test('a process that does not exist', async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
    const error = await attachError(gone);
    assert.match(error.message, new RegExp(`no process with pid ${gone}`));
  });

  test('a process that is not Node', async () => {
    const sleeper = await startTarget(['30'], { node: 'sleep' });
    targets.push(sleeper);
    await sleep(100);
    const error = await attachError(sleeper.pid);
    assert.match(error.message, /is not a Node\.js process/);
    assert.match(error.message, /sleep 30/);
    assert.ok(alive(sleeper.pid), 'sleep got no SIGUSR1 (it would have died of it)');
  });

  test('the inspector port is held by another process: the message names it', async (t) => {
    const holder = await target([path.join(FIXTURES, 'servers.js'), '127.0.0.1:9229'], { waitFor: /^\[/ });
    if (holder.lines[0] !== '[9229]') return t.skip('port 9229 is in use on this machine');
    const victim = await target([path.join(FIXTURES, 'idle.js')]);
    try {
      const error = await attachError(victim.pid);
      assert.match(error.message, new RegExp(`port 9229 of process ${victim.pid} is held by process ${holder.pid} \\(.*servers\\.js`));
      await assertHealthyAndClosed(victim);
      assert.doesNotMatch(victim.stderr(), /Debugger|inspector/, 'the target was not even signalled');
    } finally {
      holder.kill();
      await new Promise((resolve) => holder.child.once('exit', resolve));
    }
  });

  test('the program took SIGUSR1 for itself, so no inspector opens', async () => {
    const t = await target([path.join(FIXTURES, 'usr1-listener.js')]);
    const error = await attachError(t.pid);
    assert.match(error.message, /did not open within/);
    await assertHealthyAndClosed(t, 9229);
  });

  test('the target exits while wspy attaches', async () => {
    const t = await target([path.join(FIXTURES, 'usr1-listener.js'), 'exit']);
    const error = await attachError(t.pid);
    assert.match(error.message, new RegExp(`process ${t.pid} exited while wspy was attaching`));
  });

  test('the agent cannot be loaded: the target still closes its inspector', async () => {
    const t = await target([path.join(FIXTURES, 'idle.js')]);
    const error = await attachError(t.pid, agentConfig(path.join(FIXTURES, 'no-such-agent.js')));
    assert.match(error.message, new RegExp(`could not load wspy's agent into process ${t.pid}: Cannot find module`));
    await assertHealthyAndClosed(t, 9229);
  });

  test('another user\'s process', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to run the attacher as another user');
    const victim = await target([path.join(FIXTURES, 'idle.js')]);
    const attacher = path.join(FIXTURES, 'attach-as.js');
    const run = spawnSync(process.execPath, [attacher, path.join(ROOT, 'dist'), String(victim.pid)], { uid: 65534, gid: 65534, encoding: 'utf8' });
    if (/EACCES|Cannot find module/.test(run.stderr)) return t.skip(`user nobody cannot run wspy here: ${run.stderr.split('\n')[0]}`);
    assert.match(run.stdout, /^UserError: process \d+ belongs to user id 0: run wspy as that user or with sudo$/m);
    await assertHealthyAndClosed(victim, 9229);
  });
});

describe('attach on other Node majors', () => {
  const binaries = otherNodeBinaries().map((b) => b.path);
  test('a busy target on each binary', async (t) => {
    if (binaries.length === 0) return t.skip(NO_BINARIES_REASON);
    for (const node of binaries) {
      const busy = await target([path.join(FIXTURES, 'busy.js')], { node });
      await attachAndCheck(busy);
      await profileCycles(busy, 3);
      busy.kill();
    }
  });

  test('--disable-sigusr1 (Node 22.14 and later) is refused without signalling', async (t) => {
    const supporting = binaries.filter((node) => {
      const [major, minor] = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.split('.').map(Number);
      return major > 22 || (major === 22 && minor >= 14);
    });
    if (supporting.length === 0) return t.skip('no Node 22.14+ binary among the other majors');
    for (const node of supporting) {
      const t2 = await target(['--disable-sigusr1', path.join(FIXTURES, 'idle.js')], { node });
      const error = await attachError(t2.pid);
      assert.match(error.message, /does not handle SIGUSR1/);
      await assertHealthyAndClosed(t2, 9229);
    }
  });
});
