// Noticing the job-queue workers a process creates, so that the report and `wspy ps` can name the
// queues a process works for. Nothing happens at boot: the checks run on modules the application
// loads (seen through follow.ts's Module._load watch), and only bullmq's Worker and Bull's Queue get
// a one-line wrapper. A worker is reported once per queue, straight to the spool, where both the
// collector and `wspy ps` read it.
//
// BullMQ (5 and 6): `Worker.prototype.run` is what makes a Worker consume (called by the constructor
// with autorun, or by the application). Bull: `Queue.prototype.process` makes a queue a worker. The
// module is recognised by its shape rather than its name, so aliases (`bullmq6`) and copies nested
// in other packages are seen too.
import { cjsModuleClass } from './cjs-module';
import type { QueueMessage } from './protocol';

type Report = (message: QueueMessage) => void;
type AnyFn = (this: unknown, ...args: unknown[]) => unknown;

interface Patch {
  owner: Record<string, unknown>;
  key: string;
  original: AnyFn;
  wrapper: AnyFn;
  /** False when the method was inherited: undo then deletes the own property we created. */
  own: boolean;
}

export class QueueWatch {
  private readonly seen = new WeakSet<object>();
  private readonly patched = new WeakSet<object>();
  private readonly reported = new Set<string>();
  private readonly patches: Patch[] = [];
  private active = true;

  constructor(private readonly report: Report) {}

  /** Looks at a module's exports; patches bullmq's or Bull's worker entry point the first time. Never throws. */
  inspect(exports: unknown): void {
    if (!this.active || exports === null || (typeof exports !== 'object' && typeof exports !== 'function')) return;
    try {
      if (this.seen.has(exports as object)) return;
      this.seen.add(exports as object);
      const bullmqWorker = (exports as { Worker?: unknown }).Worker;
      if (typeof bullmqWorker === 'function' && hasMethods(bullmqWorker.prototype, 'run', 'clientName')) {
        this.wrap(bullmqWorker.prototype, 'run', (worker) => this.noteBullmq(worker));
      } else if (typeof exports === 'function' && hasMethods(exports.prototype, 'process', 'setWorkerName')) {
        this.wrap(exports.prototype, 'process', (queue) => this.noteBull(queue));
      }
    } catch {
      // a module with odd exports (getters that throw, proxies): not a queue library
    }
  }

  /** Attach mode: the application may have loaded its queue library already. */
  inspectLoaded(): void {
    try {
      const cache = cjsModuleClass()._cache ?? {};
      for (const file of Object.keys(cache)) this.inspect(cache[file]?.exports);
    } catch {
      // nothing to see
    }
  }

  /** Restores every patched method (unless someone patched over us, then ours only passes through). */
  undo(): void {
    this.active = false;
    for (const p of this.patches) {
      if (p.owner[p.key] !== p.wrapper) continue;
      if (p.own) p.owner[p.key] = p.original;
      else delete p.owner[p.key];
    }
    this.patches.length = 0;
  }

  private wrap(proto: Record<string, unknown>, key: string, note: (self: Record<string, unknown>) => void): void {
    if (this.patched.has(proto)) return; // the same class reached through another module
    this.patched.add(proto);
    const original = proto[key] as AnyFn;
    const own = Object.prototype.hasOwnProperty.call(proto, key);
    const watch = this;
    const wrapper: AnyFn = function wspyQueueWorker(this: unknown, ...args: unknown[]): unknown {
      if (watch.active) {
        try {
          note(this as Record<string, unknown>);
        } catch {
          // never into the host program
        }
      }
      return original.apply(this, args);
    };
    proto[key] = wrapper;
    this.patches.push({ owner: proto, key, original, wrapper, own });
  }

  private noteBullmq(worker: Record<string, unknown>): void {
    const queue = worker.name;
    if (typeof queue !== 'string') return;
    // clientName() is `<prefix>:<base64(queue)>` in BullMQ 5 and 6 alike, however the prefix is stored.
    const clientName = (worker.clientName as () => unknown).call(worker);
    const suffix = ':' + Buffer.from(queue).toString('base64');
    const prefix = typeof clientName === 'string' && clientName.endsWith(suffix) ? clientName.slice(0, -suffix.length) : 'bull';
    this.note('bullmq', queue, prefix);
  }

  private noteBull(queue: Record<string, unknown>): void {
    if (typeof queue.name !== 'string') return;
    this.note('bull', queue.name, typeof queue.keyPrefix === 'string' ? queue.keyPrefix : 'bull');
  }

  private note(kind: QueueMessage['kind'], queue: string, prefix: string): void {
    const key = `${kind}\0${prefix}\0${queue}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.report({ t: 'queue', pid: process.pid, queue, prefix, kind, time: Date.now() });
  }
}

function hasMethods(proto: unknown, ...names: string[]): boolean {
  if (proto === null || typeof proto !== 'object') return false;
  return names.every((name) => typeof (proto as Record<string, unknown>)[name] === 'function');
}
