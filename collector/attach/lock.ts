// A mutex shared by this user's wspy processes, so that two recordings never open inspectors at the
// same moment: targets share the default inspector port, and a target signalled while another holds
// the port prints an error and never opens.
//
// The lock is a listening Unix socket, `attach.lock`, in a directory only this user can enter. It
// used to be a name in Linux's abstract socket namespace, which has no permissions: any local user
// could bind that name and make every `record -p` on the machine wait 10 s and fail. A socket file
// in a 0700 directory that this user owns cannot be bound, removed or replaced by anyone else (root
// aside). Per user rather than per machine, because the port clash it prevents is a nuisance, not a
// danger, and one user must never be able to block another. A holder that crashed leaves its socket
// file behind; nobody answers on it, so the next wspy removes it and takes the lock.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Directories the lock may live in, most private first: the user's runtime directory, a per-user
 * directory in the temp directory, one in the home directory (which no one else can create first).
 */
function candidateDirs(): string[] {
  const uid = process.getuid?.() ?? 0;
  const dirs: string[] = [];
  if (process.env.XDG_RUNTIME_DIR) dirs.push(path.join(process.env.XDG_RUNTIME_DIR, 'wspy'));
  dirs.push(path.join(os.tmpdir(), `wspy-locks-${uid}`), path.join(os.homedir(), '.wspy'));
  return dirs;
}

/** True when `dir` is a real directory (not a link) that this user owns and no one else may enter. */
function isPrivateDir(dir: string): boolean {
  try {
    const st = fs.lstatSync(dir);
    return st.isDirectory() && st.uid === (process.getuid?.() ?? st.uid) && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

let chosen: string | undefined;

/** The lock's socket path in the first candidate directory that is (or can be made) private. */
export function attachLockPath(): string {
  if (chosen && isPrivateDir(path.dirname(chosen))) return chosen;
  for (const dir of candidateDirs()) {
    try {
      fs.mkdirSync(dir, { mode: 0o700 });
    } catch {
      // exists already (checked below), or cannot be made here
    }
    const socket = path.join(dir, 'attach.lock');
    if (isPrivateDir(dir) && Buffer.byteLength(socket) <= 107) return (chosen = socket);
  }
  throw new Error('no private directory for the attach lock (XDG_RUNTIME_DIR, TMPDIR and HOME were all unusable)');
}

function listen(socket: string): Promise<net.Server | 'busy'> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve('busy') : reject(error)));
    server.listen({ path: socket }, () => {
      server.unref(); // holding the lock never keeps wspy alive
      resolve(server);
    });
  });
}

/** True when a live wspy holds the socket; false when it is a crashed holder's leftover. */
function held(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(socket);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', (error: NodeJS.ErrnoException) => resolve(error.code !== 'ECONNREFUSED' && error.code !== 'ENOENT'));
  });
}

async function tryLock(socket: string): Promise<net.Server | undefined> {
  const got = await listen(socket);
  if (got !== 'busy') return got;
  if (await held(socket)) return undefined;
  try {
    fs.unlinkSync(socket); // left by a holder that died
  } catch {
    // another wspy removed it first
  }
  const again = await listen(socket);
  return again === 'busy' ? undefined : again;
}

/** Runs `work` while holding this user's attach lock; returns undefined if it was not free within `timeoutMs`. */
export async function withAttachLock<T>(timeoutMs: number, work: () => Promise<T>): Promise<{ value: T } | undefined> {
  const deadline = Date.now() + timeoutMs;
  const socket = attachLockPath();
  let server: net.Server | undefined;
  while ((server = await tryLock(socket)) === undefined) {
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  try {
    return { value: await work() };
  } finally {
    // close() removes the socket file, so the next wspy binds it at once.
    server.close();
  }
}
