// Which way into a process: a prepared process (its dormant agent preloaded with NODE_OPTIONS) is
// activated through its Unix socket, with no inspector, port or signal; only a process that is not
// prepared is attached through its inspector (SIGUSR1). For a tree (-s), the children of a prepared
// worker are never signalled: those alive now are activated through their own sockets (those
// younger than the dormant agent's first second are waited for), those started from now on are
// followed by the root's agent.
import type { AgentConfig } from '../../agent/protocol';
import { UserError } from '../model';
import { isAlive, ProcStatus, readEnviron } from '../proc';
import { attach, AttachOptions, AttachResult } from './attach';
import { descendants, followedByAgent, isYoung, MIN_DESCENDANT_AGE_MS, TreeAttachOptions } from './descendants';
import type { StackDump } from '../../agent/stack-dump';
import { activateDormant, Activated, dumpDormant, findDormantSocket, isPrepared, removeStaleDormantSockets, waitForDormantSocket } from './dormant';
import { dumpStackThroughInspector } from './stack';
import { TargetGone } from './errors';
import { checkTarget } from './preflight';

export type Attached = Activated | (AttachResult & { via: 'inspector' });

/** `skipped`: not signalled on purpose (SIGUSR1 can abort a process that is starting or exiting). */
export type RouteOutcome = { pid: number; result: Attached } | { pid: number; error: Error } | { pid: number; skipped: string };

export interface RouteOptions extends AttachOptions {
  /** Never signal this process: it is a child of a prepared worker. */
  neverSignal?: boolean;
  /** Ends the wait for a young prepared process's socket (the recording is over). */
  stopWaiting?: AbortSignal;
}

/** A tree attached: what is settled, and the prepared children still being waited for (they activate while the recording runs). */
export interface TreeAttach {
  outcomes: RouteOutcome[];
  pending: Promise<RouteOutcome[]>;
}

let staleRemoved = false;

/** Activates `pid`'s dormant agent if it is prepared, else attaches through its inspector. */
export async function attachProcess(pid: number, config: AgentConfig, opts: RouteOptions = {}): Promise<Attached> {
  const file = await preparedSocket(pid, opts);
  if (file !== undefined) return activateDormant(pid, file, config);
  const checked = unpreparedTarget(pid, opts);
  return { via: 'inspector', ...(await attach(pid, config, opts, checked)) };
}

/** A stack dump, and which way it was taken. */
export type RoutedDump = StackDump & { via: 'dormant' | 'inspector' };

/**
 * The current stack of `pid`, the same way in as attachProcess: a prepared process answers from
 * its dormant agent's listener thread (no port, no signal, also when stuck in a loop); any other
 * goes through the hardened inspector path, unless `neverSignal`.
 */
export async function dumpProcess(pid: number, opts: RouteOptions = {}): Promise<RoutedDump> {
  const file = await preparedSocket(pid, opts);
  if (file !== undefined) return { ...(await dumpDormant(pid, file)), via: 'dormant' };
  const checked = unpreparedTarget(pid, opts);
  return { ...(await dumpStackThroughInspector(pid, opts, checked)), via: 'inspector' };
}

/** The dormant socket of a prepared `pid` (one too young to listen is waited for); undefined for a process that is not prepared. */
async function preparedSocket(pid: number, opts: RouteOptions): Promise<string | undefined> {
  if (!staleRemoved) {
    staleRemoved = true;
    removeStaleDormantSockets();
  }
  return findDormantSocket(pid) ?? (isPrepared(pid) ? await waitForDormantSocket(pid, opts.stopWaiting) : undefined);
}

/**
 * Throws unless `pid` may be reached through its inspector: a prepared process without its socket,
 * a gone one, or one never to be signalled. Its status from checkTarget otherwise, handed on so
 * that the inspector path does not check it again.
 */
function unpreparedTarget(pid: number, opts: RouteOptions): ProcStatus {
  if (isPrepared(pid)) {
    if (!isAlive(pid)) throw new TargetGone(`process ${pid} exited before its dormant agent listened`);
    if (opts.stopWaiting?.aborted) throw new TargetGone(`process ${pid} had not listened yet when the recording ended`);
    throw new UserError(
      `process ${pid} was started with wspy's dormant agent but does not listen on its socket ` +
        `(it listens once its event loop has run a second: its main thread may have been busy since before then; ` +
        `or its directory is not private to its user, or another wspy installation's agent is preloaded): wspy did not signal it`,
    );
  }
  const status = checkTarget(pid); // no such process, already exited, another user's, not Node: each says so
  if (readEnviron(pid).size === 0) {
    // Gone, or so far into its exit that its environment is released: nothing left to record.
    throw new TargetGone(`process ${pid} exited while wspy was attaching to it`);
  }
  if (opts.neverSignal) {
    throw new UserError(`process ${pid} is not prepared (no dormant agent): wspy never signals the children of a prepared worker`);
  }
  return status;
}

const DESCENDANT_TIMEOUT_MS = 1_500;

/**
 * The root, then its running Node descendants (py-spy's --subprocesses). The root's failure is
 * thrown; a descendant's is reported in its outcome. Descendants already followed by this
 * recording's agent, and those that ended before wspy reached them, get no outcome. Prepared
 * descendants are activated all at once and in the background (`pending`): one younger than the
 * dormant agent's first second is waited for, and the recording need not wait with it.
 */
export async function attachTree(pid: number, config: AgentConfig, opts: TreeAttachOptions & RouteOptions = {}): Promise<TreeAttach> {
  const root = await attachProcess(pid, config, opts);
  const outcomes: RouteOutcome[] = [{ pid, result: root }];
  const rootPrepared = root.via === 'dormant';
  const children = descendants(pid).filter((child) => !followedByAgent(child, config));
  // Prepared children answer on their own sockets: all at once, since the young ones are waited for.
  const prepared = children.filter(isPrepared);
  const others = children.filter((child) => !prepared.includes(child));
  const pending = Promise.all(prepared.map((child) => outcomeOf(child, () => attachProcess(child, config, { ...opts, neverSignal: true })))).then(
    (settled) => settled.filter((o): o is RouteOutcome => o !== undefined),
  );
  const timeoutMs = opts.descendantTimeoutMs ?? DESCENDANT_TIMEOUT_MS;
  for (const child of others) {
    // An unprepared child is signalled only under an unprepared root, and only once it is past the
    // age at which SIGUSR1 can abort it (descendants.ts, MIN_DESCENDANT_AGE_MS).
    if (!isAlive(child) || followedByAgent(child, config)) continue;
    if (!rootPrepared && isYoung(child) && findDormantSocket(child) === undefined) {
      outcomes.push({ pid: child, skipped: `younger than ${MIN_DESCENDANT_AGE_MS} ms, when SIGUSR1 can abort a process` });
      continue;
    }
    const outcome = await outcomeOf(child, () => attachProcess(child, config, { ...opts, timeoutMs, neverSignal: rootPrepared }));
    if (outcome) outcomes.push(outcome);
  }
  return { outcomes, pending };
}

async function outcomeOf(pid: number, work: () => Promise<Attached>): Promise<RouteOutcome | undefined> {
  try {
    return { pid, result: await work() };
  } catch (error) {
    // A short-lived child that finished meanwhile: nothing was missed that an agent could have seen.
    if (error instanceof TargetGone && !isAlive(pid)) return undefined;
    return { pid, error: error as Error };
  }
}
