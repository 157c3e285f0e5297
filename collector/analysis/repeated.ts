// Work that repeats across the members of a family: per function (a frame's inclusive time, counted
// once per sample even under recursion) and per call path (a stack and everything below it). Pure.
//
// Only items that run in most members (minMemberShare) are kept. Module top-level code is left to the
// start-up and package accounting (see moduleTopLevelFrames). A frame whose time lies almost all
// (carryShare) inside one deeper kept frame gives way to it, so that a chain such as
// module top-level -> configure -> configureModels is listed once, at the deepest frame that still
// carries the cost; the exception is a project frame over a package frame, where the project frame
// (the call the user can change) is kept and the package frame gives way.

import { FrameIndex, Recording, ROOT_STACK, StackIndex } from '../model';
import { displayFile, functionName, packageOf } from '../names';
import { FrameKind, isUserCode, moduleTopLevelFrames } from './classify';
import { adviceForItem, estimateOnce } from './estimate';
import { MemberSamples } from './member';
import { round, spread } from './stats';
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
  const out = new Map<FrameIndex, number>();
  const seenAt = new Int32Array(r.frames.name.length).fill(-1);
  let visit = 0;
  for (const [s, ms] of msByStack) {
    visit++;
    for (let t = s; t !== ROOT_STACK; t = r.stacks.parent[t]) {
      const f = r.stacks.frame[t];
      if (seenAt[f] === visit) continue;
      seenAt[f] = visit;
      out.set(f, (out.get(f) ?? 0) + ms);
    }
  }
  return out;
}

interface Tally {
  perMember: number[];
  total: number;
}

function tally<K>(maps: Array<Map<K, number>>): Map<K, Tally> {
  const out = new Map<K, Tally>();
  for (const m of maps) {
    for (const [k, ms] of m) {
      if (ms <= 0) continue;
      let t = out.get(k);
      if (!t) out.set(k, (t = { perMember: [], total: 0 }));
      t.perMember.push(ms);
      t.total += ms;
    }
  }
  return out;
}

export function repeatedFunctions(
  r: Recording,
  members: MemberSamples[],
  familyMs: number,
  kinds: FrameKind[],
  o: RepeatOptions,
): RepeatedItem[] {
  const n = members.length;
  const need = membersNeeded(n, o.minMemberShare);
  const byFrame = tally(members.map((m) => frameInclusiveMs(r, m.msByStack)));
  const inStartup = tally(members.map((m) => frameInclusiveMs(r, m.startupMsByStack)));

  const topLevel = moduleTopLevelFrames(r, kinds);
  const candidates = [...byFrame]
    .filter(([f, t]) => isUserCode(kinds[f]) && !topLevel.has(f) && t.perMember.length >= need && t.total >= o.minShare * familyMs)
    .sort((a, b) => b[1].total - a[1].total)
    .slice(0, Math.max(60, o.maxItems * 3));
  const isCandidate = new Set(candidates.map(([f]) => f));
  const together = coOccurrence(r, members, isCandidate);

  const dropped = new Set<FrameIndex>();
  for (const [x, tx] of candidates) {
    for (const [y, ms] of together.get(x) ?? []) {
      if (ms < o.carryShare * tx.total) continue;
      if (kinds[x] === 'project' && kinds[y] === 'package') dropped.add(y);
      else dropped.add(x);
    }
  }

  const kept = candidates.filter(([f]) => !dropped.has(f)).slice(0, o.maxItems);
  // The nearest kept item that most of this one's time runs under, so that summaries can skip parts
  // of an item already listed.
  const withinOf = (y: FrameIndex, ty: Tally): FrameIndex | undefined => {
    let best: [FrameIndex, number] | undefined;
    for (const [x, tx] of kept) {
      if (x === y || (together.get(x)?.get(y) ?? 0) < o.carryShare * ty.total) continue;
      if (!best || tx.total < best[1]) best = [x, tx.total];
    }
    return best?.[0];
  };
  const items = kept.map(([f, t]) => {
    const file = r.strings[r.frames.file[f]];
    const shown = displayFile(file, r.meta.cwd);
    const name = functionName(r.strings[r.frames.name[f]]);
    const line = r.frames.line[f];
    const kind = kinds[f] as 'project' | 'package';
    const pkg = kind === 'package' ? packageOf(file) : undefined;
    const phase: 'startup' | 'work' = (inStartup.get(f)?.total ?? 0) >= 0.5 * t.total ? 'startup' : 'work';
    const s = spread(t.perMember);
    const item: RepeatedItem = {
      frame: name,
      file: shown,
      line,
      label: line > 0 ? `${name} (${shown}:${line})` : `${name} (${shown})`,
      kind,
      ...(pkg ? { package: pkg } : {}),
      phase,
      members: t.perMember.length,
      of: n,
      msPerMember: s.median,
      spread: s,
      totalMs: round(t.total),
      share: familyMs > 0 ? round(t.total / familyMs, 4) : 0,
      estimate: estimateOnce(t.total, s.median, familyMs),
      advice: '',
    };
    item.advice = adviceForItem(item);
    return item;
  });
  kept.forEach(([f, t], i) => {
    const x = withinOf(f, t);
    if (x !== undefined) items[i].within = items[kept.findIndex(([k]) => k === x)].label;
  });
  return items;
}

