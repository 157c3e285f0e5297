// Turns the messages of many agents into one Recording. Pure: the server and the spool reader feed
// it messages; it never does I/O. Messages come from other processes, so every one is checked
// before it touches the model, and a bad one is counted and dropped, never thrown.

import { BLOCKING_WAIT_FRAME } from '../../agent/blocking-wait';
import type { SpoolLoss } from '../../agent/protocol';
import { commandLabel, emptySamples, IDLE_FRAME_NAME, ProcessRecord, Recording, RecordingBuilder, RecordingMeta, ROOT_STACK, StackIndex, threadKey } from '../model';

const MAX_STRING = 4096;
/** Marks a frame of a hidden file in a chunk's frame translation table. */
const HIDDEN = -1;
/** The agent's Atomics.wait wrapper: the thread is blocked, so the sample is idle time. */
const BLOCKED = -2;
/** What the report says of a worker thread whose agent never said hello. */
const UNSAMPLED_THREAD =
  'worker thread not sampled: it loaded no agent (a thread started with its own execArgv is reached with -s; threads of an attached process are not sampled)';
const MAX_ARGV = 256;
/** More hits on one node than a whole day sampled at 10 kHz: a forged or corrupt chunk. */
const MAX_HITS = 2 ** 30;
/** The agent's own CPU on one process beyond a day is nonsense. */
const MAX_AGENT_CPU_MS = 86_400_000;

export interface AssemblerStats {
  processes: number;
  samples: number;
  /** Messages that were malformed and dropped. */
  rejected: number;
}

export class RecordingAssembler {
  private readonly builder: RecordingBuilder;
  private readonly seenChunks = new Set<string>();
  /** CPU readings and non-idle samples per process, turned into ProcessRecord.cpu at finish. */
  private readonly cpu = new Map<ProcessRecord, CpuReadings>();
  private samples = 0;
  /** What each process could not write to its spool (the largest of every running total it reported). */
  private readonly losses = new Map<ProcessRecord, SpoolLoss>();
  private idleStack: StackIndex | undefined;
  private rejected = 0;

  /**
   * @param hiddenFiles scripts whose frames are spliced out of every stack: wspy's own agent, whose
   * require hook would otherwise sit inside the application's module loading.
   */
  constructor(
    meta: Partial<RecordingMeta> & { startTime: number; intervalUs: number },
    private readonly hiddenFiles: ReadonlySet<string> = new Set(),
    /** The directory the spool is in, as the user should read it: named in the loss reason (`disk full at /tmp`). */
    private readonly spoolPlace = 'the recording directory',
  ) {
    this.builder = new RecordingBuilder();
    Object.assign(this.builder.recording.meta, meta);
  }

  get recording(): Recording {
    return this.builder.recording;
  }

  stats(): AssemblerStats {
    return { processes: this.recording.processes.length, samples: this.samples, rejected: this.rejected };
  }

  /**
   * Takes one untrusted message (already JSON-parsed). Returns false when it was dropped. Each
   * handler gets the message as unknown fields and checks every field it uses before using it.
   */
  ingest(raw: unknown): boolean {
    try {
      if (!isObject(raw) || !isPid(raw.pid)) return this.reject();
      if (raw.thread !== undefined && !isPid(raw.thread)) return this.reject();
      const msg = raw as Untrusted;
      switch (msg.t) {
        case 'hello':
          return this.hello(msg) || this.reject();
        case 'chunk':
          return this.chunk(msg) || this.reject();
        case 'spawn':
          return this.spawn(msg) || this.reject();
        case 'exit':
          return this.exit(msg) || this.reject();
        case 'thread':
          return this.thread(msg) || this.reject();
        case 'bye':
          if (msg.thread === undefined) this.agentCpu(this.processFor(msg.pid), msg);
          this.lossReport(msg);
          return true;
        case 'queue':
          return this.queue(msg) || this.reject();
        default:
          return this.reject();
      }
    } catch {
      return this.reject();
    }
  }

  /** Marks a process as failed in some way the user should see (e.g. its agent could not start). */
  addError(pid: number, error: string): void {
    this.processFor(pid).errors.push(error.slice(0, MAX_STRING));
  }

