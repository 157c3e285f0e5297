// Helpers for the analysis tests: constructed recordings with planted work, and where the known-answer
// programs live.
import * as path from 'node:path';
import { emptyRecording, emptySamples, FrameIndex, ProcessRecord, Recording, RecordingBuilder, StackIndex } from '../../collector/model';

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
export const GC = '(garbage collector)';

export interface ProcessSpec {
  pid: number;
  ppid: number;
  argv: string[];
  /** Runs of samples in time order: [frames root first, samples]. One sample is 1 ms. */
  samples: Array<[FrameSpec[], number]>;
  /** IPC messages received, as an agent counts them. */
  messages?: number;
  /** CPU the process measured itself. */
  cpu?: ProcessRecord['cpu'];
  startTime?: number;
  endTime?: number;
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
      startTime: spec.startTime ?? 0,
      ...(spec.endTime !== undefined ? { endTime: spec.endTime } : {}),
      ...(spec.messages !== undefined ? { messages: spec.messages } : {}),
      ...(spec.cpu !== undefined ? { cpu: spec.cpu } : {}),
    }));
    let t = 0;
    for (const [frames, n] of spec.samples) {
      const s = this.stack(frames);
      for (let i = 0; i < n; i++) this.builder.addSamples(p, s, 1, ++t);
    }
    return this;
  }
}
