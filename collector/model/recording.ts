// The Recording: wspy's in-memory model of a profile of many processes.
//
// In the spirit of the Firefox Profiler and speedscope: one string table, a frame table keyed by
// (function name, file, line, column), a stack table of (frame, parent stack) so that a sample is a
// single integer, and per process parallel arrays of sample stack, count and time. Everything that is
// merged (chunks of one process, processes of one recording, recordings of several hosts) is merged
// through index translation tables, never by comparing strings per sample.
//
// This module is pure: it imports no I/O, so importers, exporters, the viewer and the analysis can
// all use it in tests without a running collector.

import { UserError } from './errors';
import type { LostData } from './lost';

export type StringIndex = number;
export type FrameIndex = number;
/** Index into the stack table; -1 is the (implicit) root. */
export type StackIndex = number;
export const ROOT_STACK: StackIndex = -1;

export interface FrameTable {
  name: StringIndex[];
  file: StringIndex[];
  /** 1-based line of the function, 0 when unknown. */
  line: number[];
  /** 1-based column, 0 when unknown. */
  column: number[];
}

export interface StackTable {
  frame: FrameIndex[];
  parent: StackIndex[];
}

/** Samples of one process, as parallel arrays in time order. */
export interface SampleTable {
  stack: StackIndex[];
  /** Number of samples taken at that stack (chunks aggregate samples of one window). */
  count: number[];
  /** Milliseconds since the recording's start at which those samples ended. */
  time: number[];
}

export interface ProcessRecord {
  /** Unique within the recording: `pid`, or `host:pid` once recordings of several hosts are merged. */
  key: string;
  pid: number;
  ppid: number;
  host?: string;
  /**
   * Set for a worker thread: its worker_threads.threadId. The record then stands for that thread of
   * process `pid` (its parent in the process tree), with the thread's own samples.
   */
  thread?: number;
  argv: string[];
  /** What the report shows for the process: argv without the node binary's path noise. */
  command: string;
  cwd?: string;
  nodeVersion?: string;
  /** ms since the epoch; undefined when unknown. */
  startTime?: number;
  endTime?: number;
  exitCode?: number | null;
  signal?: string | null;
  /** True when an agent ran in the process (false for non-Node descendants). */
  sampled: boolean;
  /**
   * What one sample stands for, in µs: the sampling interval, or (for processes whose agent measured
   * its CPU time, see `cpu`) the process's CPU time per non-idle sample, so that samples read as CPU.
   */
  intervalUs: number;
  samples: SampleTable;
  errors: string[];
  /** Queue names the process works for, where known. */
  queues?: string[];
  /** CPU time the process measured itself (`process.cpuUsage()`), where its agent reported it. */
  cpu?: ProcessCpu;
  /** IPC messages the process received (jobs, for a pooled child), where its agent counted them. */
  messages?: number;
  /** What the process could not hand over (its spool writes failed: a full disk), where it lost anything. */
  lost?: LostData;
}

export interface ProcessCpu {
  /** CPU ms before the agent ran (spawn and Node's bootstrap), which no sample sees; launch mode only. */
  beforeAgentMs?: number;
  /** CPU ms from the start of sampling to the last report: what the samples stand for. */
  sampledMs: number;
  /**
   * CPU ms that profiling itself used where no sample shows it: the agent's boot, its last stop and
   * encode, and V8's profiler thread (Linux); kept out of every figure of the program.
   */
  agentMs?: number;
}

/** CPU ms of a process that no sample stands for (before its agent ran); 0 when unknown. */
export function unsampledCpuMs(p: ProcessRecord): number {
  return p.cpu?.beforeAgentMs ?? 0;
}

export interface RecordingMeta {
  title: string;
  /** ms since the epoch. */
  startTime: number;
  endTime: number;
  /** Default sampling interval in microseconds (processes may differ when imported). */
  intervalUs: number;
  /** Idle samples were kept. */
  idle: boolean;
  /** The command line that was recorded, where there was one. */
  command?: string[];
  /** Directory used to shorten project paths. */
  cwd?: string;
  host?: string;
  /** Where the data came from: "record", "attach", or an importer's name. */
  source: string;
  wspyVersion: string;
}

