// The one seam over @datadog/pprof's native time profiler. The package's JavaScript (serializer,
// source maps, dependencies) costs 20-50 ms per process, so the agent loads the prebuilt binding
// itself and reads V8's call tree straight from it.
import * as fs from 'fs';
import * as path from 'path';

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
 */
export function profilerOptions(intervalUs: number, isMainThread = true): Record<string, unknown> {
  return {
    intervalMicros: intervalUs,
    durationMillis: 60000,
    lineNumbers: false,
    withContexts: false,
    workaroundV8Bug: true,
    collectCpuTime: false,
    collectAsyncId: false,
    isMainThread,
    useCPED: false,
  };
}

/** Loads the binding for this Node ABI and starts sampling; throws with a readable message if it cannot. */
export function startSampler(bindingsDir: string, intervalUs: number, isMainThread = true): Sampler {
  const binding = loadBinding(bindingsDir);
  const profiler = new binding.TimeProfiler(profilerOptions(intervalUs, isMainThread));
  profiler.start();
  let running = true;
  return {
    collect(restart: boolean): ProfileNode {
      if (!running) throw new Error('sampler already stopped');
      const { topDownRoot } = profiler.stop(restart);
      if (restart) {
        // V8's profiler thread can get stuck and return empty profiles from then on; a full
        // stop and start resets it (the same workaround @datadog/pprof applies).
        if ((profiler.v8ProfilerStuckEventLoopDetected?.() ?? 0) > 0) {
          profiler.stop(false);
          profiler.start();
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
