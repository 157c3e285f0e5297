// Helpers for the analysis tests: constructed recordings with planted work, and a small converter from
// V8's .cpuprofile files (node --cpu-prof) to a Recording, used until `wspy record` writes recordings.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { emptyRecording, emptySamples, FrameIndex, Recording, RecordingBuilder, ROOT_STACK, StackIndex } from '../../collector/model';

import { ROOT } from './wspy';

export { ROOT };
export const ANALYSIS_FIXTURES = path.join(ROOT, 'test', 'fixtures', 'analysis');

/** `name@file:line`; file and line may be left out (`(garbage collector)`). */
export type FrameSpec = string;

export const BOOT = 'prepareExecution@node:internal/process/pre_execution:96';
export const RUN_MAIN = 'executeUserEntryPoint@node:internal/modules/run_main:155';
export const LOAD = 'Module._load@node:internal/modules/cjs/loader:1003';
export const COMPILE = 'Module._compile@node:internal/modules/cjs/loader:1483';
export const REQUIRE = 'require@node:internal/modules/helpers:180';

export interface ProcessSpec {
  pid: number;
  ppid: number;
  argv: string[];
  /** Runs of samples in time order: [frames root first, samples]. One sample is 1 ms. */
  samples: Array<[FrameSpec[], number]>;
}

/** A recording of constructed processes, one sample per millisecond. */
export class PlantedRecording {
  readonly builder = new RecordingBuilder(emptyRecording({ intervalUs: 1000, cwd: '/app' }));

  get recording(): Recording {
    return this.builder.recording;
  }

  frame(spec: FrameSpec): FrameIndex {
    const at = spec.indexOf('@');
    if (at < 0) return this.builder.frame(spec, '', 0, 0);
    const name = spec.slice(0, at);
    const m = /^(.*):(\d+)$/.exec(spec.slice(at + 1));
    return m ? this.builder.frame(name, m[1], Number(m[2]), 1) : this.builder.frame(name, spec.slice(at + 1), 0, 0);
  }

  stack(frames: FrameSpec[]): StackIndex {
    return this.builder.stackOf(frames.map((f) => this.frame(f)));
  }

  add(spec: ProcessSpec): this {
    const p = this.builder.upsertProcess(String(spec.pid), () => ({
      pid: spec.pid,
      ppid: spec.ppid,
      argv: spec.argv,
      command: spec.argv.join(' '),
      sampled: true,
      intervalUs: 1000,
      samples: emptySamples(),
      errors: [],
      startTime: 0,
    }));
    let t = 0;
    for (const [frames, n] of spec.samples) {
      const s = this.stack(frames);
      for (let i = 0; i < n; i++) this.builder.addSamples(p, s, 1, ++t);
    }
    return this;
  }
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface CpuProfileProcess {
  file: string;
  argv: string[];
  ppid: number;
  /**
   * CPU ms the process used from its entry script's start, when known. V8's sampler ticks on wall time
   * while the thread is runnable, so on a busy machine samples overstate CPU; with this the samples
   * from the entry script on are weighted to add up to the CPU the process measured itself.
   */
  cpuMsSinceEntry?: number;
}

/**
 * Converts V8 .cpuprofile files (one per process, named CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile)
 * into one Recording. Times are V8's monotonic microseconds, shared by the processes of one machine.
 */
export function cpuProfilesToRecording(inputs: CpuProfileProcess[], parent?: { pid: number; argv: string[] }): Recording {
  const profiles = inputs.map((i) => ({ ...i, profile: JSON.parse(fs.readFileSync(i.file, 'utf8')) as CpuProfile }));
  const t0 = Math.min(...profiles.map((p) => p.profile.startTime)) / 1000;
  const b = new RecordingBuilder(emptyRecording({ intervalUs: 1000, startTime: t0, source: 'cpuprofile', cwd: ROOT }));
  if (parent) {
    b.upsertProcess(String(parent.pid), () => ({
      pid: parent.pid, ppid: 0, argv: parent.argv, command: parent.argv.join(' '), sampled: false, intervalUs: 1000, samples: emptySamples(), errors: [],
    }));
  }
  for (const { file, argv, ppid, profile, cpuMsSinceEntry } of profiles) {
    const pid = Number(/CPU\.\d+\.\d+\.(\d+)\.\d+\.\d+\.cpuprofile$/.exec(path.basename(file))?.[1]);
    if (!Number.isFinite(pid)) throw new Error(`not a --cpu-prof file name: ${file}`);
    const parentOf = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const stackOf = new Map<number, StackIndex>();
    const stack = (id: number): StackIndex => {
      let s = stackOf.get(id);
      if (s !== undefined) return s;
      const n = byId.get(id)!;
      const up = parentOf.get(id);
      if (up === undefined) s = ROOT_STACK; // V8's (root)
      else {
        const cf = n.callFrame;
        const f = b.frame(cf.functionName, cf.url, cf.lineNumber + 1, cf.columnNumber + 1);
        s = b.stack(f, stack(up));
      }
      stackOf.set(id, s);
      return s;
    };
    // One sample stands for the usual gap between samples. The median, not the mean: on a busy machine
    // a descheduled process leaves long gaps in which it used no CPU, and the mean would count them.
    let intervalUs = medianOf(profile.timeDeltas.slice(1)) || 1000;
    if (cpuMsSinceEntry !== undefined) {
      const fromEntry = samplesFromEntry(profile, byId, parentOf);
      if (fromEntry > 0) intervalUs = (cpuMsSinceEntry * 1000) / fromEntry;
    }
    const p = b.upsertProcess(String(pid), () => ({
      pid, ppid, argv, command: argv.join(' '), sampled: true, intervalUs, samples: emptySamples(), errors: [],
      startTime: profile.startTime / 1000, endTime: profile.endTime / 1000,
    }));
    let t = profile.startTime;
    profile.samples.forEach((id, i) => {
      t += profile.timeDeltas[i];
      b.addSamples(p, stack(id), 1, t / 1000 - t0);
    });
  }
  return b.recording;
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Non-idle samples from the first one that runs a script file (the entry script) to the end. */
function samplesFromEntry(profile: CpuProfile, byId: Map<number, CpuProfile['nodes'][number]>, parentOf: Map<number, number>): number {
  const runsScript = (id: number | undefined): boolean => {
    for (; id !== undefined; id = parentOf.get(id)) if (byId.get(id)!.callFrame.url.startsWith('file:')) return true;
    return false;
  };
  const first = profile.samples.findIndex((id) => runsScript(id));
  if (first < 0) return 0;
  return profile.samples.slice(first).filter((id) => byId.get(id)!.callFrame.functionName !== '(idle)').length;
}
