// What kind of code a frame is, and the colour it is drawn in, shared by the HTML report and the SVG so
// that both read the same way: warm for the project's own code, yellow for node_modules, cool for Node's
// internals, grey for V8's pseudo-frames ((idle), (program), (garbage collector)). Pure.

import { packageOf } from '../collector/model';

export type FrameKind = 'project' | 'package' | 'node' | 'vm' | 'process' | 'root';

export const KIND_LABELS: Record<FrameKind, string> = {
  project: 'your code',
  package: 'node_modules',
  node: 'Node internals',
  vm: 'V8 (idle, GC, program)',
  process: 'process',
  root: 'all',
};

export function frameKind(file: string): FrameKind {
  if (!file) return 'vm';
  if (packageOf(file)) return 'package';
  if (file.startsWith('node:') || file.startsWith('internal/') || !/[\\/]/.test(file)) return 'node';
  return 'project';
}

/** A stable value in [0, 1) from a name, so that a function keeps its shade from one report to the next. */
function shade(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) / 4294967296;
}

export function kindColor(kind: FrameKind, name: string): string {
  const v = shade(name);
  const mix = (lo: number, hi: number): number => Math.round(lo + (hi - lo) * v);
  switch (kind) {
    case 'project':
      return `rgb(${mix(225, 250)},${mix(110, 170)},${mix(60, 80)})`;
    case 'package':
      return `rgb(${mix(215, 240)},${mix(195, 225)},${mix(70, 110)})`;
    case 'node':
      return `rgb(${mix(120, 160)},${mix(170, 200)},${mix(215, 240)})`;
    case 'vm':
      return `rgb(${mix(190, 210)},${mix(190, 210)},${mix(190, 210)})`;
    case 'process':
      return `rgb(${mix(150, 175)},${mix(200, 220)},${mix(175, 195)})`;
    case 'root':
      return 'rgb(200,200,200)';
  }
}

/** The colour of the frames a search matched. */
export const HIGHLIGHT_COLOR = 'rgb(230,0,230)';

/** Frames of processes outside any family, in the colouring by repetition. */
export const NO_FAMILY_COLOR = 'rgb(232,234,238)';

/**
 * The colouring by repetition: red for a frame that runs in every member of its family, fading to grey
 * for one that runs in a single member.
 */
export function repetitionColor(members: number, of: number): string {
  const t = of > 1 ? Math.min(1, Math.max(0, (members - 1) / (of - 1))) : 1;
  // Grey (196,196,196) to red (214,45,32), through a warm middle so that "most" still reads as warm.
  const mix = (lo: number, hi: number): number => Math.round(lo + (hi - lo) * t);
  return `rgb(${mix(196, 214)},${mix(196, 45)},${mix(196, 32)})`;
}

/**
 * The differential flame graph: red where a node got slower, blue where it got faster, by how much of
 * its larger side changed (a node that doubled is as red as it gets), grey where nothing changed.
 */
export function diffColor(before: number, after: number): string {
  const delta = after - before;
  const base = Math.max(before, after);
  const t = base > 0 ? Math.min(1, Math.abs(delta) / base) : 0;
  const [r, g, b] = delta > 0 ? [220, 40, 30] : [40, 90, 220];
  const mix = (lo: number, hi: number): number => Math.round(lo + (hi - lo) * t);
  return `rgb(${mix(224, r)},${mix(224, g)},${mix(224, b)})`;
}

/** The timeline's colours: start-up work, work after start-up, and a lane's life with no CPU. */
export const TIMELINE_COLORS = { startup: '#e8913a', job: '#2f6fde', alive: '#dfe3ea', selected: '#d62d20' } as const;