export interface Recording {
  meta: RecordingMeta;
  strings: string[];
  frames: FrameTable;
  stacks: StackTable;
  processes: ProcessRecord[];
}

/** Name V8 gives to samples taken while the event loop waits. */
export const IDLE_FRAME_NAME = '(idle)';


export function emptyRecording(meta: Partial<RecordingMeta> = {}): Recording {
  return {
    meta: {
      title: 'wspy recording',
      startTime: 0,
      endTime: 0,
      intervalUs: 0,
      idle: false,
      source: 'record',
      wspyVersion: '0',
      ...meta,
    },
    strings: [],
    frames: { name: [], file: [], line: [], column: [] },
    stacks: { frame: [], parent: [] },
    processes: [],
  };
}

export function emptySamples(): SampleTable {
  return { stack: [], count: [], time: [] };
}

/**
 * Interns strings, frames and stacks into a Recording. Lookup maps live here, not in the Recording,
 * so that a Recording stays plain data that serialises as it is.
 */
/**
 * The deepest stack the model holds. V8 samples at most 255 frames; a file whose stacks go far deeper
 * was made to exhaust memory (every span of a nested speedscope profile copies its open frames), so
 * importers refuse it with a one-line error instead.
 */
export const MAX_STACK_DEPTH = 4096;

/** The error for input whose stacks are deeper than MAX_STACK_DEPTH. */
export function tooDeep(): UserError {
  return new UserError(`a stack is deeper than ${MAX_STACK_DEPTH} frames, which no real profile holds`);
}

export class RecordingBuilder {
  readonly recording: Recording;
  /** Frames on each stack (its depth), to refuse stacks deeper than MAX_STACK_DEPTH as they are interned. */
  private readonly depths: number[] = [];
  private readonly stringIndex = new Map<string, StringIndex>();
  private readonly frameIndex = new Map<string, FrameIndex>();
  private readonly stackIndex = new Map<number, Map<FrameIndex, StackIndex>>();
  private readonly processIndex = new Map<string, ProcessRecord>();

  constructor(recording: Recording = emptyRecording()) {
    this.recording = recording;
    const { strings, frames, stacks } = recording;
    strings.forEach((s, i) => this.stringIndex.set(s, i));
    for (let i = 0; i < frames.name.length; i++) {
      this.frameIndex.set(frameKey(frames.name[i], frames.file[i], frames.line[i], frames.column[i]), i);
    }
    for (let i = 0; i < stacks.frame.length; i++) {
      this.childrenOf(stacks.parent[i]).set(stacks.frame[i], i);
      this.depths.push(this.depthOf(stacks.parent[i]) + 1);
    }
    for (const p of recording.processes) this.processIndex.set(p.key, p);
  }

  string(s: string): StringIndex {
    let i = this.stringIndex.get(s);
    if (i === undefined) {
      i = this.recording.strings.push(s) - 1;
      this.stringIndex.set(s, i);
    }
    return i;
  }

  frame(name: string, file: string, line: number, column: number): FrameIndex {
    const n = this.string(name);
    const f = this.string(file);
    const key = frameKey(n, f, line, column);
    let i = this.frameIndex.get(key);
    if (i === undefined) {
      const t = this.recording.frames;
      i = t.name.push(n) - 1;
      t.file.push(f);
      t.line.push(line);
      t.column.push(column);
      this.frameIndex.set(key, i);
    }
    return i;
  }

  stack(frame: FrameIndex, parent: StackIndex): StackIndex {
    const children = this.childrenOf(parent);
    let i = children.get(frame);
    if (i === undefined) {
      const depth = this.depthOf(parent) + 1;
      if (depth > MAX_STACK_DEPTH) throw tooDeep();
      this.depths.push(depth);
      const t = this.recording.stacks;
      i = t.frame.push(frame) - 1;
      t.parent.push(parent);
      children.set(frame, i);
    }
    return i;
  }

  /** Interns a whole path of frames, root first. */
  stackOf(frames: FrameIndex[]): StackIndex {
    if (frames.length > MAX_STACK_DEPTH) throw tooDeep();
    let s = ROOT_STACK;
    for (const f of frames) s = this.stack(f, s);
    return s;
  }

