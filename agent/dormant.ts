// The dormant agent, bundled into dist/bundles/agent-dormant.js and preloaded in production with
// NODE_OPTIONS="--require <path>" (`wspy agent-path` prints the path). It does nothing at boot but
// arm one unref'd timer, so that a fork-per-job worker's children, which all inherit it, pay almost
// nothing. A process that lives LISTEN_AFTER_MS listens on a Unix socket `<dir>/<pid>.sock` in a
// per-user 0700 directory (agent/dormant-dir.ts). wspy connects there, sends the collector's address
// and token, and the full agent (dist/bundles/agent.js, loaded from this bundle's own directory,
// never from a path given over the socket) starts sampling before the answer goes back. The
// collector's stop (or its disappearance) stops the full agent, which unhooks everything; the
// dormant socket stays, ready for the next recording, and is removed at exit.
//
// Trust is the file system: only the directory's owner and root can connect (connect(2) needs
// search permission on it). No inspector, no TCP port, no signal.
import type * as netTypes from 'net';
import { dormantDirs, dormantSocketPath, isTrustedDir, LISTEN_AFTER_MS, LISTENER_BUNDLE_NAME, LISTENER_THREAD, LISTENER_THREAD_ENV } from './dormant-dir';
import type { ListenerData, ListenerMessage } from './listener-thread';
import type { ActivateReply, AgentConfig } from './protocol';
import { NOT_JSON, readRequestLine } from './request-line';
import { workerThreadId } from './thread';

const DORMANT = Symbol.for('wspy.agent.dormant');
const RUNNING = Symbol.for('wspy.agent.running');
type Global = { [DORMANT]?: boolean; [RUNNING]?: unknown; [LISTENER_THREAD]?: number };

function arm(): void {
  const g = globalThis as Global;
  // --require also runs in worker threads, which share the pid: only the main thread listens.
  if (g[DORMANT] || workerThreadId() !== undefined) return;
  g[DORMANT] = true;
  // Read now: the directory must be the one wspy computes from /proc/<pid>/environ, which is the
  // environment at exec, whatever the program does to process.env later.
  const env = { XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR, TMPDIR: process.env.TMPDIR };
  // WSPY_LISTENER_THREAD=0: the main thread serves the socket itself (about 10 MB of RSS less per
  // process, and no `wspy dump` without the inspector).
  const thread = process.env[LISTENER_THREAD_ENV] !== '0';
  const timer = setTimeout(() => guard(() => listen(env, thread)), LISTEN_AFTER_MS);
  timer.unref();
}

function listen(env: { XDG_RUNTIME_DIR?: string; TMPDIR?: string }, thread: boolean): void {
  const fs = require('fs') as typeof import('fs');
  const uid = process.getuid?.();
  if (uid === undefined) return;
  for (const dir of dormantDirs(env, uid)) {
    if (!ownDirectory(fs, dir, uid)) continue;
    const file = dormantSocketPath(dir, process.pid);
    let exiting = false;
    const removeAtExit = (): void => {
      exiting = true;
      guard(() => fs.unlinkSync(file));
    };
    process.on('exit', removeAtExit);
    // The listener thread serves the socket, so that a main thread stuck in a loop can still be
    // dumped; where no thread can be started, the main thread listens itself (no dump then), but
    // never once the process is exiting (the file would outlive it).
    const fallBack = (): void => {
      if (!exiting) listenHere(file, removeAtExit);
    };
    if (!thread || !startListenerThread(file, fallBack)) fallBack();
    return;
  }
}

/** The socket served by the main thread: activations only. */
function listenHere(file: string, removeAtExit: () => void): void {
  const fs = require('fs') as typeof import('fs');
  const net = require('net') as typeof import('net');
  // A file of this name is a dead process's (pids are unique while alive): replace it.
  guard(() => fs.unlinkSync(file));
  const server = net.createServer((socket) => guard(() => serve(socket)));
  server.on('error', () => {
    process.removeListener('exit', removeAtExit);
    guard(() => server.close());
  });
  server.listen(file, () => guard(() => fs.chmodSync(file, 0o600)));
  server.unref(); // never keeps the program alive
}

/**
 * Starts agent/listener-thread.ts on `file`; false when no thread could be started. `fallBack` runs
 * when the thread could not listen after all. The thread is unref'd (it never keeps the program
 * alive), its errors are swallowed, and its id is left where the full agent finds it, so that a
 * recording does not list it as one of the program's threads.
 */
