// Attach, step 2: an inspector to talk to. Either the target has one open already, or SIGUSR1
// opens it on the port the target is configured with, and /proc shows the port it really took.
import {
  connectHost,
  configuredInspectorAddress,
  isLoopbackAddress,
  isLoopbackHost,
  listInspectorTargets,
  waitForNewListeningSocket,
} from './inspector';
import { spawn } from 'node:child_process';
import { describeProcess, handlesSigusr1, isAlive, ListeningSocket, portHolders, ProcStatus, readStatus } from '../proc';
import { UserError } from '../model';
import { exitedWhileAttaching, permissionDenied, RESTART_HINT } from './errors';
import type { AttachOptions } from './attach';
import { closeLateInspector, LATE_CLOSE_WATCHER } from './late-close';
import { socketsOf } from './preflight';

/** How long the inspector may take to open after SIGUSR1 before wspy decides it never will. */
const OPEN_WAIT_MS = 3_000;
export const HTTP_TIMEOUT_MS = 1_000;

/** An inspector to inject through: its socket, its DevTools URL, and whether wspy opened it. */
export interface OpenInspector {
  socket: ListeningSocket;
  url: string;
  wspyOpened: boolean;
  /** When SIGUSR1 was sent (or, for an inspector that was open already, when wspy found it). */
  openedAt: number;
  /** When the new port was seen listening. */
  listeningAt: number;
}

/**
 * Finds the target's open inspector or opens one with SIGUSR1. Throws a UserError (TargetGone when
 * the target exits meanwhile) when there is none to be had; the target then runs on as before.
 */
export async function openInspector(pid: number, status: ProcStatus, remaining: () => number, opts: AttachOptions = {}): Promise<OpenInspector> {
  const configured = configuredInspectorAddress(pid);
  const before = socketsOf(pid);
  const alreadyOpen = await findOpenInspector(before.filter((s) => s.port === configured.port));
  const foundAt = Date.now();
  if (alreadyOpen) return { ...alreadyOpen, wspyOpened: false, openedAt: foundAt, listeningAt: foundAt };

  // Signal only when the inspector can open and survive: a process without a SIGUSR1 handler
  // would be killed by it, and a taken port only earns an error line on the target's stderr.
  if (!handlesSigusr1(status)) {
    throw new UserError(
      `process ${describeProcess(pid)} does not handle SIGUSR1, so its inspector cannot be opened from outside ` +
        `(started with --disable-sigusr1, or still starting up): ${RESTART_HINT}`,
    );
  }
  refuseRemoteInspector(pid, opts);
  const heldBy = () => (configured.port === 0 ? [] : portHolders(configured.port, pid).filter((p) => p !== pid));
  const holdersBefore = heldBy();
  if (holdersBefore.length > 0) throw new UserError(portHeldMessage(pid, configured.port, holdersBefore));

  // Node resets its signal handlers while it exits, and then SIGUSR1 kills it: look again at the
  // last moment, because the checks above take tens of milliseconds.
  const now = readStatus(pid);
  if (now === undefined || now.state === 'Z' || !handlesSigusr1(now)) throw exitedWhileAttaching(pid);
  opts.onOpening?.(pid, configured);
  const openedAt = Date.now();
  sendSigusr1(pid);
  const opened = await waitForNewListeningSocket(pid, before, Math.min(OPEN_WAIT_MS, remaining()));
  if ('exited' in opened) throw exitedWhileAttaching(pid);
  if ('timedOut' in opened) {
    const holders = heldBy();
    if (holders.length > 0) throw new UserError(portHeldMessage(pid, configured.port, holders));
    const open = await findOpenInspector(socketsOf(pid));
    if (!open) {
      watchForLateInspector(pid, before);
      throw new UserError(
        `the inspector of process ${pid} did not open within ${OPEN_WAIT_MS} ms after SIGUSR1 ` +
          `(the program may listen for SIGUSR1 itself, or run with an option that disables the inspector): ${RESTART_HINT}`,
      );
    }
    // SIGUSR1 changed nothing because an inspector was open already, on a port wspy did not expect.
    return { ...open, wspyOpened: false, openedAt, listeningAt: openedAt };
  }
  const socket = opened.socket;
  const listeningAt = Date.now();
  if (!opts.allowRemoteInspector && !isLoopbackAddress(socket.address)) {
    // /proc did not tell the truth about the options (the program set them itself): close at once.
    closeInspectorNow(socket);
    throw remoteRefused(pid, `${socket.address}:${socket.port}`);
  }
  const targets = await listInspectorTargets(connectHost(socket.address), socket.port, Math.min(HTTP_TIMEOUT_MS, remaining())).catch(
    (error: Error) => {
      if (!isAlive(pid)) throw exitedWhileAttaching(pid);
      throw new UserError(`process ${pid} listens on port ${socket.port} after SIGUSR1, but not as an inspector: ${error.message}`);
    },
  );
  if (targets.length === 0) throw new UserError(`the inspector of process ${pid} on port ${socket.port} lists no target`);
  return { socket, url: targets[0].webSocketDebuggerUrl, wspyOpened: true, openedAt, listeningAt };
}

/** Throws when the target's inspector would listen on an address other machines reach (and that was not allowed). */
export function refuseRemoteInspector(pid: number, opts: AttachOptions): void {
  if (opts.allowRemoteInspector) return;
  const configured = configuredInspectorAddress(pid);
  if (!isLoopbackHost(configured.host)) throw remoteRefused(pid, `${configured.host}:${configured.port}`);
}

function remoteRefused(pid: number, where: string): UserError {
  return new UserError(
    `the inspector of process ${pid} would listen on ${where}, which other machines can reach: wspy did not attach ` +
      `(start the worker prepared, see wspy agent-path, or pass --allow-remote-inspector if that network is trusted)`,
  );
}

function portHeldMessage(pid: number, port: number, holders: number[]): string {
  return (
    `the inspector port ${port} of process ${pid} is held by process ${describeProcess(holders[0])}: ` +
    `stop that process or free the port, then retry`
  );
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

/**
 * A target whose main thread is blocked outside JavaScript (a long synchronous native call) opens its
 * inspector only when the call returns, maybe long after wspy gave up and exited. A small detached
 * process (late-close-watcher.ts) keeps watching for as long as the target lives and closes such a
 * late inspector as soon as it listens.
 */
function watchForLateInspector(pid: number, before: ListeningSocket[]): void {
  try {
    const child = spawn(process.execPath, [LATE_CLOSE_WATCHER, String(pid), before.map((s) => s.inode).join(',') || '-'], {
      detached: true,
      stdio: 'ignore',
    });
    child.unref();
  } catch {
    // could not start a process (out of pids or memory): nothing more wspy can do from here
  }
}

/** Makes a target close the inspector on `socket` (it opened where it must not), without waiting. */
function closeInspectorNow(socket: ListeningSocket): void {
  void closeLateInspector(socket).catch(() => undefined);
}
