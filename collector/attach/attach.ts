// Attaching wspy's agent to a Node process that is already running, without restarting it:
// check the process from /proc, open its inspector with SIGUSR1, find the port it took, verify over
// the DevTools protocol that the inspector belongs to that very process, load the agent from wspy's
// own installation, and let the target close its inspector before the agent starts sampling.
// docs/ATTACH.md tells the story step by step, with the error cases and measured timings.
import { AGENT_ENV, type AgentConfig } from '../../agent/protocol';
import { UserError } from '../errors';
import {
  CANCEL_START_SOURCE,
  CdpSession,
  CLOSE_ONLY_SOURCE,
  ContextGone,
  InjectionReport,
  configuredInspectorAddress,
  connectHost,
  injectionSource,
  listInspectorTargets,
  waitForNewListeningSocket,
  waitForSocketClosed,
} from './inspector';
import { withAttachLock } from './lock';
import { readProcStats } from './proc-stats';
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
  readEnviron,
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

export interface TreeAttachOptions extends AttachOptions {
  /**
   * Give up on one descendant after this long, in milliseconds (default 1 500). A healthy attach
   * takes 80–200 ms; a child that takes longer is busy outside its event loop or about to end, and
   * every descendant after it waits.
   */
  descendantTimeoutMs?: number;
}

const DESCENDANT_TIMEOUT_MS = 1_500;

/**
 * Attaches to `pid`, then to each of its running Node descendants one after another (py-spy's
 * --subprocesses). The root's failure is thrown; a descendant's failure is reported in its outcome,
 * because children come and go while wspy works through them. Descendants that the root's agent
 * already follows (started after it, with the agent in their environment) and those that ended
 * before wspy reached them get no outcome: there is nothing to attach.
 */
export async function attachWithDescendants(pid: number, agentConfig: AgentConfig, opts: TreeAttachOptions = {}): Promise<TreeAttachOutcome[]> {
  const outcomes: TreeAttachOutcome[] = [{ pid, result: await attach(pid, agentConfig, opts) }];
  const timeoutMs = opts.descendantTimeoutMs ?? DESCENDANT_TIMEOUT_MS;
  for (const child of descendants(pid)) {
    if (!isAlive(child) || followedByAgent(child, agentConfig) || isYoung(child)) continue;
    try {
      outcomes.push({ pid: child, result: await attach(child, agentConfig, { timeoutMs }) });
    } catch (error) {
      if (error instanceof UserError && !isAlive(child) && /exited while|no process with pid|already exited/.test(error.message)) {
        continue; // a short-lived child that finished its work meanwhile: nothing was missed that the agent could have seen
      }
      outcomes.push({ pid: child, error: error as Error });
    }
  }
  return outcomes;
}

/**
 * Descendants younger than this are not signalled. A child that is about to exit may already have
 * torn down the machinery SIGUSR1 starts the inspector with while /proc still shows the signal as
 * handled, and then Node aborts (seen on Node 20 and 24 in the stress test). Young children are
 * almost always fork-per-job children near their end; pool children are older. Nothing is lost for
 * children the root starts from now on: the root's agent follows them from their first line.
 */
export const MIN_DESCENDANT_AGE_MS = 1000;

function isYoung(pid: number): boolean {
  const stats = readProcStats(pid);
  return stats === undefined || Date.now() - stats.startTime < MIN_DESCENDANT_AGE_MS;
}