function startListenerThread(file: string, fallBack: () => void): boolean {
  try {
    const threads = require('worker_threads') as typeof import('worker_threads');
    const path = require('path') as typeof import('path');
    const data: ListenerData = { file };
    const worker = new threads.Worker(path.join(__dirname, LISTENER_BUNDLE_NAME), {
      workerData: data,
      // None of the program's preloads (an APM, a compiler hook) nor its environment: the thread
      // runs wspy's code only.
      execArgv: [],
      env: {},
      stdout: true,
      stderr: true,
    });
    (globalThis as Global)[LISTENER_THREAD] = worker.threadId;
    let listening = false;
    worker.on('error', () => undefined);
    worker.on('exit', () => guard(() => !listening && fallBack()));
    worker.on('message', (m: ListenerMessage) =>
      guard(() => {
        if (m?.t === 'listening') listening = true;
        else if (m?.t === 'failed' && !listening) {
          listening = true; // the fallback runs once, here, not again at the thread's exit
          fallBack();
          void worker.terminate();
        } else if (m?.t === 'request') {
          worker.postMessage({ t: 'answer', id: m.id, line: JSON.stringify(answer(m.request)) } satisfies ListenerMessage);
        }
      }),
    );
    // Last: a 'message' listener refs the thread again, and a ref'd thread keeps the program alive.
    worker.unref();
    return true;
  } catch {
    return false;
  }
}

/** Creates the per-user directory if needed; true only when it is ours, 0700 and not a symlink. */
function ownDirectory(fs: typeof import('fs'), dir: string, uid: number): boolean {
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.chmodSync(dir, 0o700); // the umask may have taken bits away; it never adds any
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return false;
  }
  try {
    return isTrustedDir(fs.lstatSync(dir), uid);
  } catch {
    return false;
  }
}

function serve(socket: netTypes.Socket): void {
  socket.unref();
  readRequestLine(socket, (request) => socket.end(JSON.stringify(answer(request)) + '\n'));
}

/**
 * What a request (parsed once, by readRequestLine) gets. Everything in it is data: paths of code to
 * load are this bundle's own.
 */
function answer(request: unknown): ActivateReply {
  const received = process.hrtime.bigint();
  if (request === NOT_JSON) return { t: 'refused', pid: process.pid, reason: 'not JSON' };
  if (!request || typeof request !== 'object' || (request as { t?: unknown }).t !== 'activate') {
    return { t: 'refused', pid: process.pid, reason: 'unknown request' };
  }
  let config: AgentConfig | undefined;
  try {
    config = ownConfig((request as { config?: unknown }).config);
  } catch (e) {
    return { t: 'refused', pid: process.pid, reason: `cannot find the profiler binding: ${String((e as Error)?.message ?? e).split('\n')[0]}` };
  }
  if (!config) return { t: 'refused', pid: process.pid, reason: 'bad configuration' };
  if ((globalThis as Global)[RUNNING]) return { t: 'busy', pid: process.pid };
  try {
    const agent = require(config.agent) as { start(c: AgentConfig, o: { attached: boolean }): void };
    agent.start(config, { attached: true });
  } catch (e) {
    return { t: 'refused', pid: process.pid, reason: `could not load the agent: ${String((e as Error)?.message ?? e).split('\n')[0]}` };
  }
  const sampling = (globalThis as Global)[RUNNING] !== undefined;
  const ms = Number(process.hrtime.bigint() - received) / 1e6;
  return sampling ? { t: 'activated', pid: process.pid, node: process.version, ms } : { t: 'refused', pid: process.pid, reason: 'the agent did not start' };
}

/** The collector's settings from the request, with the code paths of this installation. */
function ownConfig(given: unknown): AgentConfig | undefined {
  if (!given || typeof given !== 'object') return undefined;
  const c = given as Record<string, unknown>;
  const str = (k: string) => typeof c[k] === 'string' && (c[k] as string).length > 0 && (c[k] as string).length < 4096;
  const num = (k: string) => typeof c[k] === 'number' && Number.isFinite(c[k]) && (c[k] as number) > 0;
  if (!str('socket') || !str('token') || !str('spool') || !num('intervalUs') || !num('chunkMs') || typeof c.follow !== 'boolean') return undefined;
  const path = require('path') as typeof import('path');
  const here = __dirname;
  return {
    socket: c.socket as string,
    token: c.token as string,
    spool: c.spool as string,
    intervalUs: Math.max(100, c.intervalUs as number),
    chunkMs: Math.max(50, c.chunkMs as number),
    follow: c.follow as boolean,
    ...(num('collectorPid') ? { collectorPid: c.collectorPid as number } : {}),
    agent: path.join(here, 'agent.js'),
    stream: path.join(here, 'agent-stream.js'),
    bindings: bindingsDir(path, here),
  };
}

function bindingsDir(path: typeof import('path'), here: string): string {
  const pkg = path.dirname(require.resolve('@datadog/pprof/package.json', { paths: [here] }));
  return path.join(pkg, 'prebuilds', `${process.platform}-${process.arch}`);
}

function guard(fn: () => unknown): void {
  try {
    fn();
  } catch {
    // The agent must never throw into the program it observes.
  }
}

arm();
