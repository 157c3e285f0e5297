// Listening Unix sockets with a path, from /proc/<pid>/net/unix: which inode is bound to which file,
// so that a socket file can be tied to the process that listens on it (through sockets.ts).
import { readText } from './process';

/** __SO_ACCEPTCON in the Flags column: the socket listens. */
const ACCEPTING = 0x10000;

/** The inode of the socket listening on `file` in the network namespace of `pid`, if any. */
export function listeningUnixSocketInode(file: string, pid: number | 'self' = 'self'): number | undefined {
  const text = readText(`/proc/${pid}/net/unix`) ?? '';
  for (const line of text.split('\n').slice(1)) {
    // Num RefCount Protocol Flags Type St Inode Path (the path may contain spaces: it is the rest)
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8) continue;
    if ((parseInt(fields[3], 16) & ACCEPTING) === 0) continue;
    if (fields.slice(7).join(' ') === file) return Number(fields[6]);
  }
  return undefined;
}