  process(key: string): ProcessRecord | undefined {
    return this.processIndex.get(key);
  }

  /** Returns the process with that key, creating it from `init` when it is new. */
  upsertProcess(key: string, init: () => Omit<ProcessRecord, 'key'>): ProcessRecord {
    let p = this.processIndex.get(key);
    if (!p) {
      p = { key, ...init() };
      this.recording.processes.push(p);
      this.processIndex.set(key, p);
    }
    return p;
  }

  /** Renames a process (pid reuse): the old record keeps its data under a new key. */
  rekeyProcess(oldKey: string, newKey: string): void {
    const p = this.processIndex.get(oldKey);
    if (!p) return;
    this.processIndex.delete(oldKey);
    p.key = newKey;
    this.processIndex.set(newKey, p);
  }

  addSamples(p: ProcessRecord, stack: StackIndex, count: number, time: number): void {
    p.samples.stack.push(stack);
    p.samples.count.push(count);
    p.samples.time.push(time);
  }

  /**
   * Copies another recording's processes into this one, translating its strings, frames and stacks
   * through tables built once per recording. `keyOf` names the copied processes (e.g. host:pid).
   */
  merge(other: Recording, keyOf: (p: ProcessRecord) => string = (p) => p.key): void {
    const f = other.frames;
    const frames = f.name.map((n, i) =>
      this.frame(other.strings[n], other.strings[f.file[i]], f.line[i], f.column[i]),
    );
    // Stacks are stored parent-before-child, so one pass translates them all.
    const stacks = new Array<StackIndex>(other.stacks.frame.length);
    for (let i = 0; i < stacks.length; i++) {
      const parent = other.stacks.parent[i];
      stacks[i] = this.stack(frames[other.stacks.frame[i]], parent === ROOT_STACK ? ROOT_STACK : stacks[parent]);
    }
    const shift = other.meta.startTime - this.recording.meta.startTime;
    for (const p of other.processes) {
      const copy: ProcessRecord = {
        ...p,
        key: keyOf(p),
        argv: [...p.argv],
        errors: [...p.errors],
        samples: {
          stack: p.samples.stack.map((s) => stacks[s]),
          count: [...p.samples.count],
          time: p.samples.time.map((t) => t + shift),
        },
      };
      this.recording.processes.push(copy);
      this.processIndex.set(copy.key, copy);
    }
  }

  private depthOf(stack: StackIndex): number {
    return stack === ROOT_STACK ? 0 : this.depths[stack];
  }

  private childrenOf(parent: StackIndex): Map<FrameIndex, StackIndex> {
    let m = this.stackIndex.get(parent);
    if (!m) {
      m = new Map();
      this.stackIndex.set(parent, m);
    }
    return m;
  }
}

function frameKey(name: StringIndex, file: StringIndex, line: number, column: number): string {
  return `${name}\u0000${file}\u0000${line}\u0000${column}`;
}

/** Total samples of a process. */
export function sampleCount(p: ProcessRecord): number {
  let n = 0;
  for (const c of p.samples.count) n += c;
  return n;
}

/** What `count` samples of a process stand for, in ms: the one conversion every figure uses. */
export function samplesToMs(p: ProcessRecord, count: number): number {
  return (count * p.intervalUs) / 1000;
}

/** CPU time of a process in milliseconds (samples times interval). */
export function sampledMs(p: ProcessRecord): number {
  return samplesToMs(p, sampleCount(p));
}

/** Frames of a stack, root first. */
export function framesOf(r: Recording, stack: StackIndex): FrameIndex[] {
  const out: FrameIndex[] = [];
  for (let s = stack; s !== ROOT_STACK; s = r.stacks.parent[s]) out.push(r.stacks.frame[s]);
  return out.reverse();
}

export function frameName(r: Recording, f: FrameIndex): string {
  return r.strings[r.frames.name[f]];
}

export function frameFile(r: Recording, f: FrameIndex): string {
  return r.strings[r.frames.file[f]];
}
