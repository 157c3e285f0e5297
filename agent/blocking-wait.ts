// A worker thread that blocks in Atomics.wait never runs its event loop, so the agent's chunk timer
// never fires there; and a thread stopped by worker.terminate() gets no exit event to flush in. Both
// happen in Piscina's default mode ("atomics: 'sync'"), where an idle worker waits in Atomics.wait
// between tasks and ends by terminate. So in worker threads the agent sends its chunk when the
// thread is about to block, if one is due: before an open-ended wait after `soonMs`, before any
// wait after `dueMs`. What a terminated thread loses is then at most its last `soonMs` of work.

type Wait = typeof Atomics.wait;

/**
 * The wrapper's function name. Samples taken while a thread is blocked in Atomics.wait show it on
 * the stack: the collector counts them as idle time (the thread waits, it uses no CPU).
 */
export const BLOCKING_WAIT_FRAME = 'wspyBlockingWait';

export interface BlockingWaitHook {
  undo(): void;
}

export function flushBeforeBlocking(flush: () => void, lastFlush: () => number, soonMs: number, dueMs: number): BlockingWaitHook {
  const original = Atomics.wait;
  const wrapped = function wspyBlockingWait(this: unknown, ...args: Parameters<Wait>): ReturnType<Wait> {
    try {
      const since = Date.now() - lastFlush();
      const openEnded = args[3] === undefined || args[3] === Infinity;
      if (since >= dueMs || (openEnded && since >= soonMs)) flush();
    } catch {
      // never into the host program
    }
    return original.apply(this, args);
  } as Wait;
  Atomics.wait = wrapped;
  return {
    undo() {
      // Someone who wrapped after us keeps their wrapper (ours then only passes through to theirs).
      if (Atomics.wait === wrapped) Atomics.wait = original;
    },
  };
}
