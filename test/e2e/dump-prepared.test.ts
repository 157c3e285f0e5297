// `wspy dump` on prepared targets (the dormant agent preloaded with NODE_OPTIONS): the stack comes
// from the dormant agent's listener thread over its Unix socket, with no inspector and no signal,
// also from a main thread stuck in a synchronous loop. Real processes: a prepared parent and its
// forked child, both stuck; the processes keep running, no inspector port is opened at any time,
// no thread or file is added by the dump; the JSON has the inspector path's shape; a tsc-compiled
// fixture is dumped at its .ts line through its source map.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { listeningSockets, readProcStats, readText } from '../../collector/proc';
import { startTarget, Target } from '../helpers/attach-targets';
import { NO_BINARIES_REASON, otherNodeBinaries } from '../helpers/node-majors';
import { preparedEnv, watchInspectorPorts } from '../helpers/prepared';
import { until } from '../helpers/wait';
import { FIXTURES, ROOT, runWspy, tempDir } from '../helpers/wspy';

const DUMP = path.join(FIXTURES, 'dump');
/** A prepared process listens once its event loop has run a second: the loops start after that. */
const LATE_LOOP_MS = '1500';

const targets: Target[] = [];
const strays: number[] = [];
after(() => {
  targets.forEach((t) => t.kill());
  for (const pid of strays) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
});

const cpuSeconds = (pid: number) => readProcStats(pid)?.cpuSeconds ?? -1;
const threads = (pid: number) => fs.readdirSync(`/proc/${pid}/task`).length;
const fdCount = (pid: number) => fs.readdirSync(`/proc/${pid}/fd`).length;

async function keepsSpinning(pid: number): Promise<void> {
  const before = cpuSeconds(pid);
  await until(() => cpuSeconds(pid) > before + 0.05, { timeoutMs: 10_000, what: `process ${pid} to keep spinning` });
}

/** Waits until `pid` holds its dormant socket (it is listening) and then spins in its loop. */
async function listeningThenSpinning(pid: number): Promise<void> {
  await until(() => (readText(`/proc/${pid}/net/unix`) ?? '').includes(`/${pid}.sock`), { timeoutMs: 15_000, what: `process ${pid} to listen on its dormant socket` });
  await until(() => Date.now() - (readProcStats(pid)?.startTime ?? Date.now()) > Number(LATE_LOOP_MS) + 300, { timeoutMs: 15_000, what: `process ${pid} to be in its loop` });
  await keepsSpinning(pid);
}

/** `node`: another Node binary (the child is forked with the same one). */
async function preparedStuckParentAndChild(node?: string): Promise<{ parent: number; child: number; target: Target }> {
  const target = await startTarget([path.join(DUMP, 'stuck-parent.js'), LATE_LOOP_MS], { node, env: preparedEnv(), waitFor: /^ready/ });
  targets.push(target);
  const [, parent, child] = target.lines.find((l) => l.startsWith('ready'))!.split(' ').map(Number);
  strays.push(child); // a stuck child never notices its parent's death
  await listeningThenSpinning(parent);
  await listeningThenSpinning(child);
  return { parent, child, target };
}

