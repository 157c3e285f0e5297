// Activating a prepared process: one whose dormant agent (agent/dormant.ts) listens on
// `<dir>/<pid>.sock` in its user's 0700 directory. No inspector, no TCP port, no signal: wspy
// connects, sends the collector's address and token, and reads one line back. Before it sends the
// token, wspy checks that the directory is the target user's (0700, not a symlink) and that the
// kernel shows the target itself listening on that very socket (its inode in /proc/<pid>/fd).
import * as fs from 'node:fs';
import * as net from 'node:net';
import { DORMANT_BUNDLE_NAME, dormantDirs, dormantSocketPath, dormantSocketPid, isTrustedDir, LISTEN_AFTER_MS } from '../../agent/dormant-dir';
import type { ActivateReply, ActivateRequest, AgentConfig, DumpReply, DumpRequest } from '../../agent/protocol';
import type { StackDump } from '../../agent/stack-dump';
import { UserError } from '../model';
import { isAlive, listeningUnixSocketInode, readCmdline, readEnviron, readProcStats, readStatus, socketInodes } from '../proc';
import { exitedWhileAttaching } from './errors';

/** A process activated through its dormant agent. */
export interface Activated {
  via: 'dormant';
  pid: number;
  /** Inside the target, from reading the request to the full agent sampling and connecting. */
  activationMs: number;
  /** In wspy, from connecting to the dormant socket until its answer. */
  totalMs: number;
}

/** Generous: on a saturated machine loading the agent and starting V8's profiler took seconds. */
const ANSWER_TIMEOUT_MS = 20_000;
/**
 * How long past LISTEN_AFTER_MS a prepared process may take to bind its socket. Generous, because on
 * a saturated machine a job child can take seconds to boot and then ends before its first second:
 * it never listens, and waiting until it has ended lets wspy tell it apart (it is skipped quietly)
 * from a long-lived process that cannot listen (reported).
 */
const LISTEN_SLACK_MS = 8_000;

/** True when the process was started with the dormant agent preloaded (in NODE_OPTIONS or on its command line). */
export function isPrepared(pid: number): boolean {
  if ((readEnviron(pid).get('NODE_OPTIONS') ?? '').includes(DORMANT_BUNDLE_NAME)) return true;
  return readCmdline(pid).some((arg) => arg.endsWith(DORMANT_BUNDLE_NAME));
}

/** The dormant socket of `pid`, when the kernel shows that very process listening on it in a trusted directory. */
export function findDormantSocket(pid: number): string | undefined {
  const status = readStatus(pid);
  if (status === undefined) return undefined;
  const env = Object.fromEntries(readEnviron(pid));
  for (const dir of dormantDirs(env, status.uid)) {
    if (!trusted(dir, status.uid)) continue;
    const file = dormantSocketPath(dir, status.ownPid);
    const inode = listeningUnixSocketInode(file, pid);
    if (inode === undefined) continue;
    try {
      if (socketInodes(pid).has(inode)) return file;
    } catch {
      return undefined; // another user's process, and wspy is not root: it may not read the fd table
    }
  }
  return undefined;
}

function trusted(dir: string, uid: number): boolean {
  try {
    return isTrustedDir(fs.lstatSync(dir), uid);
  } catch {
    return false;
  }
}

/**
 * The dormant socket of a prepared process, waiting while it is too young to have one (it binds
 * LISTEN_AFTER_MS after its start). Undefined when it ended meanwhile or never bound one.
 */
