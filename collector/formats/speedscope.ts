// speedscope's file format (https://www.speedscope.app/file-format-schema.json): one shared frame
// list and a list of profiles. The exporter writes one sampled profile per sampled process, its weights in
// time units and its startValue measured from the recording's start, so that processes line up. The
// importer reads sampled and evented profiles, each becoming a process.

import * as path from 'node:path';
import { functionName, MAX_STACK_DEPTH, processLabel, tooDeep, uniqueKey, UserError } from '../model';
import {
  emptyRecording, emptySamples, framesOf, IDLE_FRAME_NAME, ProcessRecord, Recording, RecordingBuilder, ROOT_STACK, StackIndex,
} from '../model';
import { ExportOptions, Exporter, Importer } from './format';
import { jsonOf, objectOf } from './sniff';

export const SPEEDSCOPE_SCHEMA = 'https://www.speedscope.app/file-format-schema.json';

interface SpeedscopeFrame {
  name: string;
  file?: string;
  line?: number;
  col?: number;
}

interface SampledProfile {
  type: 'sampled';
  name: string;
  unit: string;
  startValue: number;
  endValue: number;
  samples: number[][];
  weights: number[];
}

export function writeSpeedscope(r: Recording, opts: ExportOptions = {}): string {
  const unit = opts.timeUnit ?? 'milliseconds';
  const perUs = unit === 'milliseconds' ? 1 / 1000 : 1;
  const idle = opts.idle ?? r.meta.idle;
  const frames: SpeedscopeFrame[] = r.frames.name.map((_, f) => {
    const frame: SpeedscopeFrame = { name: functionName(r.strings[r.frames.name[f]]) };
    const file = r.strings[r.frames.file[f]];
    if (file) frame.file = file;
    if (r.frames.line[f] > 0) frame.line = r.frames.line[f];
    if (r.frames.column[f] > 0) frame.col = r.frames.column[f];
    return frame;
  });
  const stackFrames = new Map<StackIndex, number[]>();
  const framesOfStack = (s: StackIndex): number[] => {
    let fs = stackFrames.get(s);
    if (!fs) stackFrames.set(s, (fs = framesOf(r, s)));
    return fs;
  };
  const isIdle = (s: StackIndex): boolean => s !== ROOT_STACK && r.strings[r.frames.name[r.stacks.frame[s]]] === IDLE_FRAME_NAME;

  const all = r.processes.map((p): SampledProfile => {
    const samples: number[][] = [];
    const weights: number[] = [];
    let firstTime: number | undefined;
    for (let i = 0; i < p.samples.stack.length; i++) {
      const s = p.samples.stack[i];
      const c = p.samples.count[i];
      if (c <= 0 || (!idle && isIdle(s))) continue;
      if (firstTime === undefined) firstTime = p.samples.time[i] - (c * p.intervalUs) / 1000;
      samples.push(framesOfStack(s));
      weights.push(c * p.intervalUs * perUs);
    }
    const startMs = p.startTime !== undefined ? p.startTime - r.meta.startTime : firstTime ?? 0;
    const startValue = Math.max(0, startMs) * 1000 * perUs;
    const total = weights.reduce((a, b) => a + b, 0);
    return { type: 'sampled', name: processLabel(p), unit, startValue, endValue: startValue + total, samples, weights };
  });
  // A process with no samples (a shell between a parent and node, one that exited before its agent
  // started) would be an empty tab in speedscope's profile list; it is left out. A recording with no
  // samples at all keeps its first, so that the file still opens.
  const profiles = all.filter((p) => p.samples.length > 0);
  if (profiles.length === 0 && all.length > 0) profiles.push(all[0]);
  return JSON.stringify({
    $schema: SPEEDSCOPE_SCHEMA,
    shared: { frames },
    profiles,
    name: r.meta.title,
    activeProfileIndex: 0,
    exporter: `wspy@${r.meta.wspyVersion}`,
  });
}

export const speedscopeExporter: Exporter = {
  name: 'speedscope',
  extension: '.speedscope.json',
  endings: ['.speedscope.json'],
  write: writeSpeedscope,
};

