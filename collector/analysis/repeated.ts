// Work that repeats across the members of a family: per function (a frame's inclusive time, counted
// once per sample even under recursion) and per call path (a stack and everything below it). Pure.
//
// Only items that run in most members (minMemberShare) are kept. Module top-level code is left to the
// start-up and package accounting (see moduleTopLevelFrames). A frame whose time lies almost all
// (carryShare) inside one deeper kept frame gives way to it, so that a chain such as
// module top-level -> configure -> configureModels is listed once, at the deepest frame that still
// carries the cost; the exception is a project frame over a package frame, where the project frame
// (the call the user can change) is kept and the package frame gives way.

import { DenseSums, displayFile, FrameIndex, functionName, MemberTally, packageOf, Recording, ROOT_STACK, StackIndex } from '../model';
import { FrameKind, isUserCode, moduleTopLevelFrames } from './classify';
import type { StackFlags } from './roles';
import type { PackageLoads } from './startup';
import { checkParentsFirst, MemberSamples, StackMs } from './member';
import { memberFigures } from './stats';
import { RepeatedItem, RepeatedPath } from './types';

export interface RepeatOptions {
  minMemberShare: number;
  minShare: number;
  carryShare: number;
  maxItems: number;
}

/** How many members an item must run in. */
export function membersNeeded(n: number, minMemberShare: number): number {
  return Math.max(1, Math.ceil(n * minMemberShare - 1e-9));
}

/** Inclusive ms per frame: each frame counts once per stack, however often it recurs in it. */
export function frameInclusiveMs(r: Recording, msByStack: Map<StackIndex, number>): Map<FrameIndex, number> {
  const inclusive = new FrameInclusive(r);
  for (const [s, ms] of msByStack) inclusive.add(s, ms);
  const out = new Map<FrameIndex, number>();
  for (const f of inclusive.sums.keys()) out.set(f, inclusive.sums.get(f));
  return out;
}

/** Sums per key (frame or stack) of the stacks fed to it, one member at a time. */
interface Inclusive {
  readonly sums: DenseSums;
  readonly size: number;
  add(s: StackIndex, ms: number): void;
}

/** Inclusive ms per frame: each frame counts once per stack, however often it recurs in it. */
export class FrameInclusive implements Inclusive {
  readonly sums: DenseSums;
  readonly size: number;
  /** The visit (one per stack added) at which each frame was last counted. */
  private readonly seenAt: Int32Array;
  private visit = 0;

  constructor(private readonly r: Recording) {
    this.size = r.frames.name.length;
    this.sums = new DenseSums(this.size);
    this.seenAt = new Int32Array(this.size);
  }

  add(s: StackIndex, ms: number): void {
    if (++this.visit === 0x7fffffff) {
      this.seenAt.fill(0);
      this.visit = 1;
    }
    const { frame, parent } = this.r.stacks;
    for (let t = s; t !== ROOT_STACK; t = parent[t]) {
      const f = frame[t];
      if (this.seenAt[f] === this.visit) continue;
      this.seenAt[f] = this.visit;
      this.sums.add(f, ms);
    }
  }
}

/** Inclusive ms per call path (stack node): a stack's ms counts for it and every stack above it. */
class PathInclusive implements Inclusive {
  readonly sums: DenseSums;
  readonly size: number;

  constructor(private readonly r: Recording) {
    this.size = r.stacks.frame.length;
    this.sums = new DenseSums(this.size);
  }

  add(s: StackIndex, ms: number): void {
    const { parent } = this.r.stacks;
    for (let t = s; t !== ROOT_STACK; t = parent[t]) this.sums.add(t, ms);
  }
}

/** Leaves one member's inclusive sums in `inclusive.sums`. */
function sumMember(inclusive: Inclusive, m: StackMs): void {
  inclusive.sums.clear();
  for (let i = 0; i < m.stacks.length; i++) inclusive.add(m.stacks[i], m.ms[i]);
}

/** Each member's inclusive sums, tallied over the members (in what members each key runs, and its total). */
function tally(inclusive: Inclusive, sources: StackMs[]): MemberTally {
  const out = new MemberTally(inclusive.size);
  for (const m of sources) {
    sumMember(inclusive, m);
    out.addMember(inclusive.sums);
  }
  inclusive.sums.clear();
  return out;
}

/**
 * The positive ms of each listed call path per member, members in order (what a spread is taken
 * over). Only a few paths are listed, so each stack links to the nearest listed path at or above it
 * (one forward sweep over the stack table) and a member's stacks walk those links, not every ancestor.
 */
