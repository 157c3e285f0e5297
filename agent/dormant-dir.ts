// Where a prepared process's dormant agent listens, for both sides: the agent (agent/dormant.ts),
// which binds `<dir>/<pid>.sock`, and wspy, which looks for it there. The directory is per user:
// `$XDG_RUNTIME_DIR/wspy` when that is set, else `$TMPDIR/wspy-<uid>`, else `/tmp/wspy-<uid>`
// (the first whose socket path fits the kernel's limit). wspy computes the same list from the
// target's /proc/<pid>/environ, which is the environment the agent read at boot. Pure path
// arithmetic; isTrustedDir says which directory may be trusted.
import * as path from 'path';

/** File name of the dormant agent's bundle beside agent.js in dist/bundles/. */
export const DORMANT_BUNDLE_NAME = 'agent-dormant.js';

/** File name of the listener thread's bundle (agent/listener-thread.ts), beside the dormant agent. */
export const LISTENER_BUNDLE_NAME = 'agent-listener.js';

/** Where the dormant agent leaves its listener thread's id, so that the full agent does not report that thread as the program's. */
export const LISTENER_THREAD = Symbol.for('wspy.agent.listenerThread');

/** Set to `0` in a prepared process's environment, its main thread serves the dormant socket itself: no listener thread, no dump. */
export const LISTENER_THREAD_ENV = 'WSPY_LISTENER_THREAD';

/** A process younger than this never listens: short job children pay one timer and nothing else. */
export const LISTEN_AFTER_MS = 1000;

/** sun_path is 108 bytes on Linux, with a terminating NUL; keep a margin for the pid's digits. */
const MAX_SOCKET_PATH = 100;

/** The candidate directories, most preferred first, for a process with this environment and uid. */
export function dormantDirs(env: { XDG_RUNTIME_DIR?: string; TMPDIR?: string }, uid: number): string[] {
  const dirs: string[] = [];
  const add = (dir: string | undefined): void => {
    if (dir && path.isAbsolute(dir) && !dirs.includes(dir) && path.join(dir, '4194304.sock').length <= MAX_SOCKET_PATH) dirs.push(dir);
  };
  if (env.XDG_RUNTIME_DIR) add(path.join(env.XDG_RUNTIME_DIR, 'wspy'));
  if (env.TMPDIR) add(path.join(env.TMPDIR, `wspy-${uid}`));
  add(`/tmp/wspy-${uid}`);
  return dirs;
}

export function dormantSocketPath(dir: string, pid: number): string {
  return path.join(dir, `${pid}.sock`);
}

/** The pid a dormant socket's file name belongs to, or undefined. */
export function dormantSocketPid(name: string): number | undefined {
  const m = /^(\d+)\.sock$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * True when `dir` may hold dormant sockets of user `uid`: a real directory (not a symlink), owned by
 * that user, mode 0700. Only its owner (and root) can then reach a socket in it, which is the whole
 * of the trust: Node cannot read a Unix socket peer's credentials (SO_PEERCRED), but connect(2)
 * needs search permission on the directory, which nobody else has.
 */
export function isTrustedDir(stat: { isDirectory(): boolean; isSymbolicLink(): boolean; uid: number; mode: number }, uid: number): boolean {
  return !stat.isSymbolicLink() && stat.isDirectory() && stat.uid === uid && (stat.mode & 0o777) === 0o700;
}