const UNIT_US: Record<string, number | undefined> = {
  nanoseconds: 1e-3, microseconds: 1, milliseconds: 1e3, seconds: 1e6, none: undefined, bytes: undefined,
};
/** Evented profiles have exact durations; they become counts of this many µs. */
const EVENTED_INTERVAL_US = 100;
/** Profiles whose unit is not time: one weight unit is one sample of this nominal length. */
const UNTIMED_INTERVAL_US = 1000;

function fail(what: string): never {
  throw new UserError(`broken speedscope file: ${what}`);
}

function num(v: unknown, at: string): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fail(`"${at}" is missing or not a number`);
}

const PROCESS_NAME = /^(?:(\S+) )?pid (\d+): (.*)$/;

export function readSpeedscope(bytes: Buffer, fileName: string): Recording | undefined {
  const doc = objectOf(jsonOf(bytes));
  if (!doc) return undefined;
  const claimed = (typeof doc.$schema === 'string' && doc.$schema.includes('speedscope')) ||
    (typeof doc.exporter === 'string' && doc.exporter.startsWith('speedscope'));
  const shared = objectOf(doc.shared);
  if (!claimed && !(shared && Array.isArray(doc.profiles))) return undefined;
  if (!shared || !Array.isArray(shared.frames)) fail('"shared.frames" is missing');
  if (!Array.isArray(doc.profiles)) fail('"profiles" is missing');
  if (doc.profiles.length === 0) fail('it holds no profiles');

  const b = new RecordingBuilder(emptyRecording({ title: typeof doc.name === 'string' ? doc.name : path.basename(fileName), source: 'speedscope' }));
  const frames = (shared.frames as unknown[]).map((f, i) => {
    const o = objectOf(f) ?? fail(`shared.frames[${i}] is not an object`);
    if (typeof o.name !== 'string') fail(`shared.frames[${i}] has no name`);
    const line = typeof o.line === 'number' && o.line > 0 ? Math.round(o.line) : 0;
    const col = typeof o.col === 'number' && o.col > 0 ? Math.round(o.col) : 0;
    return b.frame(o.name === '(anonymous)' ? '' : o.name, typeof o.file === 'string' ? o.file : '', line, col);
  });
  const frameAt = (v: unknown, at: string): number =>
    (typeof v === 'number' && Number.isInteger(v) && frames[v] !== undefined ? frames[v] : fail(`${at} is not a frame index`));

  const taken = new Set<string>();
  let endMs = 0;
  let intervalUs = 0;
  const parsed = (doc.profiles as unknown[]).map((pv, i) => {
    const at = `profiles[${i}]`;
    const prof = objectOf(pv) ?? fail(`${at} is not an object`);
    if (!(String(prof.unit) in UNIT_US)) fail(`${at}.unit "${String(prof.unit)}" is not a speedscope unit`);
    const spans = prof.type === 'sampled' ? sampledSpans(prof, at, frameAt) : prof.type === 'evented' ? eventedSpans(prof, at, frameAt) : fail(`${at}.type is neither "sampled" nor "evented"`);
    return { at, prof, spans, unitUs: UNIT_US[String(prof.unit)] };
  });
  // Sampled profiles in time units share one step, so that a process with a single 7 ms sample is
  // still read as 7 samples of the file's 1 ms interval.
  const timedWeightsUs = parsed.flatMap((x) => (x.prof.type === 'sampled' && x.unitUs ? x.spans.map((s) => s.weight * x.unitUs!) : []));
  const fileStepUs = weightStep(timedWeightsUs);
  parsed.forEach(({ prof, spans, unitUs, at }, i) => {
    const name = typeof prof.name === 'string' ? prof.name : `profile ${i + 1}`;
    const m = PROCESS_NAME.exec(name);
    const pid = m ? Number(m[2]) : 0;
    const host = m?.[1];
    const startValue = num(prof.startValue, `${at}.startValue`);
    const startMs = unitUs ? (startValue * unitUs) / 1000 : 0;
    // One count stands for the common step of the weights (sampled) or a fixed slice of time (evented).
    const unitPerCount = prof.type === 'evented'
      ? unitUs ? EVENTED_INTERVAL_US / unitUs : 1
      : unitUs ? fileStepUs / unitUs : weightStep(spans.map((s) => s.weight));
    const pIntervalUs = unitUs ? unitPerCount * unitUs : UNTIMED_INTERVAL_US;
    intervalUs ||= pIntervalUs;
    const key = uniqueKey(taken, host ? `${host}:${pid}` : String(pid));
    const p: ProcessRecord = b.upsertProcess(key, () => ({
      pid, ppid: 0, argv: [], command: m ? m[3] : name, startTime: startMs, sampled: true, intervalUs: pIntervalUs, samples: emptySamples(), errors: [],
    }));
    if (host) p.host = host;
    let t = startMs;
    for (const s of spans) {
      if (s.weight <= 0) continue;
      const count = Math.max(1, Math.round(s.weight / unitPerCount));
      t = s.endUnit !== undefined && unitUs ? (s.endUnit * unitUs) / 1000 : t + (count * pIntervalUs) / 1000;
      b.addSamples(p, s.stack(b), count, t);
    }
    p.endTime = t;
    endMs = Math.max(endMs, t);
  });
  const r = b.recording;
  r.meta.endTime = endMs;
  r.meta.intervalUs = intervalUs;
  return r;
}

