// Which thread the agent runs in. --require also runs in worker threads (NODE_OPTIONS reaches every
// worker; a command-line --require reaches those that inherit execArgv), where the agent samples the
// thread's own isolate and reports it as a thread of its process.

let cached: { id: number | undefined } | undefined;

/**
 * The worker thread's id, or undefined on the main thread. Requiring worker_threads costs the main
 * thread ~2 ms, but a worker has always loaded it already, so the module list tells the main thread
 * apart for free.
 */
export function workerThreadId(): number | undefined {
  if (cached) return cached.id;
  const loaded = (process as unknown as { moduleLoadList?: string[] }).moduleLoadList;
  let id: number | undefined;
  if (!Array.isArray(loaded) || loaded.includes('NativeModule worker_threads')) {
    const wt = require('worker_threads') as typeof import('worker_threads');
    id = wt.isMainThread ? undefined : wt.threadId;
  }
  cached = { id };
  return id;
}

/**
 * The script a worker thread runs, once it has loaded (a CommonJS entry sets process.mainModule);
 * undefined before, and for eval'd code and ES module entries.
 */
export function threadEntry(): string | undefined {
  const main = (process as unknown as { mainModule?: { filename?: unknown } }).mainModule;
  return typeof main?.filename === 'string' ? main.filename : undefined;
}

/**
 * Key of the agent's configuration in worker_threads' environment data. Without `follow` the main
 * thread takes WSPY_AGENT out of process.env (so that child processes do not load the agent), and a
 * worker's process.env is a copy made when it starts; environment data is how a worker still gets it.
 */
const CONFIG_KEY = 'wspy.agent';

type WorkerThreads = typeof import('worker_threads');

/** Hands the configuration (JSON) to every worker the application starts from now on. */
export function shareConfigWithWorkers(workerThreads: unknown, configJson: string | undefined): void {
  const wt = workerThreads as Partial<WorkerThreads> | undefined;
  if (typeof wt?.setEnvironmentData === 'function') wt.setEnvironmentData(CONFIG_KEY, configJson);
}

/** In a worker thread, the configuration its process's agent shared; undefined elsewhere. */
export function configFromMainThread(): string | undefined {
  if (workerThreadId() === undefined) return undefined;
  const wt = require('worker_threads') as Partial<WorkerThreads>;
  const value = typeof wt.getEnvironmentData === 'function' ? wt.getEnvironmentData(CONFIG_KEY) : undefined;
  return typeof value === 'string' ? value : undefined;
}
