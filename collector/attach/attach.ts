// Attaching wspy's agent to a Node process that is already running, without restarting it, in three
// steps: preflight.ts checks the process from /proc; open.ts opens its inspector with SIGUSR1 and
// finds the port it took; inject.ts verifies over the DevTools protocol that the inspector belongs to
// that very process, loads the agent from wspy's own installation, and lets the target close its
// inspector before the agent starts sampling. docs/ATTACH.md tells the story with the error cases
// and measured timings.
import type { AgentConfig } from '../../agent/protocol';
import { UserError } from '../model';
import type { ProcStatus } from '../proc';
import { inject, newClock } from './inject';
import type { InspectorAddress } from './inspector';
import { withAttachLock } from './lock';
import { openInspector, refuseRemoteInspector } from './open';
import { checkTarget } from './preflight';

export interface AttachOptions {
  /** Give up after this long, in milliseconds (default 10 000). */
  timeoutMs?: number;
  /** Signal a target whose inspector would listen on an address other machines can reach (default: refuse). */
  allowRemoteInspector?: boolean;
  /** Called just before SIGUSR1 opens an inspector, with where it will listen (to say so). */
  onOpening?: (pid: number, where: InspectorAddress) => void;
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

// Targets share the default inspector port, so attaching is one at a time: in this process through
// this queue, and across wspy processes through withAttachLock.
let attachQueue: Promise<unknown> = Promise.resolve();

/**
 * Loads wspy's agent (agentConfig.agent) into the running Node process `pid` and starts it there.
 * Resolves once the agent's start was scheduled and the target's inspector has closed again.
 * Throws UserError, with a one-line message that says what to do, when it cannot; the target is
 * left running as it was. `checked`: what checkTarget said of `pid`, when the caller has asked it
 * already (route.ts); openInspector reads the status again just before it signals.
 */
export function attach(pid: number, agentConfig: AgentConfig, opts: AttachOptions = {}, checked?: ProcStatus): Promise<AttachResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const run = attachQueue.then(async () => {
    // Refused before waiting for the lock: nothing would be signalled anyway.
    refuseRemoteInspector(pid, opts);
    const startedAt = Date.now();
    const locked = await withAttachLock(timeoutMs, () => attachNow(pid, agentConfig, startedAt, timeoutMs, opts, checked));
    if (!locked) throw new UserError(`another wspy kept attaching to processes for ${timeoutMs} ms: retry when it is done`);
    return locked.value;
  });
  attachQueue = run.catch(() => undefined);
  return run;
}

async function attachNow(
  pid: number,
  agentConfig: AgentConfig,
  startedAt: number,
  timeoutMs: number,
  opts: AttachOptions,
  checked: ProcStatus | undefined,
): Promise<AttachResult> {
  const deadline = startedAt + timeoutMs;
  const remaining = () => Math.max(1, deadline - Date.now());
  const status = checked ?? checkTarget(pid);
  const open = await openInspector(pid, status, remaining, opts);
  return inject(pid, agentConfig, open.socket, open.url, open.wspyOpened, newClock(startedAt, open.openedAt, open.listeningAt, remaining));
}
