// Which processes hold which sockets: /proc/<pid>/fd links a socket's inode to the processes that
// have it open. One scan serves attach (what does the target listen on, who holds a port) and queue
// discovery (who holds this Redis connection).
import { readdirSync, readlinkSync } from 'node:fs';
import { allPids } from './process';
import { ListeningSocket, listeningSocketsInNamespace } from './tcp';

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

/** For each wanted socket inode, the pids (in pid order) whose fd table links to it. Unreadable fd tables are skipped. */
export function socketHolders(inodes: Set<number>): Map<number, number[]> {
  const holders = new Map<number, number[]>();
  if (inodes.size === 0) return holders;
  for (const pid of allPids()) {
    let own: Set<number>;
    try {
      own = socketInodes(pid);
    } catch {
      continue; // another user's process: wspy cannot tell
    }
    for (const inode of own) {
      if (!inodes.has(inode)) continue;
      const list = holders.get(inode) ?? [];
      list.push(pid);
      holders.set(inode, list);
    }
  }
  return holders;
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
  const holders = new Set<number>();
  for (const pids of socketHolders(inodes).values()) pids.forEach((pid) => holders.add(pid));
  return [...holders].sort((a, b) => a - b);
}