/** For candidate frames x above y on a stack: ms of samples with both, x nearer the root. */
function coOccurrence(r: Recording, members: MemberSamples[], isCandidate: Set<FrameIndex>): Map<FrameIndex, Map<FrameIndex, number>> {
  const out = new Map<FrameIndex, Map<FrameIndex, number>>();
  const chainOf = new Map<StackIndex, FrameIndex[]>();
  const chain = (s: StackIndex): FrameIndex[] => {
    let c = chainOf.get(s);
    if (c) return c;
    const up = s === ROOT_STACK ? [] : chain(r.stacks.parent[s]);
    const f = s === ROOT_STACK ? -1 : r.stacks.frame[s];
    c = f >= 0 && isCandidate.has(f) && !up.includes(f) ? [...up, f] : up;
    chainOf.set(s, c);
    return c;
  };
  for (const m of members) {
    for (const [s, ms] of m.msByStack) {
      const c = chain(s);
      for (let i = 0; i < c.length; i++) {
        let row = out.get(c[i]);
        if (!row) out.set(c[i], (row = new Map()));
        for (let j = i + 1; j < c.length; j++) row.set(c[j], (row.get(c[j]) ?? 0) + ms);
      }
    }
  }
  return out;
}

/** Inclusive ms per call path (stack node). */
function pathInclusiveMs(r: Recording, msByStack: Map<StackIndex, number>): Map<StackIndex, number> {
  const out = new Map<StackIndex, number>();
  for (const [s, ms] of msByStack) {
    for (let t = s; t !== ROOT_STACK; t = r.stacks.parent[t]) out.set(t, (out.get(t) ?? 0) + ms);
  }
  return out;
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
  const byPath = tally(members.map((m) => pathInclusiveMs(r, m.msByStack)));
  const candidates = new Map(
    [...byPath].filter(
      ([s, t]) => isUserCode(kinds[r.stacks.frame[s]]) && t.perMember.length >= need && t.total >= o.minShare * familyMs,
    ),
  );
  // A path gives way to a deeper kept path that carries most of its time: chains of equal cost collapse.
  const dropped = new Set<StackIndex>();
  for (const [q, tq] of candidates) {
    for (let p = r.stacks.parent[q]; p !== ROOT_STACK; p = r.stacks.parent[p]) {
      const tp = candidates.get(p);
      if (!tp || tq.total < o.carryShare * tp.total) continue;
      const projectOverPackage = kinds[r.stacks.frame[p]] === 'project' && kinds[r.stacks.frame[q]] === 'package';
      dropped.add(projectOverPackage ? q : p);
    }
  }
  return [...candidates]
    .filter(([s]) => !dropped.has(s))
    .sort((a, b) => b[1].total - a[1].total)
    .slice(0, o.maxItems)
    .map(([s, t]) => {
      const sp = spread(t.perMember);
      const frames: string[] = [];
      for (let x = s; x !== ROOT_STACK; x = r.stacks.parent[x]) frames.push(labels[r.stacks.frame[x]]);
      return {
        frames: frames.reverse(),
        members: t.perMember.length,
        of: n,
        msPerMember: sp.median,
        spread: sp,
        totalMs: round(t.total),
        share: familyMs > 0 ? round(t.total / familyMs, 4) : 0,
      };
    });
}

