// Attaching to a tree (py-spy's --subprocesses): the root first, then each running Node descendant
// that the root's agent does not already follow, one after another.
import type { AgentConfig } from '../../agent/protocol';
import { agentConfigFromEnv } from '../../agent/environment';
import { descendantPids, isAlive, isNodeProcess, readEnviron, readProcStats } from '../proc';
import { attach, AttachOptions, AttachResult } from './attach';
import { TargetGone } from './errors';

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
      if (error instanceof TargetGone && !isAlive(child)) {
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

export function isYoung(pid: number): boolean {
  const stats = readProcStats(pid);
  return stats === undefined || Date.now() - stats.startTime < MIN_DESCENDANT_AGE_MS;
}

/** True when the process was started with the agent of this very recording in its environment (the root's agent followed it). */
export function followedByAgent(pid: number, agentConfig: AgentConfig): boolean {
  const inherited = agentConfigFromEnv(Object.fromEntries(readEnviron(pid)));
  if (inherited === undefined) return false;
  try {
    const config = JSON.parse(inherited) as Partial<AgentConfig>;
    return config.socket === agentConfig.socket && config.token === agentConfig.token;
  } catch {
    return false;
  }
}
