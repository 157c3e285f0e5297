// What wspy learns about another process from Linux's /proc, without touching the process itself:
// whether it exists, who owns it, whether it is Node, whether it would survive SIGUSR1, its
// arguments, environment and descendants. Everything here is a snapshot and may be stale a moment
// later (processes exit), so callers re-check instead of trusting one read.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';

export interface ProcStatus {
  pid: number;
  /** Short command name (at most 15 characters, from the kernel). */
  name: string;
  /** One-letter scheduler state; 'Z' is a zombie (exited, not yet reaped), 'X' dead. */
  state: string;
  ppid: number;
  /** Real user id of the process. */
  uid: number;
  /** Bit mask of the signals the process has a handler for (bit n-1 for signal n). */
  caughtSignals: bigint;
  /** The pid as the process itself sees it (`process.pid`): differs from `pid` inside a container's pid namespace. */
  ownPid: number;
}

const SIGUSR1 = 10;

/** A /proc file's text, or undefined when it cannot be read (the process is gone, or not ours). */
export function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The process's status, or undefined when there is no such process (or it is already gone). */
export function readStatus(pid: number): ProcStatus | undefined {
  const text = readText(`/proc/${pid}/status`);
  if (text === undefined) return undefined;
  const field = (key: string): string => {
    const match = new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(text);
    return match ? match[1].trim() : '';
  };
  return {
    pid,
    name: field('Name'),
    state: field('State').charAt(0),
    ppid: Number(field('PPid')),
    uid: Number(field('Uid').split(/\s+/)[0]),
    caughtSignals: BigInt('0x' + (field('SigCgt') || '0')),
    ownPid: Number(field('NSpid').split(/\s+/).pop() || pid),
  };
}

/** True while the process exists and has not exited (a zombie has exited). */
export function isAlive(pid: number): boolean {
  const status = readStatus(pid);
  return status !== undefined && status.state !== 'Z' && status.state !== 'X';
}

/** True when the process handles SIGUSR1. Without a handler the signal's default action kills it. */
export function handlesSigusr1(status: ProcStatus): boolean {
  return ((status.caughtSignals >> BigInt(SIGUSR1 - 1)) & 1n) === 1n;
}

/** The process's arguments (argv[0] first); empty for kernel threads or when unreadable. */
export function readCmdline(pid: number): string[] {
  const text = readText(`/proc/${pid}/cmdline`);
  if (!text) return [];
  return text.split('\0').filter((arg, i, all) => arg !== '' || i < all.length - 1);
}

/** The executable's path, or undefined when it cannot be read (another user's process without privileges). */
export function readExe(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
  } catch {
    return undefined;
  }
}

/** The process's environment variables; empty when unreadable. */
export function readEnviron(pid: number): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of (readText(`/proc/${pid}/environ`) ?? '').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

// Node's binary is `node` (or `nodejs` on old Debian packages, or `node20` and the like when
// several are installed side by side).
const NODE_BINARY = /^node(js)?[-_.\d]*$/;

/** True when the process runs a Node binary, judged by its executable or, failing that, its argv[0]. */
export function isNodeProcess(pid: number): boolean {
  const exe = readExe(pid);
  if (exe !== undefined) return NODE_BINARY.test(path.basename(exe));
  const argv0 = readCmdline(pid)[0];
  return argv0 !== undefined && NODE_BINARY.test(path.basename(argv0));
}

/** One line to name a process in messages: "1234 (node server.js)". */
export function describeProcess(pid: number): string {
  const argv = readCmdline(pid);
  const command = argv.length > 0 ? argv.join(' ') : readStatus(pid)?.name ?? '?';
  const short = command.length > 80 ? command.slice(0, 77) + '...' : command;
  return `${pid} (${short})`;
}

/** Every pid in /proc. */
export function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Pids of the live descendants of `pid` (children, grandchildren, ...), parents before their children. */
export function descendantPids(pid: number): number[] {
  const childrenOf = new Map<number, number[]>();
  for (const other of allPids()) {
    const status = readStatus(other);
    if (status === undefined || status.state === 'Z') continue;
    const siblings = childrenOf.get(status.ppid) ?? [];
    siblings.push(other);
    childrenOf.set(status.ppid, siblings);
  }
  const result: number[] = [];
  const queue = [...(childrenOf.get(pid) ?? [])];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    result.push(next);
    queue.push(...(childrenOf.get(next) ?? []));
  }
  return result;
}
