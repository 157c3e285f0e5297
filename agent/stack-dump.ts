// The current JavaScript stack of a process's main thread, taken through V8's debugger: Debugger.pause
// interrupts JavaScript wherever it is, even in a long synchronous loop that no timer or socket
// handler could ever interrupt, and Debugger.paused carries the call frames. Two callers share the
// frame conversion here: wspy's CLI through the target's inspector port (collector/attach/stack.ts),
// and a worker thread inside a prepared process (dumpMainThreadStack below), which needs no port.
//
// In a prepared process the dormant agent's listener thread (agent/listener-thread.ts) serves the
// dormant socket from its own event loop, where a stuck main thread cannot block it; on a 'dump'
// request it calls `dumpMainThreadStack()` and sends back the StackDump as JSON. The session is
// connected for the dump only and disconnected before it resolves, and it never throws (a failure is
// reported in `error`). The thread stays alive after a dump: a worker that ended right after dumping
// a main thread still stuck in its loop aborted the process (SIGABRT, no message) in about 1 run in
// 8 on Node 20.

/** One frame of a dumped stack, innermost first in StackDump.frames. */
export interface StackFrame {
  /** '' for an anonymous function. */
  name: string;
  /** The script's path or URL ('' when V8 knows none). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface StackDump {
  pid: number;
  /** Innermost frame first; empty when the thread was idle in its event loop. */
  frames: StackFrame[];
  /** Set when no stack could be taken. */
  error?: string;
}

/** The parts of a DevTools-protocol Debugger.CallFrame that a dump uses. */
export interface CdpCallFrame {
  functionName?: string;
  url?: string;
  location?: { scriptId?: string; lineNumber?: number; columnNumber?: number };
}

/**
 * Debugger.paused call frames as StackFrames. `scriptUrls` (from Debugger.scriptParsed) names the
 * scripts: a call frame's own `url` is deprecated and empty on Node 20. The input comes from
 * another process, so every field is checked.
 */
export function framesFromCallFrames(callFrames: unknown, scriptUrls: ReadonlyMap<string, string>): StackFrame[] {
  if (!Array.isArray(callFrames)) return [];
  const frames = callFrames.slice(0, MAX_FRAMES).map((raw: CdpCallFrame) => {
    const location = raw?.location ?? {};
    const file = (typeof raw?.url === 'string' && raw.url) || scriptUrls.get(String(location.scriptId)) || '';
    return {
      name: typeof raw?.functionName === 'string' ? raw.functionName.slice(0, MAX_NAME) : '',
      file: file.slice(0, MAX_NAME),
      line: toPositive(location.lineNumber) + 1,
      column: toPositive(location.columnNumber) + 1,
    };
  });
  return frames.filter((f) => f.file !== IDLE_PROBE_URL);
}

/**
 * Debugger.pause pauses at the next JavaScript statement, so a thread idle in its event loop would
 * never pause. Evaluating this right after the pause request makes it pause here instead; frames of
 * this script are dropped, so an idle thread dumps as no frames. A busy thread pauses in its own code
 * first and evaluates this while paused, which does not pause again.
 */
export const IDLE_PROBE_URL = 'wspy-idle-probe';
export const IDLE_PROBE_SOURCE = `0\n//# sourceURL=${IDLE_PROBE_URL}`;

const MAX_FRAMES = 512;
const MAX_NAME = 4096;

function toPositive(n: unknown): number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 0;
}

/** How long a dump may take in a worker before it gives up (the main thread may be blocked in native code). */
const DUMP_TIMEOUT_MS = 2000;

interface WorkerSession {
  connectToMainThread(): void;
  post(method: string, params: object, callback: (error: Error | null, result?: unknown) => void): void;
  on(event: string, listener: (message: { params: unknown }) => void): void;
  disconnect(): void;
}

/**
 * The main thread's current stack, taken from a worker thread of the same process
 * (`inspector.Session.connectToMainThread()`, Node 12.11 and later). Call it only in a worker
 * thread: the main thread cannot pause itself. Resolves, never rejects.
 */
export function dumpMainThreadStack(timeoutMs = DUMP_TIMEOUT_MS): Promise<StackDump> {
  const pid = process.pid;
  return new Promise<StackDump>((resolve) => {
    let session: WorkerSession | undefined;
    let done = false;
    const finish = (dump: StackDump) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        // Disconnecting disables this session's debugger, which resumes the main thread if it is
        // still paused (after a timeout, say).
        session?.disconnect();
      } catch {
        // already disconnected
      }
      resolve(dump);
    };
    const timer = setTimeout(() => finish({ pid, frames: [], error: `the main thread did not pause within ${timeoutMs} ms` }), timeoutMs);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const inspector = require('inspector') as { Session: new () => WorkerSession };
      const worker = require('worker_threads') as { isMainThread: boolean };
      if (worker.isMainThread) return finish({ pid, frames: [], error: 'dumpMainThreadStack() must run in a worker thread' });
      session = new inspector.Session();
      session.connectToMainThread();
      const scriptUrls = new Map<string, string>();
      session.on('Debugger.scriptParsed', ({ params }) => {
        const p = params as { scriptId?: unknown; url?: unknown };
        if (typeof p?.scriptId === 'string' && typeof p.url === 'string') scriptUrls.set(p.scriptId, p.url);
      });
      session.on('Debugger.paused', ({ params }) => {
        const frames = framesFromCallFrames((params as { callFrames?: unknown })?.callFrames, scriptUrls);
        session!.post('Debugger.resume', {}, () => finish({ pid, frames }));
      });
      const failed = (error: Error | null) => error && finish({ pid, frames: [], error: error.message });
      session.post('Debugger.enable', {}, (error) => {
        if (error) return failed(error);
        session!.post('Debugger.pause', {}, failed);
        session!.post('Runtime.evaluate', { expression: IDLE_PROBE_SOURCE, silent: true }, () => undefined);
      });
    } catch (error) {
      finish({ pid, frames: [], error: String((error as Error)?.message ?? error) });
    }
  });
}
