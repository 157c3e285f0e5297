// Attaching wspy's agent to a Node process that is already running, without restarting it:
// check the process from /proc, open its inspector with SIGUSR1, find the port it took, verify over
// the DevTools protocol that the inspector belongs to that very process, load the agent from wspy's
// own installation, and let the target close its inspector before the agent starts sampling.
// docs/ATTACH.md tells the story step by step, with the error cases and measured timings.
import type { AgentConfig } from '../../agent/protocol';
import { UserError } from '../errors';
import {
  CdpSession,
  CLOSE_ONLY_SOURCE,
  configuredInspectorAddress,
  connectHost,
  injectionSource,
  listInspectorTargets,
  waitForNewListeningSocket,
  waitForSocketClosed,
} from './inspector';
import { withAttachLock } from './lock';
import {
  describeProcess,
  descendantPids,
  handlesSigusr1,
  isAlive,
  isNodeProcess,
  listeningSockets,
  ListeningSocket,
  portHolders,
  ProcAccessDenied,
  ProcStatus,
  readStatus,
} from './procfs';

export interface AttachOptions {
  /** Give up after this long, in milliseconds (default 10 000). */
  timeoutMs?: number;
}

export interface AttachResult {
  pid: number;
  /** The inspector port that was used. */
  port: number;
  /** From SIGUSR1 until the target listened on no inspector port again (or until the agent was injected, when the inspector was already open). */
  inspectorOpenMs: number;
  totalMs: number;
  /** True when the target's inspector was open before wspy came (then wspy leaves it open). */
  inspectorWasOpen: boolean;
  /** Milliseconds since SIGUSR1 at which each step ended, to see where the inspector window goes. */
  steps: { listening: number; connected: number; verified: number; injected: number; closed: number };
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** How long the inspector may take to open after SIGUSR1 before wspy decides it never will. */
const OPEN_WAIT_MS = 3_000;
const HTTP_TIMEOUT_MS = 1_000;
const MIN_NODE_MAJOR = 18;
const RESTART_HINT = 'restart it under wspy instead: wspy record -- node ...';

// Targets share the default inspector port, so attaching is one at a time: in this process through
// this queue, and across wspy processes through withAttachLock.
let attachQueue: Promise<unknown> = Promise.resolve();

/**
 * Loads wspy's agent (agentConfig.agent) into the running Node process `pid` and starts it there.
 * Resolves once the agent's start was scheduled and the target's inspector has closed again.
 * Throws UserError, with a one-line message that says what to do, when it cannot; the target is
 * left running as it was.
 */
export function attach(pid: number, agentConfig: AgentConfig, opts: AttachOptions = {}): Promise<AttachResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const run = attachQueue.then(async () => {
    const startedAt = Date.now();
    const locked = await withAttachLock(timeoutMs, () => attachNow(pid, agentConfig, startedAt, timeoutMs));
    if (!locked) throw new UserError(`another wspy kept attaching to processes for ${timeoutMs} ms: retry when it is done`);
    return locked.value;
  });
  attachQueue = run.catch(() => undefined);
  return run;
}

/** The live Node processes below `pid` (children, grandchildren, ...), parents first. */
export function descendants(pid: number): number[] {
  return descendantPids(pid).filter((child) => isAlive(child) && isNodeProcess(child));
}

export type TreeAttachOutcome = { pid: number; result: AttachResult } | { pid: number; error: Error };

/**
 * Attaches to `pid`, then to each of its running Node descendants one after another (py-spy's
 * --subprocesses). The root's failure is thrown; a descendant's failure is reported in its outcome,
 * because children come and go while wspy works through them.
 */
export async function attachWithDescendants(pid: number, agentConfig: AgentConfig, opts: AttachOptions = {}): Promise<TreeAttachOutcome[]> {
  const outcomes: TreeAttachOutcome[] = [{ pid, result: await attach(pid, agentConfig, opts) }];
  for (const child of descendants(pid)) {
    try {
      outcomes.push({ pid: child, result: await attach(child, agentConfig, opts) });
    } catch (error) {
      outcomes.push({ pid: child, error: error as Error });
    }
  }
  return outcomes;
}

function checkTarget(pid: number): ProcStatus {
  if (!Number.isInteger(pid) || pid <= 0) throw new UserError(`${pid} is not a process id: give a positive integer`);
  if (pid === process.pid) throw new UserError(`${pid} is wspy itself: give the pid of the Node process to profile`);
  const status = readStatus(pid);
  if (status === undefined) throw new UserError(`no process with pid ${pid}: check the pid (wspy ps lists Node processes)`);
  if (status.state === 'Z' || status.state === 'X') throw new UserError(`process ${pid} has already exited`);
  const myUid = process.getuid?.() ?? 0;
  if (myUid !== 0 && status.uid !== myUid) {
    throw new UserError(`process ${pid} belongs to user id ${status.uid}: run wspy as that user or with sudo`);
  }
  if (!isNodeProcess(pid)) {
    throw new UserError(`process ${describeProcess(pid)} is not a Node.js process: give the pid of a node process (wspy ps lists them)`);
  }
  return status;
}

