// Support for tests of prepared targets (the dormant agent preloaded with NODE_OPTIONS): their
// environment, and a watch over the inspector ports that an attacker would poll.
import { DORMANT_BUNDLE } from '../../collector/ingest';
import { readTcpSockets } from '../../collector/proc';

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

/**
 * Polls the machine's TCP tables every few ms for a listening socket on ports 9229-9240 (what a
 * local attacker polling those ports would find). Run it under the 9229 lock, so that no other
 * test's inspector is open meanwhile.
 */
export function watchInspectorPorts(everyMs = 5): PortWatch {
  const seen: Array<{ port: number; at: number }> = [];
  const look = () => {
    for (const s of readTcpSockets('self')) {
      if (s.state === '0A' && s.localPort >= INSPECTOR_PORTS.first && s.localPort <= INSPECTOR_PORTS.last) seen.push({ port: s.localPort, at: Date.now() });
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
