// The data of the report's timeline: one lane per process from its start to its exit, with its CPU
// over time and how much of it was start-up. Pure.
//
// Time resolution is the agent's: samples carry the time of the chunk that sent them (every second,
// and at exit), so a lane is a list of windows, each the CPU spent since the previous one. Start-up
// comes first in a process's life (the analysis ends it at the first sample of user code outside the
// loader), so each window's start-up part is what remains of the process's start-up CPU.
// The embedded Recording sums samples per stack (their times are gone), hence this separate table:
// a lane is a handful of numbers, so 1,000 short-lived forks cost some tens of kilobytes.

import { IDLE_FRAME_NAME, Recording, ROOT_STACK, samplesToMs } from '../collector/model';

export interface TimelineLane {
  /** ProcessRecord.key. */
  key: string;
  /** ms since the recording's start. */
  start: number;
  end: number;
  /** Windows, flat: end (ms since the recording's start), CPU ms, start-up CPU ms; each starts where the last ended. */
  windows: number[];
}

export interface TimelineData {
  durationMs: number;
  /** In order of start, then key. */
  lanes: TimelineLane[];
}

/** A lane has at most this many windows: samples closer in time are summed into one. */
export const MAX_WINDOWS = 1000;

/** Values per window in TimelineLane.windows. */
export const WINDOW_FIELDS = 3;

export function timelineData(r: Recording, startupCpuMs: Map<string, number>): TimelineData {
  const lastSample = Math.max(0, ...r.processes.map((p) => (p.samples.time.length ? p.samples.time[p.samples.time.length - 1] : 0)));
  const durationMs = Math.max(1, r.meta.endTime - r.meta.startTime, lastSample);
  const slotMs = durationMs / MAX_WINDOWS;
  const idle = new Set<number>();
  if (!r.meta.idle) r.stacks.frame.forEach((f, s) => r.strings[r.frames.name[f]] === IDLE_FRAME_NAME && idle.add(s));

  const lanes = r.processes.map((p): TimelineLane => {
    const { stack, count, time } = p.samples;
    let startupLeft = startupCpuMs.get(p.key) ?? 0;
    const windows: number[] = [];
    for (let i = 0; i < stack.length; i++) {
      if (stack[i] !== ROOT_STACK && idle.has(stack[i])) continue;
      const ms = samplesToMs(p, count[i]);
      const startup = Math.min(ms, startupLeft);
      startupLeft -= startup;
      // Samples that end in the same slot of the recording's width join one window (ending at the
      // latest of them): no lane needs more windows than the timeline has pixels.
      const last = windows.length - WINDOW_FIELDS;
      if (last >= 0 && Math.floor(windows[last] / slotMs) === Math.floor(time[i] / slotMs)) {
        windows[last] = Math.max(windows[last], time[i]);
        windows[last + 1] += ms;
        windows[last + 2] += startup;
      } else windows.push(time[i], ms, startup);
    }
    for (let i = 1; i < windows.length; i += WINDOW_FIELDS) {
      windows[i] = round(windows[i]);
      windows[i + 1] = round(windows[i + 1]);
    }
    const first = time.length ? time[0] : 0;
    const start = clamp(p.startTime !== undefined ? p.startTime - r.meta.startTime : first, durationMs);
    const end = clamp(p.endTime !== undefined ? p.endTime - r.meta.startTime : durationMs, durationMs);
    return { key: p.key, start, end: Math.max(start, end), windows };
  });
  lanes.sort((a, b) => a.start - b.start || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { durationMs, lanes };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function clamp(t: number, max: number): number {
  return Math.min(max, Math.max(0, t));
}