function listedPathSums(r: Recording, sources: StackMs[], listed: StackIndex[]): Map<StackIndex, number[]> {
  checkParentsFirst(r);
  const { parent } = r.stacks;
  const rankOf = new Map(listed.map((s, i) => [s, i]));
  const link = new Int32Array(parent.length);
  for (let s = 0; s < parent.length; s++) link[s] = rankOf.has(s) ? s : parent[s] === ROOT_STACK ? -1 : link[parent[s]];
  const above = (y: StackIndex): StackIndex => (parent[y] === ROOT_STACK ? -1 : link[parent[y]]);
  const out = new Map<StackIndex, number[]>(listed.map((s) => [s, []]));
  const sums = new Float64Array(listed.length);
  for (const { stacks, ms } of sources) {
    sums.fill(0);
    for (let i = 0; i < stacks.length; i++) {
      if (stacks[i] === ROOT_STACK) continue;
      for (let y = link[stacks[i]]; y !== -1; y = above(y)) sums[rankOf.get(y)!] += ms[i];
    }
    listed.forEach((s, i) => {
      if (sums[i] > 0) out.get(s)!.push(sums[i]);
    });
  }
  return out;
}

/** A listed item with what the rest of the analysis needs per member (members in order, 0 where it did not run). */
export interface ItemMs {
  item: RepeatedItem;
  /** The frame it stands for (a function, or a module's top-level code). */
  frame: FrameIndex;
  /** Ms per member, whole process and start-up window. */
  whole: number[];
  startup: number[];
  /** Shares of its time under a compiler frame, and spent in library code. */
  compileShare: number;
  libraryShare: number;
}

export interface FamilyContext {
  r: Recording;
  members: MemberSamples[];
  familyMs: number;
  kinds: FrameKind[];
  o: RepeatOptions;
  flags: StackFlags;
  loads: PackageLoads;
}

export function repeatedFunctions(ctx: FamilyContext): ItemMs[] {
  const { r, members, familyMs, kinds, o, flags } = ctx;
  const n = members.length;
  const need = membersNeeded(n, o.minMemberShare);
  const inclusive = new FrameInclusive(r);
  const byFrame = tally(inclusive, members.map((m) => m.msByStack));
  const inStartup = tally(inclusive, members.map((m) => m.startupMsByStack));
  const total = byFrame.total;

  const topLevel = moduleTopLevelFrames(r, kinds);
  const candidates = byFrame.keys
    .filter((f) => isUserCode(kinds[f]) && !topLevel.has(f) && byFrame.members[f] >= need && total[f] >= o.minShare * familyMs)
    .sort((a, b) => total[b] - total[a])
    .slice(0, Math.max(60, o.maxItems * 3));
  const together = new CandidateSums(r, members.map((m) => m.msByStack), candidates);
  const early = new CandidateSums(r, members.map((m) => m.startupMsByStack), candidates);

  const dropped = new Set<FrameIndex>();
  const anonymous = (f: FrameIndex): boolean => r.strings[r.frames.name[f]] === '';
  for (const x of candidates) {
    together.forEachBelow(x, (y, ms) => {
      if (ms < o.carryShare * total[x]) return;
      // The call a user can change and name: a project frame over a package frame, a named
      // function over the anonymous callback it calls (`compileValidators` over `(s) => ajv.compile(s)`).
      const keepsCaller = kinds[x] === 'project' && (kinds[y] === 'package' || (anonymous(y) && !anonymous(x)));
      dropped.add(keepsCaller ? y : x);
    });
  }

  const kept = candidates.filter((f) => !dropped.has(f)).slice(0, o.maxItems);
  // The nearest kept item that most of this one's time runs under, so that summaries can skip parts
  // of an item already listed.
  const withinOf = (y: FrameIndex): FrameIndex | undefined => {
    let best: FrameIndex | undefined;
    for (const x of kept) {
      if (x === y || together.ms(x, y) < o.carryShare * total[y]) continue;
      if (best === undefined || total[x] < total[best]) best = x;
    }
    return best;
  };
  const compiled = flaggedFrameTotals(r, members, flags.compile);
  const inLibrary = flaggedFrameTotals(r, members, flags.inLibrary);
  const underPackage = packageTotals(ctx, new Set(kept));
  const out = kept.map((f): ItemMs => {
    const values = together.perMember(f);
    const file = r.strings[r.frames.file[f]];
    const shown = displayFile(file, r.meta.cwd);
    const name = functionName(r.strings[r.frames.name[f]]);
    const line = r.frames.line[f];
    const kind = kinds[f] as 'project' | 'package';
    const pkg = kind === 'package' ? packageOf(file) : undefined;
    const phase: 'startup' | 'work' = inStartup.total[f] >= 0.5 * total[f] ? 'startup' : 'work';
    const figures = memberFigures(values, n, total[f], familyMs);
    const item: RepeatedItem = {
      frame: name,
      file: shown,
      line,
      label: line > 0 ? `${name} (${shown}:${line})` : `${name} (${shown})`,
      kind,
      ...(pkg ? { package: pkg } : {}),
      phase,
      role: 'setup',
      cure: 'lazy',
      gcMs: 0,
      ...figures,
      estimate: { savedMs: 0, cpuFall: 0, speedup: 1 },
      advice: '',
    };
    // Work done while a package loads is that package's loading (listed as the package).
    for (const [name, ms] of underPackage.get(f) ?? []) if (ms >= o.carryShare * total[f]) item.within = name;
    return {
      item,
      frame: f,
      whole: together.memberMs(f),
      startup: early.memberMs(f),
      compileShare: total[f] > 0 ? compiled[f] / total[f] : 0,
      libraryShare: total[f] > 0 ? inLibrary[f] / total[f] : 0,
    };
  });
  kept.forEach((f, i) => {
    const x = withinOf(f);
    if (x !== undefined) out[i].item.within = out[kept.indexOf(x)].item.label;
  });
  return out;
}

