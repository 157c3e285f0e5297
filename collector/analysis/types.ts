// The Analysis: what the analysis reports, as plain JSON-ready data. Versioned; docs/ANALYSIS.md
// describes every field. Add fields freely; renaming or removing one needs a new version.

import { Spread } from './stats';

export const ANALYSIS_VERSION = 1;

export interface Estimate {
  /** CPU ms the family would save if the item ran once instead of in each member. */
  savedMs: number;
  /** savedMs as a share (0..1) of the family's CPU. */
  cpuFall: number;
  /** Throughput factor if the family is CPU-bound: family CPU / (family CPU - savedMs). */
  speedup: number;
}

/** How much of the family's CPU an item took, and in how many members. */
export interface MemberFigures {
  /** Members it ran in, out of `of`. */
  members: number;
  of: number;
  /** Median CPU ms per member where it ran. */
  msPerMember: number;
  spread: Spread;
  totalMs: number;
  /** Share (0..1) of the family's CPU. */
  share: number;
}

export interface RepeatedItem extends MemberFigures {
  /** Function name, `(anonymous)` when it has none. */
  frame: string;
  /** Script shortened for display (`sequelize/lib/model.js`, `src/models.js`). */
  file: string;
  line: number;
  /** `frame (file:line)`. */
  label: string;
  kind: 'project' | 'package';
  /** Package the frame belongs to, for package code. */
  package?: string;
  /** Where most of its time falls: the start-up window or later work. */
  phase: 'startup' | 'work';
  estimate: Estimate;
  advice: string;
  /** Label of the listed item that most of this one's time runs under, when there is one. */
  within?: string;
}

export interface RepeatedPath extends MemberFigures {
  /** Frame labels, root first (Node's internal frames included, as a flame graph shows them). */
  frames: string[];
}

export interface StartupSummary {
  /** CPU ms per member from start until the first user code outside the module loader. */
  cpuMs: Spread;
  /** Part of it under module loading (imports and the top-level code they run): the avoidable part. */
  loadingMs: Spread;
  /** Part of it in Node's own runtime (bootstrap, GC): shown apart, not a culprit. */
  runtimeMs: Spread;
  /** Wall ms from start until start-up ended. */
  wallMs: Spread;
  /** Sum of cpuMs over members, and its share of the family's CPU. */
  totalMs: number;
  share: number;
  /** Loading total over members and its share. */
  loadingTotalMs: number;
  loadingShare: number;
  /** If module loading ran once instead of in each member. */
  estimate: Estimate;
}

/** msPerMember here is the median CPU ms per member spent loading the package (its own files, what it requires, its top-level code). */
export interface PackageLoad extends MemberFigures {
  /** `sequelize`, `@org/pkg`. */
  name: string;
  estimate: Estimate;
  advice: string;
}

export interface FamilyAnalysis {
  command: string;
  entry: string;
  members: number;
  pids: number[];
  /** Process keys of the members (ProcessRecord.key), parallel to pids: what viewers match processes by. */
  keys: string[];
  /** True when the members are children of processes in the recording (forks). */
  forked: boolean;
  /** True when the members are worker threads of one process (a pool of threads), not processes. */
  threads?: boolean;
  /** CPU ms of all members together, and per member. */
  cpuMs: number;
  msPerMember: Spread;
  /** Functions that repeat in most members, costliest first. */
  repeated: RepeatedItem[];
  /** Call paths that repeat in most members, costliest first. */
  paths: RepeatedPath[];
  startup: StartupSummary;
  /** Packages loaded in most members, costliest first. */
  packages: PackageLoad[];
}

export interface Analysis {
  version: typeof ANALYSIS_VERSION;
  /** CPU ms of every sampled process in the recording. */
  cpuMs: number;
  families: FamilyAnalysis[];
}

export interface AnalysisOptions {
  /** Share of members an item must run in to count as repeated. Default 0.8. */
  minMemberShare?: number;
  /** Items below this share of their family's CPU are left out. Default 0.01. */
  minShare?: number;
  /** A frame whose time is at least this share inside one deeper candidate gives way to it. Default 0.8. */
  carryShare?: number;
  /** Items kept per list. Default 20. */
  maxItems?: number;
  /** Smallest family. Default 2. */
  minMembers?: number;
}