  /**
   * What a process could not write to its spool, from a loss marker or the spool reader (a file cut
   * short). Totals: the largest of each count is kept.
   */
  addLoss(pid: number, thread: number | undefined, loss: unknown): void {
    if (!isPid(pid) || (thread !== undefined && !isPid(thread)) || !isLoss(loss)) return void this.reject();
    const p = this.processFor(pid, thread);
    const known = this.losses.get(p);
    if (!known) return void this.losses.set(p, { ...loss });
    known.messages = Math.max(known.messages, loss.messages);
    known.chunks = Math.max(known.chunks, loss.chunks);
    known.samples = Math.max(known.samples, loss.samples);
    known.bytes = Math.max(known.bytes, loss.bytes);
    // The agent's own error code says more than "cut short", which is all the reader can see.
    if (known.code === CUT_SHORT) known.code = loss.code;
  }

  /** Closes the recording: processes still running end now. */
  finish(endTime: number): Recording {
    const r = this.recording;
    r.meta.endTime = endTime;
    for (const p of r.processes) {
      if (p.endTime === undefined) p.endTime = endTime;
      if (p.thread !== undefined && !p.sampled && p.errors.length === 0) p.errors.push(UNSAMPLED_THREAD);
    }
    for (const [p, c] of this.cpu) applyCpu(p, c, r.meta.idle);
    this.cpu.clear();
    for (const [p, l] of this.losses) {
      p.lost = { messages: l.messages, chunks: l.chunks, samples: l.samples, bytes: l.bytes, reason: lossReason(l.code, this.spoolPlace) };
    }
    return r;
  }

  private readings(p: ProcessRecord): CpuReadings {
    let c = this.cpu.get(p);
    if (!c) this.cpu.set(p, (c = { nonIdle: 0 }));
    return c;
  }

  /** CPU readings (µs) and a message count from the process's own agent. */
  private report(p: ProcessRecord, m: Untrusted): void {
    if (isTime(m.cpuUs)) {
      const c = this.readings(p);
      c.lastUs = Math.max(c.lastUs ?? 0, m.cpuUs);
    }
    if (isTime(m.sampleCpuUs)) this.readings(p).startUs = m.sampleCpuUs;
    if (isTime(m.profilerCpuUs)) {
      const c = this.readings(p);
      c.profilerUs = Math.max(c.profilerUs ?? 0, m.profilerCpuUs);
    }
    this.agentCpu(p, m);
    if (isInteger(m.messages) && m.messages >= 0) p.messages = Math.max(p.messages ?? 0, m.messages);
  }

  /**
   * The agent's own CPU where the profiler could not see it (its boot before sampling, its final
   * stop and encode: agentCpuMs on exit or bye, main thread only). Kept apart, never a sample, so
   * that no figure of the program counts what profiling added.
   */
  private agentCpu(p: ProcessRecord, m: Untrusted): void {
    const ms = m.agentCpuMs;
    if (m.thread !== undefined || typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_AGENT_CPU_MS) return;
    const c = this.readings(p);
    c.agentMs = Math.max(c.agentMs ?? 0, ms);
  }

  private reject(): false {
    this.rejected++;
    return false;
  }

  private hello(m: Untrusted): boolean {
    if (!isPid(m.ppid) || !isStringArray(m.argv) || !isStringArray(m.execArgv) || !isTime(m.start)) return false;
    const key = keyOf(m);
    let p = this.builder.process(key);
    // The same pid saying hello again with another start time is a new process (pid reuse).
    if (p && p.sampled && p.startTime !== undefined && Math.abs(p.startTime - m.start) > 1) {
      this.builder.rekeyProcess(p.key, `${p.key}@${p.startTime}`);
      p = undefined;
    }
    p = p ?? this.processFor(m.pid, m.thread);
    // A worker thread's parent in the tree is its own process.
    p.ppid = m.thread === undefined ? m.ppid : m.pid;
    p.argv = m.argv.slice(0, MAX_ARGV).map(clip);
    p.command = commandLabel(p.argv, this.recording.meta.cwd);
    p.cwd = typeof m.cwd === 'string' ? clip(m.cwd) : undefined;
    p.nodeVersion = typeof m.node === 'string' ? clip(m.node) : undefined;
    p.startTime = m.start;
    p.sampled = !m.error;
    // CPU when the agent started; the profiler's start comes with the chunks (sampleCpuUs).
    if (isTime(m.bootCpuUs)) this.readings(p).bootUs = m.bootCpuUs;
    if (isTime(m.cpuUs)) this.readings(p).startUs = m.cpuUs;
    if (typeof m.error === 'string') p.errors.push(clip(m.error));
    return true;
  }

