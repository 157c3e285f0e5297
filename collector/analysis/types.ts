// The Analysis: what the analysis reports, as plain JSON-ready data. Versioned; docs/ANALYSIS.md
// describes every field. Add fields freely; renaming or removing one needs a new version.

import { Spread } from './stats';

export const ANALYSIS_VERSION = 2;

export interface Estimate {
  /** CPU ms the family would save with the cure (for an item: lazy or precompiled, so it and its GC no longer run). */
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

/** Set-up (done once per child, whatever the job) or the job (per-job work, which no change shares). */
export type Role = 'setup' | 'job';

/**
 * The cure of an item: precompile (compile-type set-up), lazy (a require no job uses, or set-up run on
 * first use), narrow (a require of a package the job uses: require only the part it uses), none (the job).
 */
export type Cure = 'precompile' | 'lazy' | 'narrow' | 'none';

/** How the members relate to jobs. */
export interface Topology {
  /**
   * `fork-per-job`: forked children, each for one job; `pool`: children that each took many jobs (IPC
   * messages counted); `cluster`: cluster workers (the primary's own program); `one-off`: fewer than
   * three forked children; `processes`: the same program, parents not recorded.
   */
  kind: 'fork-per-job' | 'pool' | 'cluster' | 'one-off' | 'processes';
  /** Most members alive at once: the size of a pool that would do the same work. */
  concurrency: number;
  /** Median IPC messages received per member, where the agents counted them. */
  jobsPerMember?: number;
}

/** What a pool of long-lived children would save: set-up runs once per pool child, not once per member. */
export interface PoolEstimate extends Estimate {
  /** Children in the pool (the family's concurrency). */
  children: number;
  /** CPU ms the members' parents spent starting them (child_process fork/spawn): a pool pays it `children` times, not once per member. */
  forkMs: number;
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
  /** Set-up or the job (see roles.ts): per-job work is never promised as a saving. */
  role: Role;
  cure: Cure;
  /** The item is a module's top-level code (`frame` is `(top-level)`, `file` the module). */
  topLevel?: boolean;
  /** GC attributed to it over the family (see roles.ts), CPU ms. */
  gcMs: number;
  /** What its cure saves: its time and its GC, in every member (0 for the job). */
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
  /** CPU ms per member before the agent ran (spawn, Node's bootstrap): unsampled, part of cpuMs and runtimeMs. */
  beforeAgentMs: Spread;
  /** CPU ms per member of all set-up: start-up (minus a job run at load) plus set-up after it (compilers) and its GC. */
  setupMs: Spread;
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
  /** `sequelize`, `@org/pkg`. Packages it requires fold into it: no two packages count the same samples. */
  name: string;
  /** GC attributed to loading it over the family, CPU ms. */
  gcMs: number;
  /** `lazy` when no code of it runs outside its own loading, else `narrow`: the jobs use it. */
  cure: 'lazy' | 'narrow';
  /** Family ms a narrower require still loads: the used part and the core it requires (narrow.ts); 0 when lazy. */
  neededMs: number;
  /** What its cure saves: lazy, the load and its GC; narrow, the rest of the load and its share of the GC. */
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
  /** CPU ms of all members together, and per member (including CPU before their agents ran). */
  cpuMs: number;
  msPerMember: Spread;
  topology: Topology;
  /** What a pool of `children` long-lived children would save; only for children that each live for one job. */
  pool?: PoolEstimate;
  /** Functions that repeat in most members, costliest first. */
  repeated: RepeatedItem[];
  /** Call paths that repeat in most members, costliest first. */
  paths: RepeatedPath[];
  startup: StartupSummary;
  /** Packages loaded in most members, costliest first (top-level code of project modules is in `repeated`). */
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
