// The data a report carries: a reduced copy of the Recording (samples summed per stack, idle samples
// dropped unless the recording keeps them, stacks too small to ever be seen folded into their parent)
// that the browser turns into call trees with the same collector/tree.ts code as the server. Pure.
//
// Embedding the Recording rather than a finished tree keeps the page small (a stack is two integers,
// a frame four) and lets the browser build both views (per process, and merged by command) itself.

import { countsByStack, DenseSums, emptySamples, ProcessRecord, Recording, RecordingBuilder, ROOT_STACK, StackIndex } from '../collector/model';
import type { ReportAnalysis } from '../collector/analysis';
import type { TimelineData } from './timeline-data';

export const REPORT_DATA_VERSION = 1;

/** Stacks whose samples make up less than this share of all samples are folded into their parent. */
export const DEFAULT_PRUNE_FRACTION = 1 / 20_000;

export interface ReportData {
  version: number;
  recording: Recording;
  /** Samples in the report, all processes (idle samples excluded unless kept): pruning keeps this total. */
  totalSamples: number;
  pruning: {
    fraction: number;
    /** A stack needs at least this many samples (itself and below, in its process) to be kept. */
    minSamples: number;
    /** Distinct stacks (per process) that were folded into a parent. */
    foldedStacks: number;
  };
  /** The cross-process analysis (families and ranked findings), computed on the full recording. */
  analysis?: ReportAnalysis;
  /** One lane per process over time (viewer/timeline-data.ts); absent when the report has none. */
  timeline?: TimelineData;
}

export interface EmbedOptions {
  /** Share of all samples below which a stack is folded into its parent; 0 keeps everything. */
  pruneFraction?: number;
}

export function reportData(r: Recording, opts: EmbedOptions = {}): ReportData {
  const fraction = opts.pruneFraction ?? DEFAULT_PRUNE_FRACTION;
  const counts = r.processes.map((p) => countsByStack(r, p));
  let totalSamples = 0;
  for (const c of counts) for (const n of c.values()) totalSamples += n;
  const minSamples = fraction * totalSamples;

  const out = new RecordingBuilder({
    meta: { ...r.meta },
    strings: [],
    frames: { name: [], file: [], line: [], column: [] },
    stacks: { frame: [], parent: [] },
    processes: [],
  });
  // Translation table from the source recording's stacks to the reduced one's, shared by all processes.
  const translated = new Map<StackIndex, StackIndex>([[ROOT_STACK, ROOT_STACK]]);
  const translate = (s: StackIndex): StackIndex => {
    const known = translated.get(s);
    if (known !== undefined) return known;
    const f = r.stacks.frame[s];
    const frame = out.frame(r.strings[r.frames.name[f]], r.strings[r.frames.file[f]], r.frames.line[f], r.frames.column[f]);
    const t = out.stack(frame, translate(r.stacks.parent[s]));
    translated.set(s, t);
    return t;
  };

  let foldedStacks = 0;
  // Samples of each stack and everything below it, one process at a time: a dense array over the
  // stack table rather than a Map (a million stack nodes made the Map the slowest part of the report),
  // cleared between processes at the cost of what each touched.
  const inclusive = new DenseSums(r.stacks.frame.length);
  const { parent } = r.stacks;
  // Where a stack's samples go: the stack itself, or its nearest caller with at least minSamples.
  // Stacks under one small subtree all fold to the same place, so the answer is remembered for every
  // stack a walk passes (for the process stamped in foldedFor), and later walks stop there.
  const foldedTo = new Int32Array(r.stacks.frame.length);
  const foldedFor = new Int32Array(r.stacks.frame.length);
  const walked: StackIndex[] = [];
  const destination = (s: StackIndex, process: number): StackIndex => {
    let t = s;
    while (t !== ROOT_STACK && inclusive.get(t) < minSamples && foldedFor[t] !== process) {
      walked.push(t);
      t = parent[t];
    }
    const to = t !== ROOT_STACK && foldedFor[t] === process ? foldedTo[t] : t;
    for (const w of walked) {
      foldedTo[w] = to;
      foldedFor[w] = process;
    }
    walked.length = 0;
    return to;
  };
  r.processes.forEach((p, i) => {
    const own = counts[i];
    inclusive.clear();
    for (const [s, c] of own) for (let t = s; t !== ROOT_STACK; t = parent[t]) inclusive.add(t, c);
    const kept = new Map<StackIndex, number>();
    for (const [s, c] of own) {
      const t = destination(s, i + 1);
      if (t !== s) foldedStacks++;
      kept.set(t, (kept.get(t) ?? 0) + c);
    }
    const copy: ProcessRecord = { ...p, argv: [...p.argv], errors: [...p.errors], samples: emptySamples() };
    out.recording.processes.push(copy);
    for (const [s, c] of kept) out.addSamples(copy, translate(s), c, 0);
  });
  return { version: REPORT_DATA_VERSION, recording: out.recording, totalSamples, pruning: { fraction, minSamples, foldedStacks } };
}
