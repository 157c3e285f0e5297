// Following child processes. Children normally inherit NODE_OPTIONS (our --require) and WSPY_AGENT;
// children started with an explicit env get them added back by a patch of
// ChildProcess.prototype.spawn, the one place that fork, spawn, exec, execFile and cluster.fork all
// pass through. The same patch reports every child (Node or not) and how it ended.
//
// Loading child_process costs a fork about 3.5 ms, so the patch waits until the application loads
// child_process or cluster itself (seen through Module._load), or until the process has lived long
// enough to stream (patchNow).
//
// The same Module._load watch hands the agent's configuration to worker threads when the
// application loads worker_threads (thread.ts), and shows queues.ts the modules the application
// loads, so that it can notice BullMQ and Bull workers; for that the watch stays in place for the agent's whole life (one
// type check per bare `require`), and without `follow` it is all the follower does.
import type { ChildProcess } from 'child_process';
import { cjsModuleClass } from './cjs-module';
import { addAgentToEnvPairs } from './environment';
import type { AgentConfig, ExitMessage, QueueMessage, SpawnMessage } from './protocol';
import { QueueWatch } from './queues';
import { shareConfigWithWorkers } from './thread';

type Report = (message: SpawnMessage | ExitMessage) => void;
type SpawnFn = (this: ChildProcess, options: SpawnOptionsInternal) => unknown;
type LoadFn = (request: string, parent: unknown, isMain: boolean) => unknown;

/** What ChildProcess.prototype.spawn receives from normalizeSpawnArguments (Node internals). */
interface SpawnOptionsInternal {
  envPairs?: string[];
  args?: string[];
  file?: string;
}

const TRIGGERS = new Set(['child_process', 'node:child_process', 'cluster', 'node:cluster']);
const WORKER_THREADS = new Set(['worker_threads', 'node:worker_threads']);

export class ChildFollower {
  private originalSpawn: SpawnFn | undefined;
  private patchedSpawn: SpawnFn | undefined;
  private originalLoad: LoadFn | undefined;
  private wrappedLoad: LoadFn | undefined;
  private loadWatch = false;
  private active = true;
  /** Queue messages go straight to the spool, where `wspy ps` can read them too. */
  private readonly queues = new QueueWatch((m) => this.spool(m));
  private readonly children = new Map<ChildProcess, (code: number | null, signal: string | null) => void>();
  /** worker_threads, once the application loaded it and its workers were given the configuration. */
  private workerThreads: unknown;

  constructor(
    private readonly config: AgentConfig,
    private readonly report: Report,
    /** Appends to this process's spool (the agent's, which counts what it cannot write). */
    private readonly spool: (message: QueueMessage) => void,
  ) {}

  /**
   * Patches spawn as soon as the application loads child_process or cluster (with `follow`), and
   * shows queues.ts every package the application loads.
   */
  watchLoads(): void {
    if (this.originalLoad || !this.active) return;
    const Module = cjsModuleClass();
    const original = Module._load;
    const follower = this;
    this.loadWatch = this.config.follow && !this.originalSpawn;
    this.wrappedLoad = function wspyLoad(this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
      const loaded = original.apply(this, [request, parent, isMain]);
      if (typeof request !== 'string') return loaded;
      if (follower.loadWatch && TRIGGERS.has(request)) {
        follower.loadWatch = false;
        try {
          follower.patchNow();
        } catch {
          // never into the host program
        }
      }
      if (!follower.workerThreads && WORKER_THREADS.has(request)) follower.shareWithWorkers(loaded);
      // Packages only: a relative or absolute request is the application's own code.
      const first = request.charCodeAt(0);
      if (first !== 46 /* . */ && first !== 47 /* / */) follower.queues.inspect(loaded);
      return loaded;
    } as LoadFn;
    this.originalLoad = original;
    Module._load = this.wrappedLoad;
  }

  /**
   * Patches ChildProcess.prototype.spawn now (loads child_process if needed), when following.
   * In a process that was already running (attach), also looks for a queue library it loaded.
   */
  patchNow(): void {
    this.loadWatch = false;
    if (!this.active) return;
    if (!this.originalLoad) {
      this.queues.inspectLoaded();
      this.watchLoads();
      this.loadWatch = false;
    }
    if (this.originalSpawn || !this.config.follow) return;
    const proto = (require('child_process') as typeof import('child_process')).ChildProcess.prototype as unknown as {
      spawn: SpawnFn;
    };
    const original = proto.spawn;
    const follower = this;
    this.patchedSpawn = function wspySpawn(this: ChildProcess, options: SpawnOptionsInternal): unknown {
      if (follower.active && options && Array.isArray(options.envPairs)) {
        try {
          addAgentToEnvPairs(options.envPairs, follower.config);
        } catch {
          // leave the child's env as it was
        }
      }
      // eslint-disable-next-line prefer-rest-params
      const result = original.apply(this, arguments as unknown as [SpawnOptionsInternal]);
      if (follower.active) follower.track(this, options);
      return result;
    };
    this.originalSpawn = original;
    proto.spawn = this.patchedSpawn;
  }

  /** Restores spawn and Module._load, and forgets the children. */
  undo(): void {
    this.active = false;
    this.unwatchLoads();
    if (this.workerThreads) shareConfigWithWorkers(this.workerThreads, undefined);
    this.workerThreads = undefined;
    this.queues.undo();
    if (this.originalSpawn) {
      const proto = (require('child_process') as typeof import('child_process')).ChildProcess.prototype as unknown as {
        spawn: SpawnFn;
      };
      // Someone who patched after us keeps their patch; ours then only passes through (active=false).
      if (proto.spawn === this.patchedSpawn) proto.spawn = this.originalSpawn;
      this.originalSpawn = undefined;
    }
    for (const [child, onExit] of this.children) child.removeListener('exit', onExit);
    this.children.clear();
  }

  /** Worker threads load the agent too (--require reaches them); they learn where to send through this. */
  private shareWithWorkers(workerThreads: unknown): void {
    this.workerThreads = workerThreads;
    try {
      shareConfigWithWorkers(workerThreads, JSON.stringify(this.config));
    } catch {
      // never into the host program
    }
  }

  private unwatchLoads(): void {
    this.loadWatch = false;
    if (!this.originalLoad) return;
    const Module = cjsModuleClass();
    if (Module._load === this.wrappedLoad) Module._load = this.originalLoad;
    this.originalLoad = undefined;
  }

  private track(child: ChildProcess, options: SpawnOptionsInternal | undefined): void {
    try {
      const pid = child.pid;
      if (typeof pid !== 'number') return; // spawn failed; the application gets its 'error'
      const argv = Array.isArray(options?.args) ? options!.args.map(String) : [String(options?.file ?? '')];
      this.report({ t: 'spawn', pid: process.pid, child: pid, argv, time: Date.now() });
      const onExit = (code: number | null, signal: string | null): void => {
        this.children.delete(child);
        if (!this.active) return;
        try {
          this.report({ t: 'exit', pid: process.pid, of: pid, code, signal, time: Date.now() });
        } catch {
          // never into the host program
        }
      };
      this.children.set(child, onExit);
      child.once('exit', onExit);
    } catch {
      // never into the host program
    }
  }
}