/**
 * The largest weight that all weights are (nearly) whole multiples of: 2, 3 and 5 ms samples give 1 ms.
 * Jittery weights (1.094, 0.987 ms) have no useful common step; the smallest weight stands in.
 */
export function weightStep(weights: number[]): number {
  const positive = weights.filter((w) => w > 0);
  if (positive.length === 0) return 1;
  const smallest = Math.min(...positive.slice(0, 100_000));
  const tolerance = smallest * 1e-6;
  const gcd = (a: number, b: number): number => {
    while (b > tolerance) [a, b] = [b, a % b];
    return a;
  };
  let step = smallest;
  for (const w of positive) {
    step = gcd(w, step);
    if (step < smallest / 20) return smallest;
  }
  return step;
}

interface Span {
  weight: number;
  /** End of the span in the profile's unit, when the format says (evented). */
  endUnit?: number;
  stack: (b: RecordingBuilder) => StackIndex;
}

function sampledSpans(prof: Record<string, unknown>, at: string, frameAt: (v: unknown, at: string) => number): Span[] {
  const samples = Array.isArray(prof.samples) ? prof.samples : fail(`${at}.samples is missing`);
  const weights = Array.isArray(prof.weights) ? prof.weights : fail(`${at}.weights is missing`);
  if (weights.length !== samples.length) fail(`${at} has ${samples.length} samples but ${weights.length} weights`);
  return samples.map((sv, j) => {
    const frames = (Array.isArray(sv) ? sv : fail(`${at}.samples[${j}] is not an array`)).map((f) => frameAt(f, `${at}.samples[${j}]`));
    return { weight: num(weights[j], `${at}.weights[${j}]`), stack: (b) => b.stackOf(frames) };
  });
}

function eventedSpans(prof: Record<string, unknown>, at: string, frameAt: (v: unknown, at: string) => number): Span[] {
  const events = Array.isArray(prof.events) ? prof.events : fail(`${at}.events is missing`);
  const open: number[] = [];
  const spans: Span[] = [];
  let last = num(prof.startValue, `${at}.startValue`);
  events.forEach((ev, j) => {
    const e = objectOf(ev) ?? fail(`${at}.events[${j}] is not an object`);
    const when = num(e.at, `${at}.events[${j}].at`);
    if (when < last) fail(`${at}.events[${j}] goes back in time`);
    const frame = frameAt(e.frame, `${at}.events[${j}].frame`);
    if (open.length > 0 && when > last) {
      const frames = [...open];
      spans.push({ weight: when - last, endUnit: when, stack: (b) => b.stackOf(frames) });
    }
    last = when;
    if (e.type === 'O') {
      // Every span copies the open frames: without this bound a deeply nested file costs depth² memory.
      if (open.length >= MAX_STACK_DEPTH) throw tooDeep();
      open.push(frame);
    }
    else if (e.type === 'C') {
      if (open[open.length - 1] !== frame) fail(`${at}.events[${j}] closes a frame that is not the innermost open one`);
      open.pop();
    } else fail(`${at}.events[${j}].type is neither "O" nor "C"`);
  });
  if (open.length > 0) fail(`${at} ends with ${open.length} frame${open.length === 1 ? '' : 's'} never closed (unbalanced events)`);
  return spans;
}

export const speedscopeImporter: Importer = { name: 'speedscope', read: readSpeedscope };