/** True when the process was started with the agent of this very recording in its environment (the root's agent followed it). */
function followedByAgent(pid: number, agentConfig: AgentConfig): boolean {
  const inherited = readEnviron(pid).get(AGENT_ENV);
  if (inherited === undefined) return false;
  try {
    const config = JSON.parse(inherited) as Partial<AgentConfig>;
    return config.socket === agentConfig.socket && config.token === agentConfig.token;
  } catch {
    return false;
  }
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

    // Node resets its signal handlers while it exits, and then SIGUSR1 kills it: look again at the
    // last moment, because the checks above take tens of milliseconds.
    const now = readStatus(pid);
    if (now === undefined || now.state === 'Z' || !handlesSigusr1(now)) throw exitedWhileAttaching(pid);
    openedAt = Date.now();
    sendSigusr1(pid);
    const opened = await waitForNewListeningSocket(pid, before, Math.min(OPEN_WAIT_MS, remaining()));
    if ('exited' in opened) throw exitedWhileAttaching(pid);
    if ('timedOut' in opened) {
      const holders = heldBy();
      if (holders.length > 0) throw new UserError(portHeldMessage(pid, configured.port, holders));
      const open = await findOpenInspector(socketsOf(pid));
      if (!open) {
        closeIfItOpensLater(pid, before);
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
 * Connects to the inspector at `url`, loads and starts the agent if the inspector is `pid`'s, and
 * (when wspy opened the inspector) waits until the target has closed it again.
 *
 * Every wait here also ends as soon as the target starts to exit: Node then holds the exiting
 * process ("Waiting for the debugger to disconnect...") until wspy hangs up, so wspy hangs up at
 * once. That is safe, unlike hanging up while the target runs inspector.close() (trap 2), because
 * an exiting target runs no more timers: the injected close never comes.
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
  const letGo = (): never => {
    session.close();
    throw exitedWhileAttaching(pid);
  };
  // Sent and answered before the injection: pipelining the two made the second answer wait 40 ms
  // for a delayed TCP acknowledgement.
  await session.watchForExit(Math.min(HTTP_TIMEOUT_MS, clock.remaining()));
  if (session.isExiting) letGo();
  mark(clock, 'verified');

  let report: InjectionReport;
  try {
    const expect = { pid: readStatus(pid)?.ownPid ?? pid, minMajor: MIN_NODE_MAJOR };
    const source = injectionSource(agentConfig.agent, agentConfig, closeInspector, expect);
    report = JSON.parse(String(await untilExiting(session, session.evaluate(source, clock.remaining(), true)))) as InjectionReport;
  } catch (error) {
    if (session.isExiting || error instanceof ContextGone || !isAlive(pid)) letGo();
    // No answer: the target's main thread is blocked outside JavaScript (the inspector interrupts
    // JavaScript, not native calls). The injection is queued in the target ahead of this hang-up,
    // so when the thread is free it still runs, closes the inspector, and sees the cancel.
    void session.evaluate(CANCEL_START_SOURCE, 1, true).catch(() => undefined);
    session.close();
    throw new UserError(
      `process ${pid} did not answer its inspector within ${Date.now() - clock.startedAt} ms (blocked outside JavaScript?): ` +
        `wspy gave up on it, and it closes its inspector when it is free again`,
    );
  }
  mark(clock, 'injected');

  if (!closeInspector) {
    session.close();
    if (report.refused === null && report.loaded) return result(pid, socket, clock, false);
  } else if (report.refused !== null || !report.loaded) {
    // The injected code closes the inspector on its own, also when it refused or failed.
    const outcome = await targetHungUp(session, clock.remaining());
    if (outcome !== 'closed') giveUp(session, outcome);
  }
  if (report.refused === 'pid') {
    // /proc said the port is the target's, so this is a pid namespace wspy does not understand.
    throw new UserError(`the inspector on port ${socket.port} answered for process ${report.pid}, not ${pid}: wspy did not attach`);
  }
  if (report.refused === 'version') throw new UserError(`process ${pid} runs Node ${report.version}; wspy attaches to Node ${MIN_NODE_MAJOR} and later`);
  if (!report.loaded) {
    const firstLine = String(report.error).split('\n')[0]; // require's errors append a multi-line require stack
    throw new UserError(`could not load wspy's agent into process ${pid}: ${firstLine}`);
  }

  const outcome = await targetHungUp(session, clock.remaining());
  if (outcome === 'exiting') letGo();
  if (outcome === 'timeout') {
    void session.evaluate(CANCEL_START_SOURCE, HTTP_TIMEOUT_MS, true).catch(() => undefined);
    holdUntilTargetHangsUp(session);
    throw new UserError(
      `process ${pid} did not return to its event loop within ${Date.now() - clock.startedAt} ms (a long synchronous task?): ` +
        `wspy gave up on it without starting the agent, and it closes its inspector when the task ends`,
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

/** Resolves or rejects with `work`, or rejects with ContextGone as soon as the target starts exiting. */
function untilExiting<T>(session: CdpSession, work: Promise<T>): Promise<T> {
  return Promise.race([work, session.exiting.then((): never => { throw new ContextGone('the target is exiting'); })]);
}

/** After a refused or failed injection: an exiting target is let go; a busy one is held (see holdUntilTargetHangsUp). */
function giveUp(session: CdpSession, outcome: 'exiting' | 'timeout'): void {
  if (outcome === 'exiting') session.close();
  else holdUntilTargetHangsUp(session);
}

/**
 * Waits until the target closes the connection, which its inspector.close() does, or starts to exit.
 * wspy never hangs up first while the target may be closing: hanging up from this side right after
 * the injection crashed targets with SIGSEGV (about one attach in 30, Node 20).
 */
function targetHungUp(session: CdpSession, timeoutMs: number): Promise<'closed' | 'exiting' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    session.closed.then(() => 'closed' as const),
    session.exiting.then(() => 'exiting' as const),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Keeps the connection of a target that wspy gave up on while it is busy in a synchronous task, in
 * the background, so that its own inspector.close() ends it when the task ends (trap 2: no hang-up
 * from this side that could meet it). If the target starts exiting instead, wspy hangs up at once.
 * The connection does not keep wspy alive: when wspy exits first, the kernel closes it.
 */
function holdUntilTargetHangsUp(session: CdpSession): void {
  session.unref();
  void session.exiting.then(() => session.close());
}

/** How long wspy keeps watching a target whose inspector did not open in time, to close it if it still opens. */
const LATE_OPEN_WATCH_MS = 20_000;

/**
 * A target whose main thread is blocked outside JavaScript (a long synchronous native call) opens its
 * inspector only when the call returns, maybe after wspy gave up. This watches in the background,
 * while wspy runs, and makes the target close such a late inspector again.
 */
function closeIfItOpensLater(pid: number, before: ListeningSocket[]): void {
  void (async () => {
    const opened = await waitForNewListeningSocket(pid, before, LATE_OPEN_WATCH_MS, false);
    if (!('socket' in opened)) return;
    const targets = await listInspectorTargets(connectHost(opened.socket.address), opened.socket.port, HTTP_TIMEOUT_MS);
    if (targets.length === 0) return;
    const session = await CdpSession.connect(targets[0].webSocketDebuggerUrl, HTTP_TIMEOUT_MS);
    session.unref();
    await session.watchForExit(HTTP_TIMEOUT_MS);
    await untilExiting(session, session.evaluate(CLOSE_ONLY_SOURCE, HTTP_TIMEOUT_MS, true)).catch(() => undefined);
    holdUntilTargetHangsUp(session);
  })().catch(() => undefined);
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
