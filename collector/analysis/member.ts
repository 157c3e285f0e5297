// One member process, read once for the analysis: its CPU samples (idle dropped unless the recording
// kept idle time) in time order, and where its start-up ends. Pure.

import { IDLE_FRAME_NAME, ProcessRecord, Recording, ROOT_STACK, StackIndex } from '../model';
import { FrameKind, isUserCode } from './classify';

export interface MemberSamples {
  process: ProcessRecord;
  /** CPU milliseconds per stack, over the whole process. */
  msByStack: Map<StackIndex, number>;
  /** The same, for the start-up window only. */
  startupMsByStack: Map<StackIndex, number>;
  totalMs: number;
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

export interface StackInfo {
  hasLoader: boolean;
  hasUser: boolean;
}

/** Whether each stack runs under a loader frame and whether it touches user code, memoised by stack. */
export class StackClassifier {
  private readonly memo = new Map<StackIndex, StackInfo>();
  constructor(private readonly r: Recording, private readonly kinds: FrameKind[]) {}

  info(s: StackIndex): StackInfo {
    if (s === ROOT_STACK) return { hasLoader: false, hasUser: false };
    let i = this.memo.get(s);
    if (!i) {
      const up = this.info(this.r.stacks.parent[s]);
      const kind = this.kinds[this.r.stacks.frame[s]];
      i = { hasLoader: up.hasLoader || kind === 'loader', hasUser: up.hasUser || isUserCode(kind) };
      this.memo.set(s, i);
    }
    return i;
  }
}

export function readMember(r: Recording, p: ProcessRecord, classify: StackClassifier, idleFrames: Set<number>): MemberSamples {
  const msPerSample = p.intervalUs / 1000;
  const msByStack = new Map<StackIndex, number>();
  const startupMsByStack = new Map<StackIndex, number>();
  const startup = { cpuMs: 0, loadingMs: 0, runtimeMs: 0, wallMs: 0 };
  const { stack, count, time } = p.samples;
  const startOffset = p.startTime !== undefined ? p.startTime - r.meta.startTime : undefined;
  let firstSampleStart: number | undefined;
  let inStartup = true;
  let lastStartupTime: number | undefined;
  let totalMs = 0;
  for (let i = 0; i < stack.length; i++) {
    const s = stack[i];
    if (!r.meta.idle && s !== ROOT_STACK && idleFrames.has(r.stacks.frame[s])) continue;
    const ms = count[i] * msPerSample;
    if (firstSampleStart === undefined) firstSampleStart = time[i] - ms;
    totalMs += ms;
    msByStack.set(s, (msByStack.get(s) ?? 0) + ms);
    const info = classify.info(s);
    if (inStartup && info.hasUser && !info.hasLoader) inStartup = false;
    if (!inStartup) continue;
    startupMsByStack.set(s, (startupMsByStack.get(s) ?? 0) + ms);
    startup.cpuMs += ms;
    if (info.hasLoader) startup.loadingMs += ms;
    else if (!info.hasUser) startup.runtimeMs += ms;
    lastStartupTime = time[i];
  }
  const from = startOffset ?? firstSampleStart;
  if (lastStartupTime !== undefined && from !== undefined) startup.wallMs = Math.max(0, lastStartupTime - from);
  return { process: p, msByStack, startupMsByStack, totalMs, startup };
}

export function idleFrameSet(r: Recording): Set<number> {
  const set = new Set<number>();
  r.frames.name.forEach((n, f) => {
    if (r.strings[n] === IDLE_FRAME_NAME) set.add(f);
  });
  return set;
}
