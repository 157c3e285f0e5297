// The one seam over @datadog/pprof's native time profiler. The package's JavaScript (serializer,
// source maps, dependencies) costs 20-50 ms per process, so the agent loads the prebuilt binding
// itself and reads V8's call tree straight from it.
import * as fs from 'fs';
import * as path from 'path';
import { newProfilerThread, threadCpuUs, threadIds } from './profiler-thread';

/** One node of V8's top-down call tree, as the binding returns it. */
export interface ProfileNode {
  name: string;
  scriptName: string;
  lineNumber: number;
  columnNumber: number;
  hitCount: number;
  children: ProfileNode[];
}

export interface Sampler {
  /** The tree sampled since the last call; restart=true samples on, false stops for good. */
  collect(restart: boolean): ProfileNode;
  /** CPU (µs) of V8's profiler thread since sampling started; undefined where it cannot be read. */
  profilerCpuUs(): number | undefined;
}

interface NativeTimeProfiler {
  start(): void;
  stop(restart: boolean): { topDownRoot: ProfileNode };
  dispose(): void;
  v8ProfilerStuckEventLoopDetected?(): number;
}

interface Binding {
  TimeProfiler: new (options: Record<string, unknown>) => NativeTimeProfiler;
}

/**
 * The TimeProfiler's options: wall-clock samples of the thread that starts it (each isolate has its own), function lines (not call-site
 * lines, so that a function is one frame), no per-sample contexts; every field is required by the
 * binding.
 *
 * workaroundV8Bug is off. With it on, every restart (each chunk) sleeps in the binding until two
 * profiler signals have passed (~8 ms at 250 Hz, measured: ~0.1 ms without) and every sample passes
 * through the binding's own SIGPROF handler. Without it the binding still detects the stuck V8
 * profiler it guards against (it records two extra non-tick samples per start and compares them at
 * stop), and collect() then restarts the profiler in full; see samplerOf.
 */
export function profilerOptions(intervalUs: number, isMainThread = true): Record<string, unknown> {
  return {
    intervalMicros: intervalUs,
    durationMillis: 60000,
    lineNumbers: false,
    withContexts: false,
    workaroundV8Bug: false,
    collectCpuTime: false,
    collectAsyncId: false,
    isMainThread,
    useCPED: false,
  };
}

/** A loaded binding whose profiler is not running yet: `start()` begins sampling. */
export interface LoadedSampler {
  start(): Sampler;
}

/**
 * Loads the binding for this Node ABI and creates the profiler without starting it, so that the
 * agent can do its other boot steps first and V8's start (a walk over every code object) times none
 * of them. Throws with a readable message if the binding cannot load.
 */
export function loadSampler(bindingsDir: string, intervalUs: number, isMainThread = true): LoadedSampler {
  const binding = loadBinding(bindingsDir);
  const profiler = new binding.TimeProfiler(profilerOptions(intervalUs, isMainThread));
  return {
    start(): Sampler {
      return samplerOf(profiler, isMainThread);
    },
  };
}

/**
 * Starts the profiler and finds the thread V8 starts for it. Only the main thread looks: its CPU
 * readings are the only ones the collector uses (process.cpuUsage() counts every thread).
 */
function startWatched(profiler: NativeTimeProfiler, watch: boolean): string | undefined {
  const before = watch ? threadIds() : undefined;
  profiler.start();
  return watch ? newProfilerThread(before) : undefined;
}

function samplerOf(profiler: NativeTimeProfiler, watchThread: boolean): Sampler {
  let running = true;
  let thread = startWatched(profiler, watchThread);
  const watched = thread !== undefined;
  /** CPU of profiler threads that have ended (a full restart starts a new one), and the current one's last reading. */
  let endedUs = 0;
  let lastUs = 0;
  const readThread = (): number => {
    const now = thread === undefined ? undefined : threadCpuUs(thread);
    if (now !== undefined) lastUs = now;
    return lastUs;
  };
  return {
    profilerCpuUs: () => (watched ? endedUs + readThread() : undefined),
    collect(restart: boolean): ProfileNode {
      if (!running) throw new Error('sampler already stopped');
      const { topDownRoot } = profiler.stop(restart);
      if (restart) {
        // V8's profiler thread can get stuck on its tick buffer and return empty profiles from then
        // on. The binding detects it at every stop (it always records two non-tick samples to
        // check); a full stop and start resets it, as @datadog/pprof does.
        if ((profiler.v8ProfilerStuckEventLoopDetected?.() ?? 0) > 0) {
          endedUs += readThread();
          lastUs = 0;
          profiler.stop(false);
          thread = startWatched(profiler, watched);
        }
      } else {
        running = false;
        profiler.dispose();
      }
      return topDownRoot;
    },
  };
}

function loadBinding(dir: string): Binding {
  const abi = process.versions.modules;
  const names = [`dd_pprof.node.abi${abi}.node`, `dd_pprof.musl.node.abi${abi}.node`];
  // Alpine marks itself; there the glibc build cannot load, so try musl first.
  if (fs.existsSync('/etc/alpine-release')) names.reverse();
  const failures: string[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) continue;
    try {
      return require(file) as Binding;
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message}`);
    }
  }
  if (failures.length) throw new Error(`cannot load the profiler binding (${failures.join('; ')})`);
  throw new Error(`no profiler binding for Node ${process.version} (ABI ${abi}) in ${dir}`);
}
