// Attach, step 3: through the inspector, check that it is the target's, load and start the agent,
// and wait until the target has closed the inspector again (DESIGN.md traps 2 and 3). docs/ATTACH.md
// tells why every wait ends as it does.
import type { AgentConfig } from '../../agent/protocol';
import { isAlive, ListeningSocket, readStatus } from '../proc';
import { UserError } from '../model';
import type { AttachResult } from './attach';
import { exitedWhileAttaching } from './errors';
import { CANCEL_START_SOURCE, InjectionReport, injectionSource } from './injected-source';
import { CdpSession, ContextGone, waitForSocketClosed } from './inspector';
import { HTTP_TIMEOUT_MS } from './open';

const MIN_NODE_MAJOR = 18;

export interface Clock {
  startedAt: number;
  /** When SIGUSR1 was sent (or, for an inspector that was open already, when wspy found it). */
  openedAt: number;
  remaining: () => number;
  steps: AttachResult['steps'];
}

export function newClock(startedAt: number, openedAt: number, listeningAt: number, remaining: () => number): Clock {
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
export async function inject(
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
  if (report.refused === 'busy') throw new UserError(`process ${pid} is already being recorded by another wspy: stop that recording first`);
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
export function untilExiting<T>(session: CdpSession, work: Promise<T>): Promise<T> {
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
export function holdUntilTargetHangsUp(session: CdpSession): void {
  session.unref();
  void session.exiting.then(() => session.close());
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