function permissionDenied(pid: number): UserError {
  return new UserError(`permission denied on process ${pid}: run wspy as the user that owns it, or with sudo`);
}

function exitedWhileAttaching(pid: number): UserError {
  return new UserError(`process ${pid} exited while wspy was attaching to it`);
}

function portHeldMessage(pid: number, port: number, holders: number[]): string {
  return (
    `the inspector port ${port} of process ${pid} is held by process ${describeProcess(holders[0])}: ` +
    `stop that process or free the port, then retry`
  );
}

/** The target's listening sockets, translating /proc permission problems into a UserError. */
function socketsOf(pid: number): ListeningSocket[] {
  try {
    return listeningSockets(pid);
  } catch (error) {
    if (error instanceof ProcAccessDenied) throw permissionDenied(pid);
    throw error;
  }
}

/** An inspector the target already has open (started with --inspect, or inspector.open()), if any. */
async function findOpenInspector(sockets: ListeningSocket[]): Promise<{ socket: ListeningSocket; url: string } | undefined> {
  for (const socket of sockets) {
    try {
      const targets = await listInspectorTargets(connectHost(socket.address), socket.port, 300);
      if (targets.length > 0) return { socket, url: targets[0].webSocketDebuggerUrl };
    } catch {
      // an ordinary server of the program, not an inspector
    }
  }
  return undefined;
}

function sendSigusr1(pid: number): void {
  try {
    process.kill(pid, 'SIGUSR1');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPERM') throw permissionDenied(pid);
    if (code === 'ESRCH') throw exitedWhileAttaching(pid);
    throw error;
  }
}

async function attachNow(pid: number, agentConfig: AgentConfig, startedAt: number, timeoutMs: number): Promise<AttachResult> {
  const deadline = startedAt + timeoutMs;
  const remaining = () => Math.max(1, deadline - Date.now());
  const status = checkTarget(pid);

  const configured = configuredInspectorAddress(pid);
  const before = socketsOf(pid);
  const alreadyOpen = await findOpenInspector(before.filter((s) => s.port === configured.port));

  let socket: ListeningSocket;
  let url: string;
  let openedAt = Date.now();
  let listeningAt = openedAt;
  if (alreadyOpen) {
    ({ socket, url } = alreadyOpen);
  } else {
    // Signal only when the inspector can open and survive: a process without a SIGUSR1 handler
    // would be killed by it, and a taken port only earns an error line on the target's stderr.
    if (!handlesSigusr1(status)) {
      throw new UserError(
        `process ${describeProcess(pid)} does not handle SIGUSR1, so its inspector cannot be opened from outside ` +
          `(started with --disable-sigusr1, or still starting up): ${RESTART_HINT}`,
      );
    }
    const heldBy = () => (configured.port === 0 ? [] : portHolders(configured.port, pid).filter((p) => p !== pid));
    const holdersBefore = heldBy();
    if (holdersBefore.length > 0) throw new UserError(portHeldMessage(pid, configured.port, holdersBefore));

    openedAt = Date.now();
    sendSigusr1(pid);
    const opened = await waitForNewListeningSocket(pid, before, Math.min(OPEN_WAIT_MS, remaining()));
    if ('exited' in opened) throw exitedWhileAttaching(pid);
    if ('timedOut' in opened) {
      const holders = heldBy();
      if (holders.length > 0) throw new UserError(portHeldMessage(pid, configured.port, holders));
      const open = await findOpenInspector(socketsOf(pid));
      if (!open) {
        throw new UserError(
          `the inspector of process ${pid} did not open within ${OPEN_WAIT_MS} ms after SIGUSR1 ` +
            `(the program may listen for SIGUSR1 itself, or run with an option that disables the inspector): ${RESTART_HINT}`,
        );
      }
      // SIGUSR1 changed nothing because an inspector was open already, on a port wspy did not expect.
      return inject(pid, agentConfig, open.socket, open.url, false, newClock(startedAt, openedAt, openedAt, remaining));
    }
    socket = opened.socket;
    listeningAt = Date.now();
    const targets = await listInspectorTargets(connectHost(socket.address), socket.port, Math.min(HTTP_TIMEOUT_MS, remaining())).catch(
      (error: Error) => {
        if (!isAlive(pid)) throw exitedWhileAttaching(pid);
        throw new UserError(`process ${pid} listens on port ${socket.port} after SIGUSR1, but not as an inspector: ${error.message}`);
      },
    );
    if (targets.length === 0) throw new UserError(`the inspector of process ${pid} on port ${socket.port} lists no target`);
    url = targets[0].webSocketDebuggerUrl;
  }
  return inject(pid, agentConfig, socket, url, !alreadyOpen, newClock(startedAt, openedAt, listeningAt, remaining));
}

interface Clock {
  startedAt: number;
  /** When SIGUSR1 was sent (or, for an inspector that was open already, when wspy found it). */
  openedAt: number;
  remaining: () => number;
  steps: AttachResult['steps'];
}

