// One member process, read once for the analysis: its CPU samples (idle dropped unless the recording
// kept idle time) in time order, and where its start-up ends. Pure.

import { DenseSums, IDLE_FRAME_NAME, ProcessRecord, Recording, ROOT_STACK, samplesToMs, unsampledCpuMs } from '../model';
import { FrameKind, isUserCode } from './classify';

/** CPU ms per stack, as parallel arrays in the order the stacks were first sampled (it decides ties later on). */
export interface StackMs {
  stacks: Int32Array;
  ms: Float64Array;
}

export interface MemberSamples {
  process: ProcessRecord;
  /** CPU milliseconds per stack, over the whole process. */
  msByStack: StackMs;
  /** The same, for the start-up window only. */
  startupMsByStack: StackMs;
  /** CPU ms of the whole process: its samples plus what it spent before its agent ran. */
  totalMs: number;
  /** CPU ms before the agent ran (spawn, Node's bootstrap): part of start-up that no sample sees. */
  beforeAgentMs: number;
  /** GC samples (V8's `(garbage collector)` with no JS under it), in and after the start-up window. */
  gcMs: { startup: number; work: number };
  /** Samples that run JS or the module loader (not Node's runtime alone), in and after the window: what GC is shared over. */
  jsMs: { startup: number; work: number };
  /** IPC messages the process received (jobs, for pooled children), where its agent counted them. */
  jobs?: number;
  startup: {
    /** CPU ms from the process's start until its first sample that runs user code outside the loader. */
    cpuMs: number;
    /** Part of cpuMs under module-loader frames (imports and the top-level code they run). */
    loadingMs: number;
    /** Part of cpuMs in Node's own runtime only (bootstrap, GC): shown apart, never a culprit. */
    runtimeMs: number;
    /** Wall ms from the process's start (or first sample) until start-up ended. */
    wallMs: number;
  };
}

/** Bits of stackFacts(): a loader frame is on the stack. */
const UNDER_LOADER = 1;
/** A project or package frame is on the stack. */
const RUNS_USER_CODE = 2;
/** The stack's own (leaf) frame is V8's (idle) frame. */
const IDLE_LEAF = 4;
/** The stack's own (leaf) frame is V8's (garbage collector) frame. */
const GC_LEAF = 8;

/** V8's name for samples taken while the garbage collector runs. */
export const GC_FRAME_NAME = '(garbage collector)';

/**
 * Throws unless every stack comes after its parent in the stack table. RecordingBuilder and the
 * wspy-json reader guarantee it; the analysis relies on it to work out each stack's facts from its
 * parent's in one forward sweep, with no memo and no recursion.
 */
export function checkParentsFirst(r: Recording): void {
  const { parent } = r.stacks;
  for (let s = 0; s < parent.length; s++) {
    if (parent[s] >= s) throw new Error(`stack ${s} comes before its parent ${parent[s]} in the stack table`);
  }
}

/**
 * One byte of facts per stack (the bits above), in one pass over the stack table: a stack's facts are
 * its parent's plus its own frame's. Per-sample code reads a byte instead of walking the stack or
 * looking it up in a Map.
 */
function stackFacts(r: Recording, kinds: FrameKind[]): Uint8Array {
  checkParentsFirst(r);
  const { frame, parent } = r.stacks;
  // A frame's own bits first, once per frame rather than once per stack.
  const own = kinds.map((kind, f) => {
    let bits = 0;
    if (kind === 'loader') bits |= UNDER_LOADER;
    if (isUserCode(kind)) bits |= RUNS_USER_CODE;
    if (r.strings[r.frames.name[f]] === IDLE_FRAME_NAME) bits |= IDLE_LEAF;
    if (r.strings[r.frames.name[f]] === GC_FRAME_NAME) bits |= GC_LEAF;
    return bits;
  });
  const facts = new Uint8Array(frame.length);
  for (let s = 0; s < frame.length; s++) {
    const inherited = parent[s] === ROOT_STACK ? 0 : facts[parent[s]] & (UNDER_LOADER | RUNS_USER_CODE);
    facts[s] = inherited | own[frame[s]];
  }
  return facts;
}

/**
 * Reads members of one recording. The dense sums over the stack table are allocated once and reused
 * for every member (cleared at the cost of what each touched), not twice per member: with a million
 * stacks, fresh arrays per member made the garbage collector a large part of the analysis.
 */
export class MemberReader {
  private readonly facts: Uint8Array;
  // Slot s + 1 holds stack s, so that slot 0 holds samples taken at the root stack (-1).
  private readonly whole: DenseSums;
  private readonly early: DenseSums;

  constructor(private readonly r: Recording, kinds: FrameKind[]) {
    this.facts = stackFacts(r, kinds);
    this.whole = new DenseSums(r.stacks.frame.length + 1);
    this.early = new DenseSums(r.stacks.frame.length + 1);
  }

  read(p: ProcessRecord): MemberSamples {
    const { r, facts, whole, early } = this;
    whole.clear();
    early.clear();
    const startup = { cpuMs: 0, loadingMs: 0, runtimeMs: 0, wallMs: 0 };
    const { stack, count, time } = p.samples;
    const startOffset = p.startTime !== undefined ? p.startTime - r.meta.startTime : undefined;
    const keepIdle = r.meta.idle;
    let firstSampleStart: number | undefined;
    let inStartup = true;
    let lastStartupTime: number | undefined;
    let totalMs = 0;
    const gcMs = { startup: 0, work: 0 };
    const jsMs = { startup: 0, work: 0 };
    for (let i = 0; i < stack.length; i++) {
      const s = stack[i];
      const bits = s === ROOT_STACK ? 0 : facts[s];
      if (!keepIdle && bits & IDLE_LEAF) continue;
      const ms = samplesToMs(p, count[i]);
      if (firstSampleStart === undefined) firstSampleStart = time[i] - ms;
      totalMs += ms;
      whole.add(s + 1, ms);
      const hasLoader = (bits & UNDER_LOADER) !== 0;
      const hasUser = (bits & RUNS_USER_CODE) !== 0;
      if (inStartup && hasUser && !hasLoader) inStartup = false;
      const window = inStartup ? 'startup' : 'work';
      if (hasUser || hasLoader) jsMs[window] += ms;
      else if (bits & GC_LEAF) gcMs[window] += ms;
      if (!inStartup) continue;
      early.add(s + 1, ms);
      startup.cpuMs += ms;
      if (hasLoader) startup.loadingMs += ms;
      else if (!hasUser) startup.runtimeMs += ms;
      lastStartupTime = time[i];
    }
    const from = startOffset ?? firstSampleStart;
    if (lastStartupTime !== undefined && from !== undefined) startup.wallMs = Math.max(0, lastStartupTime - from);
    const beforeAgentMs = unsampledCpuMs(p);
    // What no sample saw ran first: it is start-up, and part of the process's CPU.
    startup.cpuMs += beforeAgentMs;
    startup.runtimeMs += beforeAgentMs;
    return {
      process: p,
      msByStack: stackMsOf(whole),
      startupMsByStack: stackMsOf(early),
      totalMs: totalMs + beforeAgentMs,
      beforeAgentMs,
      gcMs,
      jsMs,
      ...(p.messages !== undefined ? { jobs: p.messages } : {}),
      startup,
    };
  }
}

function stackMsOf(sums: DenseSums): StackMs {
  const slots = sums.keys();
  const stacks = new Int32Array(slots.length);
  const ms = new Float64Array(slots.length);
  slots.forEach((slot, i) => {
    stacks[i] = slot - 1;
    ms[i] = sums.get(slot);
  });
  return { stacks, ms };
}