  private chunk(m: Untrusted): boolean {
    if (!isInteger(m.seq) || !isTime(m.end) || !Array.isArray(m.frames) || !Array.isArray(m.nodes)) return false;
    if (m.nodes.length % 3 !== 0) return false;
    const key = `${keyOf(m)}:${m.seq}:${m.end}`;
    if (this.seenChunks.has(key)) return true;

    // Translate the chunk's own frame list once; samples then only use integers.
    const frames = new Array<number>(m.frames.length);
    for (let i = 0; i < m.frames.length; i++) {
      const f = m.frames[i];
      if (!Array.isArray(f) || typeof f[0] !== 'string' || typeof f[1] !== 'string') return false;
      if (this.hiddenFiles.has(f[1])) frames[i] = f[0] === BLOCKING_WAIT_FRAME ? BLOCKED : HIDDEN;
      else frames[i] = this.builder.frame(clip(f[0]), clip(f[1]), toLine(f[2]), toLine(f[3]));
    }
    const nodeCount = m.nodes.length / 3;
    const stacks = new Array<StackIndex>(nodeCount);
    const hits: Array<[StackIndex, number]> = [];
    let idleHits = 0;
    for (let i = 0; i < nodeCount; i++) {
      const parent = m.nodes[3 * i];
      const frame = m.nodes[3 * i + 1];
      const count = m.nodes[3 * i + 2];
      if (!isInteger(parent) || parent < -1 || parent >= i) return false;
      if (!isInteger(frame) || frame < 0 || frame >= frames.length) return false;
      if (!isInteger(count) || count < 0 || count > MAX_HITS) return false;
      const parentStack = parent === -1 ? ROOT_STACK : stacks[parent];
      if (frames[frame] === BLOCKED || (this.idleStack !== undefined && parentStack === this.idleStack)) stacks[i] = this.idle();
      else stacks[i] = frames[frame] === HIDDEN ? parentStack : this.builder.stack(frames[frame], parentStack);
      if (count > 0 && stacks[i] !== ROOT_STACK) {
        hits.push([stacks[i], count]);
        if (m.frames[frame][0] === IDLE_FRAME_NAME || stacks[i] === this.idleStack) idleHits += count;
      }
    }

    this.seenChunks.add(key);
    const p = this.processFor(m.pid, m.thread);
    p.sampled = true;
    const time = m.end - this.recording.meta.startTime;
    let all = 0;
    for (const [stack, count] of hits) {
      this.builder.addSamples(p, stack, count, time);
      all += count;
    }
    this.samples += all;
    this.readings(p).nonIdle += all - idleHits;
    this.report(p, m);
    this.lossReport(m);
    return true;
  }

  private spawn(m: Untrusted): boolean {
    if (!isPid(m.child) || !isStringArray(m.argv) || !isTime(m.time)) return false;
    const child = this.processFor(m.child);
    // The child's own hello knows better (an exec through a shell has its own pid and argv).
    if (child.argv.length === 0) {
      child.ppid = m.pid;
      child.argv = m.argv.slice(0, MAX_ARGV).map(clip);
      child.command = commandLabel(child.argv, this.recording.meta.cwd);
      child.startTime = child.startTime ?? m.time;
    }
    return true;
  }

  private exit(m: Untrusted): boolean {
    if (!isPid(m.of) || !isTime(m.time)) return false;
    // A worker thread reports only its own end; a process reports its own or a child's.
    const p = m.thread !== undefined && m.of === m.pid ? this.processFor(m.pid, m.thread) : this.processFor(m.of);
    p.endTime = Math.max(p.endTime ?? 0, m.time);
    if (typeof m.code === 'number') p.exitCode = m.code;
    if (typeof m.signal === 'string') p.signal = clip(m.signal);
    if (m.of === m.pid) {
      this.report(p, m);
      this.lossReport(m);
    }
    return true;
  }

  /** `lost` on a chunk, exit or bye: the agent's running total of what it could not spool. */
  private lossReport(m: Untrusted): void {
    if (m.lost !== undefined) this.addLoss(m.pid, m.thread, m.lost);
  }

  /** A worker thread started; its own agent's hello, if it has one, fills the rest in. */
  private thread(m: Untrusted): boolean {
    if (!isTime(m.time)) return false;
    const t = this.processFor(m.pid, m.thread);
    t.startTime = t.startTime ?? m.time;
    return true;
  }

  /** The process works for a queue: its agent saw it create a BullMQ or Bull worker. */
  private queue(m: Untrusted): boolean {
    if (typeof m.queue !== 'string' || m.queue === '') return false;
    const p = this.processFor(m.pid);
    const queue = clip(m.queue);
    p.queues = p.queues ?? [];
    if (!p.queues.includes(queue) && p.queues.length < MAX_ARGV) p.queues.push(queue);
    return true;
  }

