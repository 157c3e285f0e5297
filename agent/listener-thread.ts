// Entry of dist/bundles/agent-listener.js: the worker thread that serves a prepared process's dormant
// socket (agent/dormant.ts starts it when the process has lived LISTEN_AFTER_MS). It runs its own
// event loop, so it answers even while the main thread is stuck in a synchronous loop, which is the
// case `wspy dump` exists for:
//  - `{t:'dump'}` is answered here: an inspector session connected to the main thread pauses it
//    (Debugger.pause interrupts a loop), reads the call frames, resumes and disconnects
//    (agent/stack-dump.ts dumpMainThreadStack); no port is opened, nothing stays hooked;
//  - anything else (an activation) is passed to the main thread, which answers it as it always did
//    (the full agent must start there); a stuck main thread cannot, and the request waits.
// The thread stays until the process exits: a worker that ended right after dumping a main thread
// still stuck in its loop could abort the process (stack-dump.ts). It never keeps the process alive
// (the main thread unrefs it) and never throws: every handler is guarded.
import type * as netTypes from 'net';
import { dumpMainThreadStack } from './stack-dump';
import type { DumpReply } from './protocol';
import { readRequestLine } from './request-line';

/** What the main thread hands the thread (workerData). */
export interface ListenerData {
  /** The socket to listen on, in a directory the main thread has checked. */
  file: string;
}

/** Messages between the thread and the main thread. */
export type ListenerMessage =
  /** thread → main: listening (or why not: the main thread then listens itself). */
  | { t: 'listening' }
  | { t: 'failed'; reason: string }
  /**
   * thread → main: a request for the main thread, as parsed here (NOT_JSON when the line was not
   * JSON); main → thread: its answer line.
   */
  | { t: 'request'; id: number; request: unknown }
  | { t: 'answer'; id: number; line: string };

/** The dumps asked for so far, one after another. */
let dumps: Promise<void> = Promise.resolve();

function run(): void {
  const threads = require('worker_threads') as typeof import('worker_threads');
  const net = require('net') as typeof import('net');
  const fs = require('fs') as typeof import('fs');
  const port = threads.parentPort;
  const data = threads.workerData as ListenerData | undefined;
  if (threads.isMainThread || !port || typeof data?.file !== 'string') return;
  const file = data.file;
  const waiting = new Map<number, netTypes.Socket>();
  let nextId = 1;
  port.on('message', (m: ListenerMessage) =>
    guard(() => {
      if (m?.t !== 'answer') return;
      const socket = waiting.get(m.id);
      waiting.delete(m.id);
      socket?.end(m.line + '\n');
    }),
  );
  const toMain = (socket: netTypes.Socket, request: unknown): void => {
    const id = nextId++;
    waiting.set(id, socket);
    socket.once('close', () => waiting.delete(id));
    port.postMessage({ t: 'request', id, request } satisfies ListenerMessage);
  };
  const server = net.createServer((socket) => guard(() => serve(socket, toMain)));
  server.on('error', (e) => guard(() => port.postMessage({ t: 'failed', reason: String(e?.message ?? e) } satisfies ListenerMessage)));
  // A file of this name is a dead process's (pids are unique while alive): replace it.
  guard(() => fs.unlinkSync(file));
  server.listen(file, () =>
    guard(() => {
      fs.chmodSync(file, 0o600);
      port.postMessage({ t: 'listening' } satisfies ListenerMessage);
    }),
  );
}

function serve(socket: netTypes.Socket, toMain: (socket: netTypes.Socket, request: unknown) => void): void {
  readRequestLine(socket, (request) => {
    // One dump at a time: two sessions pausing and resuming the main thread at once would
    // resume each other's pause.
    if ((request as { t?: unknown } | null)?.t === 'dump') dumps = dumps.then(() => dump(socket));
    else toMain(socket, request);
  });
}

async function dump(socket: netTypes.Socket): Promise<void> {
  try {
    const stack = await dumpMainThreadStack();
    const reply: DumpReply = { t: 'stack', ...stack };
    socket.end(JSON.stringify(reply) + '\n');
  } catch {
    guard(() => socket.destroy());
  }
}

function guard(fn: () => unknown): void {
  try {
    fn();
  } catch {
    // Never throw: an uncaught exception in this thread would reach the program as a worker 'error'.
  }
}

guard(run);