export async function waitForDormantSocket(pid: number, stopWaiting?: AbortSignal, deadline = dormantDeadline(pid)): Promise<string | undefined> {
  for (;;) {
    const file = findDormantSocket(pid);
    if (file !== undefined || !isAlive(pid) || Date.now() >= deadline || stopWaiting?.aborted) return file;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** When a prepared process should have bound its dormant socket at the latest. */
function dormantDeadline(pid: number): number {
  const started = readProcStats(pid)?.startTime ?? Date.now();
  return Math.max(Date.now(), started + LISTEN_AFTER_MS) + LISTEN_SLACK_MS;
}

/**
 * Activates the dormant agent listening on `file` for this recording. Throws TargetGone when the
 * process ended first, and a UserError saying why when it refused.
 */
export async function activateDormant(pid: number, file: string, config: AgentConfig): Promise<Activated> {
  const started = Date.now();
  let reply: ActivateReply;
  try {
    reply = await request(file, { t: 'activate', config }, ANSWER_TIMEOUT_MS);
  } catch (error) {
    if (!isAlive(pid)) throw exitedWhileAttaching(pid);
    throw new UserError(`the dormant agent of process ${pid} did not answer on ${file}: ${(error as Error).message}`);
  }
  if (reply.t === 'activated') return { via: 'dormant', pid, activationMs: reply.ms, totalMs: Date.now() - started };
  if (reply.t === 'busy') throw new UserError(`process ${pid} is already being recorded by another wspy: stop that recording first`);
  throw new UserError(`the dormant agent of process ${pid} refused: ${reply.reason}`);
}

/**
 * How long a dump may take: the listener thread pauses the main thread within its own 2 s (a main
 * thread in a long native call pauses only when it returns), plus the time to be scheduled at all.
 */
const DUMP_TIMEOUT_MS = 10_000;

/**
 * The main thread's current stack, from the listener thread of a prepared process (agent/listener-thread.ts):
 * no inspector port, no signal, and it answers while the main thread is stuck in a loop. Throws
 * TargetGone when the process ended first, and a UserError when it could not answer.
 */
export async function dumpDormant(pid: number, file: string): Promise<StackDump> {
  let reply: DumpReply | ActivateReply;
  try {
    reply = await request<DumpReply | ActivateReply>(file, { t: 'dump' }, DUMP_TIMEOUT_MS);
  } catch (error) {
    if (!isAlive(pid)) throw exitedWhileAttaching(pid);
    throw new UserError(`the dormant agent of process ${pid} did not answer on ${file}: ${(error as Error).message}`);
  }
  if (reply.t === 'stack') {
    const { t: _t, ...dump } = reply;
    return { ...dump, pid, frames: Array.isArray(dump.frames) ? dump.frames : [] };
  }
  // The main thread answered instead: this agent has no listener thread (it could not start one).
  throw new UserError(
    `the dormant agent of process ${pid} has no listener thread to dump its stack (started with WSPY_LISTENER_THREAD=0, or no thread could start; it answered: ${reply.t === 'refused' ? reply.reason : reply.t})`,
  );
}

/** One request line, one answer line. */
function request<Reply extends { t: string } = ActivateReply>(file: string, message: ActivateRequest | DumpRequest, timeoutMs: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(file);
    let text = '';
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer in ${timeoutMs} ms`)));
    socket.setEncoding('utf8');
    socket.on('error', fail);
    socket.on('connect', () => socket.write(JSON.stringify(message) + '\n'));
    socket.on('data', (chunk: string) => {
      text += chunk;
      const end = text.indexOf('\n');
      if (end < 0) return;
      socket.destroy();
      try {
        const reply = JSON.parse(text.slice(0, end)) as Reply;
        if (!reply || typeof reply !== 'object' || typeof reply.t !== 'string') throw new Error('not an answer');
        resolve(reply);
      } catch {
        reject(new Error('the answer was not understood'));
      }
    });
    socket.on('end', () => fail(new Error('the connection closed without an answer')));
  });
}

/**
 * Removes the dormant sockets of processes that are gone (a SIGKILLed process leaves its socket
 * file), in this user's trusted directories. Never throws.
 */
export function removeStaleDormantSockets(env: NodeJS.ProcessEnv = process.env): number {
  const uid = process.getuid?.();
  if (uid === undefined) return 0;
  let removed = 0;
  for (const dir of dormantDirs(env, uid)) {
    if (!trusted(dir, uid)) continue;
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const pid = dormantSocketPid(name);
      if (pid === undefined || isAlive(pid)) continue;
      try {
        fs.unlinkSync(dormantSocketPath(dir, pid));
        removed++;
      } catch {
        // gone meanwhile
      }
    }
  }
  return removed;
}