test('dump -s of a prepared parent and child, both stuck: both loops named, both keep running, no port, no thread or fd left', async () => {
  const { parent, child, target } = await preparedStuckParentAndChild();
  const before = new Map([parent, child].map((pid) => [pid, { threads: threads(pid), fds: fdCount(pid) }]));
  const ports = watchInspectorPorts(parent, 5);
  const result = await runWspy(['dump', '-p', String(parent), '-s']);
  const seen = ports.stop();
  assert.equal(result.code, 0, result.stderr + result.stdout);
  assert.match(result.stdout, new RegExp(`Process ${parent}: node .*stuck-parent\\.js`));
  assert.match(result.stdout, new RegExp(`Process ${child}: .*stuck-child\\.js`));
  assert.match(result.stdout, /parentSpinsForever \(.*stuck-parent\.js:7\)/);
  assert.match(result.stdout, /childSpinsForever \(.*stuck-child\.js:4\)/);
  assert.deepEqual(seen, [], 'no inspector port was opened at any time');
  for (const pid of [parent, child]) {
    assert.deepEqual(listeningSockets(pid), [], `process ${pid} listens on no TCP port`);
    // The listener thread was there before the dump (it started with the socket); the dump's
    // inspector session and its connection are gone again.
    await until(() => threads(pid) === before.get(pid)!.threads && fdCount(pid) === before.get(pid)!.fds, {
      timeoutMs: 5_000,
      what: () => `process ${pid} to have its threads and fds as before (${JSON.stringify(before.get(pid))}, now ${threads(pid)} / ${fdCount(pid)})`,
    });
    await keepsSpinning(pid);
  }
  assert.doesNotMatch(target.stderr(), /Debugger listening|Segmentation|Assertion|Error/);

  // Again, as JSON: the same shape as the inspector path's (cli/dump.ts ProcessDump), and a second
  // dump of the same stuck processes works as the first did.
  const json = await runWspy(['dump', '-p', String(parent), '-s', '--json']);
  assert.equal(json.code, 0, json.stderr);
  const dumps = JSON.parse(json.stdout) as Array<Record<string, unknown> & { frames: Array<Record<string, unknown>> }>;
  assert.deepEqual(dumps.map((d) => d.pid), [parent, child]);
  for (const d of dumps) {
    assert.deepEqual(Object.keys(d).sort(), ['command', 'frames', 'pid', 'ppid']);
    for (const f of d.frames) assert.deepEqual(Object.keys(f).sort(), ['column', 'file', 'line', 'name']);
  }
  assert.equal(dumps[0].frames[0].name, 'parentSpinsForever');
  assert.equal(dumps[1].frames[0].name, 'childSpinsForever');
  assert.equal(dumps[1].ppid, parent);

  // Two wspy dumps at once: the listener thread takes them one after the other, both get the loop.
  const both = await Promise.all([0, 1].map(() => runWspy(['dump', '-p', String(parent), '--json'])));
  for (const r of both) {
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as Array<{ frames: Array<{ name: string }> }>)[0].frames[0].name, 'parentSpinsForever');
  }
  await keepsSpinning(parent);
});

test('the other Node majors: a prepared stuck parent and child are dumped and keep running', async (t) => {
  const binaries = otherNodeBinaries();
  if (binaries.length === 0) return t.skip(NO_BINARIES_REASON);
  for (const binary of binaries) {
    const { parent, child, target } = await preparedStuckParentAndChild(binary.path);
    const result = await runWspy(['dump', '-p', String(parent), '-s']);
    assert.equal(result.code, 0, `Node ${binary.version}: ${result.stderr}${result.stdout}`);
    assert.match(result.stdout, /parentSpinsForever \(.*stuck-parent\.js:7\)/, `Node ${binary.version}`);
    assert.match(result.stdout, /childSpinsForever \(.*stuck-child\.js:4\)/, `Node ${binary.version}`);
    for (const pid of [parent, child]) {
      assert.deepEqual(listeningSockets(pid), [], `Node ${binary.version}: process ${pid} listens on no TCP port`);
      await keepsSpinning(pid);
    }
    target.kill();
    process.kill(child, 'SIGKILL');
  }
});

test('an idle prepared process dumps as idle, and its unprepared child is reported, not signalled', async () => {
  const script = `
    const { spawn } = require('child_process');
    const env = { ...process.env }; delete env.NODE_OPTIONS;
    const kid = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { env, stdio: 'ignore' });
    setInterval(() => {}, 1000);
    console.log('ready ' + kid.pid);`;
  const t = await startTarget(['-e', script], { env: preparedEnv(), waitFor: /^ready/ });
  targets.push(t);
  const kid = Number(t.lines.find((l) => l.startsWith('ready'))!.split(' ')[1]);
  strays.push(kid);
  await until(() => (readText(`/proc/${t.pid}/net/unix`) ?? '').includes(`/${t.pid}.sock`), { timeoutMs: 15_000, what: 'the target to listen' });
  const ports = watchInspectorPorts(t.pid, 5);
  const result = await runWspy(['dump', '-p', String(t.pid), '-s']);
  assert.deepEqual(ports.stop(), []);
  assert.equal(result.code, 1, 'a process that could not be dumped makes the exit code 1');
  assert.match(result.stdout, new RegExp(`Process ${t.pid}: .*\\n    \\(idle: waiting in the event loop\\)`));
  assert.match(result.stdout, new RegExp(`Process ${kid}: .*\\n    error: process ${kid} is not prepared .*never signals the children of a prepared worker`));
  assert.deepEqual(listeningSockets(kid), []);
});

