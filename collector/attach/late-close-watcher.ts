// A small process that wspy starts detached when a target did not open its inspector in time after
// SIGUSR1 (blocked in a native call such as execSync('sleep 6')): it watches the target for as long
// as it lives (at most WATCH_MS) and, as soon as a new inspector listens, makes the target close it.
// It holds no recording data and talks to nothing but the target's own inspector.
// Usage: node late-close-watcher.js <pid> <comma-separated inodes the target listened on before | ->
import { isAlive, listeningSockets } from '../proc';
import { closeLateInspector } from './late-close';
import { waitForSocketClosed } from './inspector';

const WATCH_MS = 60 * 60 * 1000;
/** Fast at first (a native call of a few seconds is the common case), slower later. */
const FAST_POLL_MS = 10;
const FAST_FOR_MS = 30_000;
const SLOW_POLL_MS = 20;
const CLOSE_TIMEOUT_MS = 5_000;

async function main(): Promise<void> {
  const pid = Number(process.argv[2]);
  const known = new Set((process.argv[3] ?? '').split(',').filter((x) => /^\d+$/.test(x)).map(Number));
  if (!Number.isInteger(pid) || pid <= 0) return;
  const started = Date.now();
  while (Date.now() - started < WATCH_MS && isAlive(pid)) {
    let fresh;
    try {
      fresh = listeningSockets(pid).find((s) => !known.has(s.inode));
    } catch {
      return; // not allowed to look: nothing this watcher can do
    }
    if (fresh) {
      await closeLateInspector(fresh, CLOSE_TIMEOUT_MS, true).catch(() => undefined);
      await waitForSocketClosed(pid, fresh, CLOSE_TIMEOUT_MS);
      known.add(fresh.inode);
      continue; // a port the program itself opened is left alone from now on; an inspector is closed
    }
    await new Promise((resolve) => setTimeout(resolve, Date.now() - started < FAST_FOR_MS ? FAST_POLL_MS : SLOW_POLL_MS));
  }
}

main().catch(() => undefined);
