// Closing an inspector that opened when wspy no longer wanted it: a target blocked in a native call
// opens it only when the call returns (maybe after wspy gave up and exited), and a target whose
// inspector opened on an address other machines reach must close it at once. The watcher process
// (late-close-watcher.ts) runs this detached from wspy, so that wspy's exit does not end the watch.
import * as path from 'node:path';
import type { ListeningSocket } from '../proc';
import { CLOSE_ONLY_SOURCE } from './injected-source';
import { untilExiting } from './inject';
import { CdpSession, connectHost, listInspectorTargets } from './inspector';

/** The compiled watcher script, run as `node late-close-watcher.js <pid> <inodes listening before|->`. */
export const LATE_CLOSE_WATCHER = path.join(__dirname, 'late-close-watcher.js');

/**
 * Connects to the inspector on `socket`, makes the target close it on its next event-loop turn, and
 * waits until the target hangs up (never hanging up first: DESIGN.md trap 2), or starts exiting.
 */
export async function closeLateInspector(socket: ListeningSocket, timeoutMs = 1_000, keepAlive = false): Promise<void> {
  const targets = await listInspectorTargets(connectHost(socket.address), socket.port, timeoutMs);
  if (targets.length === 0) return;
  const session = await CdpSession.connect(targets[0].webSocketDebuggerUrl, timeoutMs);
  if (!keepAlive) session.unref();
  await session.watchForExit(timeoutMs);
  await untilExiting(session, session.evaluate(CLOSE_ONLY_SOURCE, timeoutMs, true)).catch(() => undefined);
  void session.exiting.then(() => session.close());
  await session.closed;
}
