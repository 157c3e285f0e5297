// `wspy top`'s figures from a Recording that is still growing: CPU per function (self time, the leaf
// of each sample's stack) over the samples that arrived since the last look and over all of them,
// merged across processes or per process. Pure: the CLI hands it the collector's live Recording
// every second; it reads each process's samples from where it stopped last time, so a look costs
// what arrived since, not the whole recording.
import { FrameIndex, frameLabel, IDLE_FRAME_NAME, ProcessRecord, Recording, ROOT_STACK, samplesToMs } from '../model';

export interface TopRow {
  /** `function (file:line)`, as the reports name it (unescaped: the terminal escapes it). */
  label: string;
  /** Set in per-process rows. */
  pid?: number;
  /** Self CPU ms over the last interval. */
  intervalMs: number;
  /** Self CPU ms since the start. */
  totalMs: number;
  /** Processes in which the function had self time since the start. */
  processes: number;
}

export interface TopSnapshot {
  rows: TopRow[];
  /** Self CPU ms of every function over the last interval, and since the start. */
  intervalMs: number;
  totalMs: number;
  /** Processes seen, and those with samples in the last interval. */
  processes: number;
  activeProcesses: number;
}

interface Tally {
  interval: number;
  total: number;
}

/** Keeps the running sums between looks; one per live view. */
export class TopTally {
  private readonly read = new Map<ProcessRecord, number>();
  /** Per process, per frame: ms in the current interval and in total. */
  private readonly perProcess = new Map<ProcessRecord, Map<FrameIndex, Tally>>();
  private idleFrames = new Set<FrameIndex>();
  private framesSeen = 0;

  constructor(private readonly recording: Recording) {}

  /** Takes in the samples that arrived since the last call; the interval starts again. */
  advance(): void {
    const r = this.recording;
    this.noteIdleFrames();
    for (const tallies of this.perProcess.values()) for (const t of tallies.values()) t.interval = 0;
    for (const p of r.processes) {
      const from = this.read.get(p) ?? 0;
      const { stack, count } = p.samples;
      if (from >= stack.length) continue;
      let tallies = this.perProcess.get(p);
      if (!tallies) this.perProcess.set(p, (tallies = new Map()));
      for (let i = from; i < stack.length; i++) {
        const s = stack[i];
        if (s === ROOT_STACK) continue;
        const frame = r.stacks.frame[s];
        if (!r.meta.idle && this.idleFrames.has(frame)) continue;
        const ms = samplesToMs(p, count[i]);
        const t = tallies.get(frame);
        if (t) {
          t.interval += ms;
          t.total += ms;
        } else tallies.set(frame, { interval: ms, total: ms });
      }
      this.read.set(p, stack.length);
    }
  }

  /** The rows, hottest over the last interval first (then by total), at most `limit`. */
  snapshot(mode: 'merged' | 'per-process', limit: number): TopSnapshot {
    const rows: TopRow[] = [];
    let intervalMs = 0;
    let totalMs = 0;
    let active = 0;
    const merged = new Map<FrameIndex, TopRow>();
    for (const [p, tallies] of this.perProcess) {
      let processInterval = 0;
      for (const [frame, t] of tallies) {
        intervalMs += t.interval;
        totalMs += t.total;
        processInterval += t.interval;
        if (mode === 'per-process') {
          rows.push({ label: frameLabel(this.recording, frame), pid: p.pid, intervalMs: t.interval, totalMs: t.total, processes: 1 });
          continue;
        }
        const row = merged.get(frame);
        if (row) {
          row.intervalMs += t.interval;
          row.totalMs += t.total;
          row.processes++;
        } else merged.set(frame, { label: frameLabel(this.recording, frame), intervalMs: t.interval, totalMs: t.total, processes: 1 });
      }
      if (processInterval > 0) active++;
    }
    if (mode === 'merged') rows.push(...merged.values());
    rows.sort((a, b) => b.intervalMs - a.intervalMs || b.totalMs - a.totalMs || a.label.localeCompare(b.label));
    return { rows: rows.slice(0, limit), intervalMs, totalMs, processes: this.recording.processes.length, activeProcesses: active };
  }

  private noteIdleFrames(): void {
    const names = this.recording.frames.name;
    for (; this.framesSeen < names.length; this.framesSeen++) {
      if (this.recording.strings[names[this.framesSeen]] === IDLE_FRAME_NAME) this.idleFrames.add(this.framesSeen);
    }
  }
}
