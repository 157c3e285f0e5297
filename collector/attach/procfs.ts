// What wspy learns about another process from Linux's /proc, without touching the process itself:
// whether it exists, who owns it, whether it is Node, whether it would survive SIGUSR1, its
// descendants, and its listening TCP sockets. Everything here is a snapshot and may be stale a
// moment later (processes exit, ports close), so callers re-check instead of trusting one read.
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

export interface ListeningSocket {
  /** Local address as text: '127.0.0.1', '0.0.0.0', '::', '::1', ... */
  address: string;
  port: number;
  inode: number;
}

const SIGUSR1 = 10;

function readText(file: string): string | undefined {
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

const TCP_LISTEN = '0A';

// /proc/net/tcp writes an IPv4 address as 8 hex digits of the 32-bit value in host order (little
// endian here), and an IPv6 address as four such 32-bit words.
function decodeAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((word) => (word.match(/../g) ?? []).map((b) => parseInt(b, 16)).reverse());
  if (bytes.length === 4) return bytes.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  const isV4Mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (isV4Mapped) return bytes.slice(12).join('.');
  return compressIpv6(groups);
}

// RFC 5952 text form: the longest run of two or more zero groups becomes '::'.
function compressIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < groups.length; ) {
    let end = start;
    while (end < groups.length && groups[end] === 0) end++;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end + 1;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLength).join(':');
}

/**
 * Listening TCP sockets of the network namespace that `pid` lives in (every process's, not only
 * its own); `pid` 'self' reads wspy's own namespace.
 */
export function listeningSocketsInNamespace(pid: number | 'self'): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  for (const table of ['tcp', 'tcp6']) {
    const text = readText(`/proc/${pid}/net/${table}`) ?? '';
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== TCP_LISTEN) continue;
      const [addressHex, portHex] = fields[1].split(':');
      sockets.push({ address: decodeAddress(addressHex), port: parseInt(portHex, 16), inode: Number(fields[9]) });
    }
  }
  return sockets;
}

export class ProcAccessDenied extends Error {}

/**
 * Socket inodes that the process holds open. Throws ProcAccessDenied when its fd table is not
 * readable (another user's process); returns an empty set when the process is gone.
 */
export function socketInodes(pid: number): Set<number> {
  const inodes = new Set<number>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EACCES') throw new ProcAccessDenied(`cannot read /proc/${pid}/fd`);
    return inodes;
  }
  for (const fd of fds) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed since the directory was read
    }
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match) inodes.add(Number(match[1]));
  }
  return inodes;
}

/** The TCP sockets on which the process itself listens. */
export function listeningSockets(pid: number): ListeningSocket[] {
  const own = socketInodes(pid);
  if (own.size === 0) return [];
  return listeningSocketsInNamespace(pid).filter((socket) => own.has(socket.inode));
}

/**
 * The processes that hold a socket listening on `port` in the namespace of `nearPid`, in pid order
 * (a listening socket can be shared by a parent and the children it forked). Processes whose fd
 * table wspy may not read are skipped.
 */
export function portHolders(port: number, nearPid: number | 'self' = 'self'): number[] {
  const inodes = new Set(listeningSocketsInNamespace(nearPid).filter((s) => s.port === port).map((s) => s.inode));
  if (inodes.size === 0) return [];
  const holders: number[] = [];
  for (const pid of allPids()) {
    try {
      for (const inode of socketInodes(pid)) {
        if (inodes.has(inode)) {
          holders.push(pid);
          break;
        }
      }
    } catch {
      // another user's process: wspy cannot tell, and says so only if nobody else is found
    }
  }
  return holders;
}