/** Per frame, the family's ms of stacks that carry a flag (each frame once per stack). */
export function flaggedFrameTotals(r: Recording, members: MemberSamples[], flag: Uint8Array): Float64Array {
  const inclusive = new FrameInclusive(r);
  for (const m of members) {
    const { stacks, ms } = m.msByStack;
    for (let i = 0; i < stacks.length; i++) if (stacks[i] !== ROOT_STACK && flag[stacks[i]]) inclusive.add(stacks[i], ms[i]);
  }
  const out = new Float64Array(inclusive.size);
  for (const f of inclusive.sums.keys()) out[f] = inclusive.sums.get(f);
  return out;
}

/** For each of `frames`, its family ms under each package load (the outermost package being loaded). */
function packageTotals(ctx: FamilyContext, frames: Set<FrameIndex>): Map<FrameIndex, Map<string, number>> {
  const { r, members, loads } = ctx;
  const { frame, parent } = r.stacks;
  const out = new Map<FrameIndex, Map<string, number>>();
  const seen = new Set<FrameIndex>();
  for (const m of members) {
    const { stacks, ms } = m.msByStack;
    for (let i = 0; i < stacks.length; i++) {
      const pkg = stacks[i] === ROOT_STACK ? undefined : loads.outer(stacks[i]);
      if (pkg === undefined) continue;
      seen.clear();
      for (let t = stacks[i]; t !== ROOT_STACK; t = parent[t]) {
        const f = frame[t];
        if (!frames.has(f) || seen.has(f)) continue;
        seen.add(f);
        let byPkg = out.get(f);
        if (!byPkg) out.set(f, (byPkg = new Map()));
        byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + ms[i]);
      }
    }
  }
  return out;
}

/**
 * Sums over the candidate frames of a family: per member, the ms of samples each candidate is on (as
 * FrameInclusive counts them), and for candidates x above y on a stack, the ms of samples with both.
 *
 * Each stack's chain of distinct candidate frames is a link to the nearest stack at or above it that
 * adds one, computed for all stacks in one forward sweep, so that a member's stacks walk only their
 * candidates (a few) rather than every ancestor, and no chain is copied per stack. The pair sums are a
 * matrix over the candidates (at most max(60, 3 x maxItems): 60 by default).
 */
class CandidateSums {
  private readonly rankOf: Int32Array;
  private readonly sums: Float64Array;
  /** Pairs seen together at least once: only those can make a frame give way, even at 0 ms. */
  private readonly seen: Uint8Array;
  /** Per member, ms per candidate rank. */
  private readonly memberSums: Float64Array[] = [];