test('the listener thread never keeps a prepared process alive: dumped, it still ends on its own, and its socket goes with it', async () => {
  const t = await startTarget(['-e', 'setTimeout(() => {}, 3000); console.log("ready")'], { env: preparedEnv(), waitFor: /^ready/ });
  targets.push(t);
  let socketFile = '';
  await until(
    () => {
      const line = (readText(`/proc/${t.pid}/net/unix`) ?? '').split('\n').find((l) => l.endsWith(`/${t.pid}.sock`));
      socketFile = line?.split(' ').pop() ?? '';
      return socketFile !== '';
    },
    { timeoutMs: 15_000, what: 'the target to listen' },
  );
  const result = await runWspy(['dump', '-p', String(t.pid)]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\(idle: waiting in the event loop\)/);
  await until(() => t.child.exitCode !== null, { timeoutMs: 20_000, what: 'the target to end on its own (its timer ran out)' });
  assert.equal(t.child.exitCode, 0, t.stderr());
  assert.equal(fs.existsSync(socketFile), false, `${socketFile} removed at exit`);
});

test('a prepared process started with WSPY_LISTENER_THREAD=0 has no listener thread: dump says so in one line, nothing signalled', async () => {
  const t = await startTarget(['-e', 'setInterval(() => {}, 1000); console.log("ready")'], { env: { ...preparedEnv(), WSPY_LISTENER_THREAD: '0' }, waitFor: /^ready/ });
  targets.push(t);
  await until(() => (readText(`/proc/${t.pid}/net/unix`) ?? '').includes(`/${t.pid}.sock`), { timeoutMs: 15_000, what: 'the target to listen' });
  const threadsBefore = threads(t.pid);
  const ports = watchInspectorPorts(t.pid, 5);
  const result = await runWspy(['dump', '-p', String(t.pid)]);
  assert.deepEqual(ports.stop(), []);
  assert.notEqual(result.code, 0);
  // The root's failure is the command's: one line, no stack trace.
  assert.match(result.stderr, /^wspy: error: the dormant agent of process \d+ has no listener thread [^\n]*WSPY_LISTENER_THREAD=0[^\n]*\n$/);
  assert.equal(threads(t.pid), threadsBefore);
});

// Types vanish in the output, so the loop's line moves in the compiled JavaScript.
const LOOP_TS = `interface Spin {
  x: number;
}
type Step = (s: Spin) => void;
declare function setTimeout(f: () => void, ms: number): unknown;
declare const process: { argv: string[] };

const step: Step = (s) => {
  s.x = (s.x + Math.sqrt(s.x + 1)) % 1e9;
};

export function typedSpinsForever(): void {
  const s: Spin = { x: 0 };
  for (;;) step(s);
}

setTimeout(typedSpinsForever, Number(process.argv[2]));
`;

test('a prepared tsc-compiled process stuck in a loop is dumped at its .ts lines through its source map', async () => {
  const dir = fs.realpathSync(tempDir('wspy-dump-ts-'));
  fs.writeFileSync(path.join(dir, 'loop.ts'), LOOP_TS);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'dump-ts', private: true, type: 'commonjs' }));
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '--target', 'es2019', '--module', 'commonjs', '--strict', '--lib', 'es2019', '--sourceMap', '--outDir', 'dist', 'loop.ts'], { cwd: dir });
  const js = path.join(dir, 'dist', 'loop.js');
  assert.ok(fs.existsSync(js + '.map'));
  const t = await startTarget([js, LATE_LOOP_MS], { env: preparedEnv() });
  targets.push(t);
  await listeningThenSpinning(t.pid);
  const result = await runWspy(['dump', '-p', String(t.pid), '--json']);
  assert.equal(result.code, 0, result.stderr);
  const [dump] = JSON.parse(result.stdout) as Array<{ frames: Array<{ name: string; file: string; line: number }> }>;
  const lineOf = (text: string) => LOOP_TS.slice(0, LOOP_TS.indexOf(text)).split('\n').length;
  const names = dump.frames.map((f) => f.name);
  const spin = dump.frames.find((f) => f.name === 'typedSpinsForever');
  assert.ok(spin, `typedSpinsForever in ${names.join(', ')}`);
  assert.match(spin.file, /loop\.ts$/);
  assert.equal(spin.line, lineOf('for (;;) step(s)'));
  // Paused inside step() or in the loop itself: either way every project frame is at a .ts line.
  const step = dump.frames.find((f) => f.name === 'step');
  if (step) assert.equal(step.line, lineOf('s.x = (s.x'));
  const text = await runWspy(['dump', '-p', String(t.pid)]);
  assert.match(text.stdout, new RegExp(`typedSpinsForever \\(.*loop\\.ts:${lineOf('for (;;) step(s)')}\\)`));
  await keepsSpinning(t.pid);
});
