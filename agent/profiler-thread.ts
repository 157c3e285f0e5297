// The CPU of V8's profiler thread ("v8:ProfEvntProc"), which symbolises every sample and records
// every code event for the profiler: a cost of profiling, not of the program. process.cpuUsage()
// counts it with the process's other threads, and the collector weights samples by that CPU, so
// without this reading every sample of the program would carry a share of the profiler's own work.
// Linux only (/proc/self/task/<tid>/schedstat, nanoseconds); elsewhere every function says undefined.
import * as fs from 'fs';

const TASKS = '/proc/self/task';
const PROFILER_THREAD_NAME = 'v8:ProfEvntProc';

/** The process's thread ids now, or undefined without /proc. */
export function threadIds(): string[] | undefined {
  try {
    return fs.readdirSync(TASKS);
  } catch {
    return undefined;
  }
}

/**
 * The profiler thread that V8 started since `before` was listed. Starting the profiler starts one
 * thread, so a single new thread is it (no name to read at every fork's boot); when several are
 * new (another isolate started threads meanwhile), the one with its name. Undefined if unsure.
 */
export function newProfilerThread(before: string[] | undefined): string | undefined {
  const after = before && threadIds();
  if (!after) return undefined;
  const known = new Set(before);
  const fresh = after.filter((tid) => !known.has(tid));
  const found = fresh.length === 1 ? fresh : fresh.filter((tid) => threadName(tid) === PROFILER_THREAD_NAME);
  return found.length === 1 ? found[0] : undefined;
}

/** The thread's CPU time so far in µs (user + system), or undefined once it has ended. */
export function threadCpuUs(tid: string): number | undefined {
  const n = readShort(`${TASKS}/${tid}/schedstat`);
  if (!n) return undefined;
  // The first field, in ns; read from the bytes, since a string costs its first call more than the read.
  let ns = 0;
  for (let i = 0; i < n && buffer[i] >= 0x30 && buffer[i] <= 0x39; i++) ns = ns * 10 + buffer[i] - 0x30;
  return ns / 1000;
}

function threadName(tid: string): string | undefined {
  const n = readShort(`${TASKS}/${tid}/comm`);
  return n === undefined ? undefined : buffer.toString('latin1', 0, n).trim();
}

const buffer = Buffer.alloc(128);

/** Reads a short /proc file into `buffer`: open, one read, close (readFileSync's first call costs ~0.7 ms, this ~0.3). */
function readShort(file: string): number | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    return fs.readSync(fd, buffer, 0, buffer.length, 0);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
