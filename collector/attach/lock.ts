// A mutex shared by every wspy process on the machine (in one network namespace), so that two
// recordings never open inspectors at the same moment: targets share the default inspector port,
// and a target signalled while another holds the port prints an error and never opens. The lock is
// a listening Unix socket in Linux's abstract namespace: binding is atomic, and the kernel frees
// it when its holder exits, even on a crash, so a stale lock cannot exist.
import * as net from 'node:net';

const LOCK_ADDRESS = '\0wspy-attach-lock';

function tryListen(): Promise<net.Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(undefined) : reject(error)));
    server.listen({ path: LOCK_ADDRESS }, () => {
      server.unref(); // holding the lock never keeps wspy alive
      resolve(server);
    });
  });
}

/** Runs `work` while holding the machine-wide attach lock; returns undefined if it was not free within `timeoutMs`. */
export async function withAttachLock<T>(timeoutMs: number, work: () => Promise<T>): Promise<{ value: T } | undefined> {
  const deadline = Date.now() + timeoutMs;
  let server: net.Server | undefined;
  while ((server = await tryListen()) === undefined) {
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  try {
    return { value: await work() };
  } finally {
    server.close();
  }
}
