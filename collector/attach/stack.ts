// `wspy dump` through the inspector: the current JavaScript stack of a running Node process that has
// no prepared agent. The same first two steps as attaching (preflight, open with SIGUSR1), then,
// instead of injecting the agent: Debugger.pause (which interrupts even a long synchronous loop),
// the call frames of Debugger.paused, Debugger.resume, and the inspector closed again by the target
// itself. The inspector interrupts JavaScript to run protocol messages, so none of this needs the
// target's event loop: a target stuck in `while (true)` is dumped and closed like an idle one.
import { framesFromCallFrames, IDLE_PROBE_SOURCE, StackDump } from '../../agent/stack-dump';
import { isAlive, ListeningSocket, ProcStatus, readStatus } from '../proc';
import { UserError } from '../model';
import { exitedWhileAttaching } from './errors';
import { holdUntilTargetHangsUp, untilExiting } from './inject';
import { CdpSession, waitForSocketClosed } from './inspector';
import { withAttachLock } from './lock';
import { HTTP_TIMEOUT_MS, openInspector } from './open';
import { checkTarget } from './preflight';

export interface InspectorDump extends StackDump {
  /** The inspector port that was used. */
  port: number;
  /** From SIGUSR1 until the port was closed again (or until the dump, when it was open before). */
  inspectorOpenMs: number;
  /** The target had its inspector open before wspy came; wspy left it open. */
  inspectorWasOpen: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** How long the target gets to pause once asked: the inspector interrupts JavaScript at once, native calls only when they return. */
const PAUSE_TIMEOUT_MS = 3_000;

/**
 * Takes the current stack of `pid` through its inspector and leaves it running as before, with its
 * inspector closed again (unless it was open already). Throws UserError (TargetGone when the
 * target is gone) with a one-line message when it cannot. `checked`: what checkTarget said of `pid`,
 * when the caller has asked it already (route.ts); openInspector reads the status again just
 * before it signals.
 */
export async function dumpStackThroughInspector(pid: number, opts: { timeoutMs?: number } = {}, checked?: ProcStatus): Promise<InspectorDump> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const remaining = () => Math.max(1, deadline - Date.now());
  const locked = await withAttachLock(timeoutMs, async () => {
    const status = checked ?? checkTarget(pid);
    const open = await openInspector(pid, status, remaining);
    const dump = await dumpThrough(pid, open.url, open.socket, open.wspyOpened, remaining);
    return { ...dump, port: open.socket.port, inspectorOpenMs: Date.now() - open.openedAt, inspectorWasOpen: !open.wspyOpened };
  });
  if (!locked) throw new UserError(`another wspy kept attaching to processes for ${timeoutMs} ms: retry when it is done`);
  return locked.value;
}

async function dumpThrough(pid: number, url: string, socket: ListeningSocket, wspyOpened: boolean, remaining: () => number): Promise<StackDump> {
  let session: CdpSession;
  try {
    session = await CdpSession.connect(url, Math.min(HTTP_TIMEOUT_MS, remaining()));
  } catch (error) {
    if (!isAlive(pid)) throw exitedWhileAttaching(pid);
    throw new UserError(`could not connect to the inspector of process ${pid} on port ${socket.port}: ${(error as Error).message}`);
  }
  await session.watchForExit(Math.min(HTTP_TIMEOUT_MS, remaining()));
  if (session.isExiting) {
    session.close(); // an exiting target waits for every session to hang up
    throw exitedWhileAttaching(pid);
  }

  const scriptUrls = new Map<string, string>();
  session.onEvent('Debugger.scriptParsed', (params) => {
    const p = params as { scriptId?: unknown; url?: unknown } | undefined;
    if (typeof p?.scriptId === 'string' && typeof p.url === 'string') scriptUrls.set(p.scriptId, p.url);
  });
  const paused = new Promise<unknown>((resolve) => session.onEvent('Debugger.paused', resolve));

  let frames;
  try {
    const expected = readStatus(pid)?.ownPid ?? pid;
    const seen = await untilExiting(session, session.evaluate('process.pid', Math.min(PAUSE_TIMEOUT_MS, remaining())));
    if (seen !== expected) {
      throw new UserError(`the inspector on port ${socket.port} answered for process ${String(seen)}, not ${pid}: wspy did not dump it`);
    }
    await untilExiting(session, session.send('Debugger.enable', {}, Math.min(PAUSE_TIMEOUT_MS, remaining())));
    void session.send('Debugger.pause', {}, PAUSE_TIMEOUT_MS).catch(() => undefined);
    void session.send('Runtime.evaluate', { expression: IDLE_PROBE_SOURCE, silent: true }, PAUSE_TIMEOUT_MS).catch(() => undefined);
    const event = await untilExiting(session, withTimeout(paused, Math.min(PAUSE_TIMEOUT_MS, remaining()), 'Debugger.pause'));
    frames = framesFromCallFrames((event as { callFrames?: unknown } | undefined)?.callFrames, scriptUrls);
    await untilExiting(session, session.send('Debugger.resume', {}, Math.min(PAUSE_TIMEOUT_MS, remaining())));
    await session.send('Debugger.disable', {}, Math.min(PAUSE_TIMEOUT_MS, remaining())).catch(() => undefined);
  } catch (error) {
    if (session.isExiting || !isAlive(pid)) {
      session.close();
      throw exitedWhileAttaching(pid);
    }
    if (wspyOpened) closeFromTarget(session);
    else session.close();
    if (error instanceof UserError) throw error;
    throw new UserError(
      `process ${pid} did not answer its inspector in time (blocked outside JavaScript?): ${(error as Error).message}; ` +
        `it closes its inspector when it is free again`,
    );
  }

  if (!wspyOpened) {
    session.close(); // the user's inspector: left open, as it was
    return { pid, frames };
  }
  closeFromTarget(session);
  const hungUp = await withTimeout(Promise.race([session.closed, session.exiting]), remaining(), 'closing the inspector').then(
    () => true,
    () => false,
  );
  if (!hungUp) {
    throw new UserError(`process ${pid} did not close its inspector on port ${socket.port} in time: it closes it when it is free again`);
  }
  if (!(await waitForSocketClosed(pid, socket, remaining()))) {
    if (!isAlive(pid)) throw exitedWhileAttaching(pid);
    throw new UserError(`process ${pid} still listens on inspector port ${socket.port} after closing it`);
  }
  return { pid, frames };
}

/**
 * Asks the target to close its inspector, from inside its own message dispatch (so it works while
 * the target's event loop is blocked), and holds the connection until the target hangs up: wspy
 * never hangs up first while the target may be closing (DESIGN.md trap 2). The answer never comes,
 * because closing ends this very session.
 */
function closeFromTarget(session: CdpSession): void {
  void session
    .send('Runtime.evaluate', { expression: "require('inspector').close()", includeCommandLineAPI: true, silent: true }, 60_000)
    .catch(() => undefined);
  holdUntilTargetHangsUp(session);
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} got no answer in ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}