  /** The stack of V8's own idle frame, made the first time a blocked sample needs it. */
  private idle(): StackIndex {
    if (this.idleStack === undefined) this.idleStack = this.builder.stack(this.builder.frame(IDLE_FRAME_NAME, '', 0, 0), ROOT_STACK);
    return this.idleStack;
  }

  private processFor(pid: number, thread?: number): ProcessRecord {
    return this.builder.upsertProcess(thread === undefined ? String(pid) : threadKey(pid, thread), () => ({
      pid,
      ppid: thread === undefined ? 0 : pid,
      ...(thread === undefined ? {} : { thread }),
      argv: [],
      command: `pid ${pid}`,
      sampled: false,
      intervalUs: this.recording.meta.intervalUs,
      samples: emptySamples(),
      errors: [],
    }));
  }
}

/** What a process's agent said about its CPU time, and how many non-idle samples it sent. */
interface CpuReadings {
  bootUs?: number;
  startUs?: number;
  lastUs?: number;
  /** V8's profiler thread, within lastUs - startUs. */
  profilerUs?: number;
  agentMs?: number;
  nonIdle: number;
}

/**
 * The process's own CPU readings onto its record: CPU before the agent, and CPU per sample. V8's
 * sampler ticks on wall time while the thread could run, so on a machine busier than its cores the
 * samples overstate CPU; weighting each non-idle sample by (CPU since sampling started / non-idle
 * samples) makes every figure CPU ms. Idle time kept (--idle) is wall time by nature: not reweighted.
 * What V8's profiler thread used in that time is profiling's cost, not the program's: it is taken
 * out of the samples' CPU and kept with the agent's own.
 */
function applyCpu(p: ProcessRecord, c: CpuReadings, idleKept: boolean): void {
  if (c.startUs === undefined || c.lastUs === undefined) return;
  const windowUs = Math.max(0, c.lastUs - c.startUs);
  const profilerUs = Math.min(c.profilerUs ?? 0, windowUs);
  const sampledUs = windowUs - profilerUs;
  const agentMs = c.agentMs === undefined && c.profilerUs === undefined ? undefined : (c.agentMs ?? 0) + profilerUs / 1000;
  p.cpu = {
    ...(c.bootUs !== undefined && c.bootUs <= c.startUs ? { beforeAgentMs: c.bootUs / 1000 } : {}),
    sampledMs: sampledUs / 1000,
    ...(agentMs !== undefined ? { agentMs } : {}),
  };
  if (!idleKept && c.nonIdle > 0 && sampledUs > 0) p.intervalUs = sampledUs / c.nonIdle;
}

/** A loss seen by the spool reader (a file that ends mid-line): the agent's code is not known. */
export const CUT_SHORT = 'CUT_SHORT';

/** More than any real process could lose: a forged count. */
const MAX_LOSS = 2 ** 40;

function isLoss(x: unknown): x is SpoolLoss {
  if (!isObject(x)) return false;
  const counts = [x.messages, x.chunks, x.samples, x.bytes];
  return counts.every((n) => isInteger(n) && n >= 0 && n < MAX_LOSS) && (x.messages as number) > 0 && typeof x.code === 'string' && /^[A-Z0-9_]{1,16}$/.test(x.code);
}

/** Why a process lost data, in words: the error code of its failed spool writes, and where. */
export function lossReason(code: string, place: string): string {
  switch (code) {
    case 'ENOSPC':
      return `disk full at ${place}`;
    case 'EDQUOT':
      return `disk quota exceeded at ${place}`;
    case CUT_SHORT:
      return `a spool file was cut short at ${place} (disk full?)`;
    default:
      return `${code} writing the spool at ${place}`;
  }
}

/** A message whose pid (and thread, when present) was checked; every other field is still the sender's word. */
type Untrusted = Record<string, unknown> & { pid: number; thread?: number };

/** The process record a message belongs to: the process's, or one of its worker threads'. */
function keyOf(m: Untrusted): string {
  return m.thread === undefined ? String(m.pid) : threadKey(m.pid, m.thread);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isPid(x: unknown): x is number {
  return Number.isInteger(x) && (x as number) >= 0 && (x as number) < 2 ** 32;
}

function isInteger(x: unknown): x is number {
  return Number.isInteger(x);
}

function isTime(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0;
}

function isStringArray(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string');
}

function toLine(x: unknown): number {
  return Number.isInteger(x) && (x as number) > 0 ? (x as number) : 0;
}

function clip(s: string): string {
  return s.length > MAX_STRING ? s.slice(0, MAX_STRING) : s;
}