  constructor(r: Recording, sources: StackMs[], private readonly candidates: FrameIndex[]) {
    const k = candidates.length;
    this.rankOf = new Int32Array(r.frames.name.length).fill(-1);
    candidates.forEach((f, i) => (this.rankOf[f] = i));
    this.sums = new Float64Array(k * k);
    this.seen = new Uint8Array(k * k);

    checkParentsFirst(r);
    const { frame, parent } = r.stacks;
    const rankOf = this.rankOf;
    // link[s]: the nearest stack at or above s whose frame is a candidate not already higher up; -1 for none.
    const link = new Int32Array(frame.length);
    const above = (y: StackIndex): StackIndex => (parent[y] === ROOT_STACK ? -1 : link[parent[y]]);
    for (let s = 0; s < frame.length; s++) {
      const up = above(s);
      const rank = rankOf[frame[s]];
      let adds = rank >= 0;
      for (let y = up; adds && y !== -1; y = above(y)) if (rankOf[frame[y]] === rank) adds = false;
      link[s] = adds ? s : up;
    }

    const chain: number[] = [];
    for (const source of sources) {
      const own = new Float64Array(k);
      this.memberSums.push(own);
      const { stacks, ms } = source;
      for (let i = 0; i < stacks.length; i++) {
        if (stacks[i] === ROOT_STACK) continue;
        chain.length = 0;
        for (let y = link[stacks[i]]; y !== -1; y = above(y)) chain.push(rankOf[frame[y]]);
        // Leaf first: chain[j] is above chain[i] when j > i.
        for (let lo = 0; lo < chain.length; lo++) {
          own[chain[lo]] += ms[i];
          for (let hi = lo + 1; hi < chain.length; hi++) {
            const cell = chain[hi] * k + chain[lo];
            this.sums[cell] += ms[i];
            this.seen[cell] = 1;
          }
        }
      }
    }
  }

  /** The positive ms of a candidate per member, members in order (what a spread is taken over). */
  perMember(f: FrameIndex): number[] {
    const rank = this.rankOf[f];
    return this.memberSums.map((own) => own[rank]).filter((ms) => ms > 0);
  }

  /** The ms of a candidate per member, members in order, 0 where it did not run. */
  memberMs(f: FrameIndex): number[] {
    const rank = this.rankOf[f];
    return this.memberSums.map((own) => own[rank]);
  }

  /** Ms of samples with x above y; 0 when they never ran together. */
  ms(x: FrameIndex, y: FrameIndex): number {
    const k = this.candidates.length;
    return this.sums[this.rankOf[x] * k + this.rankOf[y]];
  }

  /** Calls `fn` for each candidate seen below x, with the ms of samples that have both. */
  forEachBelow(x: FrameIndex, fn: (y: FrameIndex, ms: number) => void): void {
    const k = this.candidates.length;
    const row = this.rankOf[x] * k;
    for (let j = 0; j < k; j++) if (this.seen[row + j]) fn(this.candidates[j], this.sums[row + j]);
  }
}

export function repeatedPaths(
  r: Recording,
  members: MemberSamples[],
  familyMs: number,
  kinds: FrameKind[],
  labels: string[],
  o: RepeatOptions,
): RepeatedPath[] {
  const n = members.length;
  const need = membersNeeded(n, o.minMemberShare);
  const paths = new PathInclusive(r);
  const sources = members.map((m) => m.msByStack);
  const byPath = tally(paths, sources);
  const total = byPath.total;
  const { frame, parent } = r.stacks;
  const candidates = byPath.keys.filter(
    (s) => isUserCode(kinds[frame[s]]) && byPath.members[s] >= need && total[s] >= o.minShare * familyMs,
  );
  const isCandidate = new Set(candidates);
  // A path gives way to a deeper kept path that carries most of its time: chains of equal cost collapse.
  const dropped = new Set<StackIndex>();
  for (const q of candidates) {
    for (let p = parent[q]; p !== ROOT_STACK; p = parent[p]) {
      if (!isCandidate.has(p) || total[q] < o.carryShare * total[p]) continue;
      const projectOverPackage = kinds[frame[p]] === 'project' && kinds[frame[q]] === 'package';
      dropped.add(projectOverPackage ? q : p);
    }
  }
  const listed = candidates
    .filter((s) => !dropped.has(s))
    .sort((a, b) => total[b] - total[a])
    .slice(0, o.maxItems);
  const perMember = listedPathSums(r, sources, listed);
  return listed.map((s) => {
    const frames: string[] = [];
    for (let x = s; x !== ROOT_STACK; x = parent[x]) frames.push(labels[frame[x]]);
    return { frames: frames.reverse(), ...memberFigures(perMember.get(s)!, n, total[s], familyMs) };
  });
}
