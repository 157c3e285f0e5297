// Counts the IPC messages a process receives (`process.on('message')` deliveries), which for a pooled
// child (BullMQ and Bull sandboxed processors, workerpool, a hand-rolled pool) is the number of jobs
// it was given: the analysis tells a child that takes many jobs from one that takes one. Node delivers
// each message with `process.emit('message', ...)`, so an own `process.emit` that counts and passes on
// costs one comparison per event and adds no listener (a 'message' listener would ref the channel and
// keep the child alive). Only processes with an IPC channel are wrapped.

type Emit = (event: string | symbol, ...args: unknown[]) => boolean;

export class MessageCounter {
  count = 0;
  private wrapped: Emit | undefined;
  private ownBefore: Emit | undefined;
  private counting = false;

  /** Starts counting when the process has an IPC channel; a no-op otherwise. */
  install(): void {
    if (this.wrapped || !process.channel || typeof process.send !== 'function') return;
    const proc = process as unknown as { emit: Emit };
    const original = proc.emit;
    this.ownBefore = Object.prototype.hasOwnProperty.call(proc, 'emit') ? original : undefined;
    this.counting = true;
    const counter = this;
    const emit: Emit = function (this: unknown, event, ...args) {
      if (event === 'message' && counter.counting) counter.count++;
      return original.call(this, event, ...args);
    };
    this.wrapped = emit;
    proc.emit = emit;
  }

  /** Stops counting; removes the wrapper unless someone wrapped it in turn (then it only passes on). */
  undo(): void {
    this.counting = false;
    const proc = process as unknown as { emit: Emit };
    if (this.wrapped && proc.emit === this.wrapped) {
      if (this.ownBefore) proc.emit = this.ownBefore;
      else delete (proc as { emit?: Emit }).emit;
    }
    this.wrapped = undefined;
  }
}

/** The process's CPU time so far, µs (user + system, all threads). */
export function cpuNowUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}