function newClock(startedAt: number, openedAt: number, listeningAt: number, remaining: () => number): Clock {
  const steps = { listening: listeningAt - openedAt, connected: 0, verified: 0, injected: 0, closed: 0 };
  return { startedAt, openedAt, remaining, steps };
}

function mark(clock: Clock, step: keyof AttachResult['steps']): void {
  clock.steps[step] = Date.now() - clock.openedAt;
}

/**
 * Connects to the inspector at `url`, makes sure it is `pid`'s, loads and starts the agent, and
 * (when wspy opened the inspector) waits until the target has closed it again.
 */
async function inject(
  pid: number,
  agentConfig: AgentConfig,
  socket: ListeningSocket,
  url: string,
  closeInspector: boolean,
  clock: Clock,
): Promise<AttachResult> {
  let session: CdpSession;
  try {
    session = await CdpSession.connect(url, Math.min(HTTP_TIMEOUT_MS, clock.remaining()));
  } catch (error) {
    if (!isAlive(pid)) throw exitedWhileAttaching(pid);
    throw new UserError(`could not connect to the inspector of process ${pid} on port ${socket.port}: ${(error as Error).message}`);
  }
  mark(clock, 'connected');
  // Once wspy has opened the inspector, every way out must make the target close it again.
  const abandon = async (error: UserError): Promise<never> => {
    if (closeInspector) {
      const asked = await session.evaluate(CLOSE_ONLY_SOURCE, Math.min(HTTP_TIMEOUT_MS, clock.remaining()), true).then(() => true, () => false);
      if (asked) await targetHungUp(session, clock.remaining());
    }
    session.close();
    throw error;
  };
  try {
    const identity = (await session.evaluate('[process.pid, process.version]', clock.remaining())) as [number, string];
    const ownPid = readStatus(pid)?.ownPid ?? pid;
    if (identity[0] !== ownPid) {
      // /proc said the port is the target's, so this is a pid namespace wspy does not understand.
      return await abandon(new UserError(`the inspector on port ${socket.port} answered for process ${identity[0]}, not ${pid}: wspy did not attach`));
    }
    const major = Number(/^v(\d+)/.exec(identity[1])?.[1] ?? 0);
    if (major < MIN_NODE_MAJOR) {
      return await abandon(new UserError(`process ${pid} runs Node ${identity[1]}; wspy attaches to Node ${MIN_NODE_MAJOR} and later`));
    }
    mark(clock, 'verified');
    const reportJson = await session.evaluate(injectionSource(agentConfig.agent, agentConfig, closeInspector), clock.remaining(), true);
    const report = JSON.parse(String(reportJson)) as { loaded: boolean; error: string | null };
    if (!report.loaded) {
      // The injected code closes the inspector on its own even when the agent failed to load.
      if (closeInspector) await targetHungUp(session, clock.remaining());
      session.close();
      const firstLine = String(report.error).split('\n')[0]; // require's errors append a multi-line require stack
      throw new UserError(`could not load wspy's agent into process ${pid}: ${firstLine}`);
    }
    mark(clock, 'injected');
  } catch (error) {
    if (error instanceof UserError) throw error;
    session.close();
    if (!isAlive(pid)) throw exitedWhileAttaching(pid);
    throw new UserError(`attaching to process ${pid} failed: ${(error as Error).message}`);
  }

  if (!closeInspector) {
    session.close();
    return result(pid, socket, clock, false);
  }
  if (!(await targetHungUp(session, clock.remaining()))) {
    session.close();
    if (!isAlive(pid)) throw exitedWhileAttaching(pid);
    throw new UserError(
      `process ${pid} did not return to its event loop in time: its inspector stays open and the agent starts when it does`,
    );
  }
  if (!(await waitForSocketClosed(pid, socket, clock.remaining()))) {
    if (!isAlive(pid)) throw exitedWhileAttaching(pid);
    throw new UserError(`process ${pid} still listens on inspector port ${socket.port} after closing it`);
  }
  // A target that ended before the timer fired also closes the connection and the port.
  if (!isAlive(pid)) throw exitedWhileAttaching(pid);
  mark(clock, 'closed');
  return result(pid, socket, clock, true);
}

/**
 * Waits until the target closes the connection, which its inspector.close() does. wspy never hangs
 * up first while the target may be closing: hanging up from this side right after the injection
 * crashed targets with SIGSEGV (about one attach in 30, Node 20).
 */
function targetHungUp(session: CdpSession, timeoutMs: number): Promise<boolean> {
  return Promise.race([
    session.closed.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref()),
  ]);
}

function result(pid: number, socket: ListeningSocket, clock: Clock, wspyOpened: boolean): AttachResult {
  const now = Date.now();
  return {
    pid,
    port: socket.port,
    inspectorOpenMs: now - clock.openedAt,
    totalMs: now - clock.startedAt,
    inspectorWasOpen: !wspyOpened,
    steps: clock.steps,
  };
}
