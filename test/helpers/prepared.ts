// Support for tests of prepared targets (the dormant agent preloaded with NODE_OPTIONS): their
// environment, and a watch over the inspector ports that an attacker would poll.
import { DORMANT_BUNDLE } from '../../collector/ingest';
import { readText, readTcpSockets, socketInodes } from '../../collector/proc';

/** The environment of a prepared process: NODE_OPTIONS preloads the dormant agent, as the README says. */
export function preparedEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, NODE_OPTIONS: `--require "${DORMANT_BUNDLE}"` };
  delete env.WSPY_AGENT;
  return env;
}

/** Inspector ports an attacker would try: Node's default and the next ones. */
export const INSPECTOR_PORTS = { first: 9229, last: 9240 };

export interface PortWatch {
  /** Every port of the range seen listening while the watch ran, with when. */
  stop(): Array<{ port: number; at: number }>;
}

/** `pid` and its descendants, from the kernel's per-thread children lists (cheap enough to read every few ms). */
function treeOf(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    out.push(next);
    for (const kids of [readText(`/proc/${next}/task/${next}/children`) ?? '']) {
      for (const kid of kids.trim().split(/\s+/).filter(Boolean)) queue.push(Number(kid));
    }
  }
  return out;
}

/**
 * Polls every few ms for a socket listening on ports 9229-9240 (what a local attacker polling
 * those ports would find) that belongs to `root` or one of its descendants. Only the target tree
 * counts, so that another program's inspector elsewhere on the machine does not fail the test;
 * run it under the 9229 lock all the same.
 */
export function watchInspectorPorts(root: number, everyMs = 10): PortWatch {
  const seen: Array<{ port: number; at: number }> = [];
  const look = () => {
    const inRange = readTcpSockets('self').filter((s) => s.state === '0A' && s.localPort >= INSPECTOR_PORTS.first && s.localPort <= INSPECTOR_PORTS.last);
    if (inRange.length === 0) return;
    for (const pid of treeOf(root)) {
      let own: Set<number>;
      try {
        own = socketInodes(pid);
      } catch {
        continue;
      }
      for (const s of inRange) if (own.has(s.inode)) seen.push({ port: s.localPort, at: Date.now() });
    }
  };
  look();
  const timer = setInterval(look, everyMs);
  timer.unref(); // a failed test must not be kept running by its watch
  return {
    stop() {
      clearInterval(timer);
      look();
      return seen;
    },
  };
}
