// Start-up, accounted on its own: how long each member takes until its module loading settles, and
// what loading each package costs per member. Pure.
//
// A package is "being loaded" on a stack when one of its frames sits directly under a module-loader
// frame (that frame is the package module's top-level code). A sample counts for the outermost package
// being loaded on its stack (the one the project required), so a package's cost includes what it
// requires in turn, and its top-level code, and no two packages count the same sample. Compiling a
// file is attributed to the package that required it (the file's own frame is not on the stack yet).

import { packageOf, Recording, ROOT_STACK, StackIndex } from '../model';
import { FrameKind } from './classify';
import { adviceForPackage, estimateCure, estimateOnce } from './estimate';
import { checkParentsFirst, MemberSamples } from './member';
import { membersNeeded, RepeatOptions } from './repeated';
import { gcShare } from './roles';
import { memberFigures, round, spread, sum } from './stats';
import { PackageLoad, StartupSummary } from './types';

export function startupSummary(members: MemberSamples[], familyMs: number, setupMs: number[]): StartupSummary {
  const cpu = members.map((m) => m.startup.cpuMs);
  const loading = members.map((m) => m.startup.loadingMs);
  const totalMs = sum(cpu);
  const loadingTotalMs = sum(loading);
  const loadingSpread = spread(loading);
  return {
    cpuMs: spread(cpu),
    loadingMs: loadingSpread,
    runtimeMs: spread(members.map((m) => m.startup.runtimeMs)),
    wallMs: spread(members.map((m) => m.startup.wallMs)),
    beforeAgentMs: spread(members.map((m) => m.beforeAgentMs)),
    setupMs: spread(setupMs),
    totalMs: round(totalMs),
    share: familyMs > 0 ? round(totalMs / familyMs, 4) : 0,
    loadingTotalMs: round(loadingTotalMs),
    loadingShare: familyMs > 0 ? round(loadingTotalMs / familyMs, 4) : 0,
    estimate: estimateOnce(loadingTotalMs, loadingSpread.median, familyMs),
  };
}

/**
 * Packages being loaded on each stack, for every stack of the recording in one sweep (a stack's list
 * is its parent's, plus its own package when its parent is a loader frame); shared by the members of
 * a recording. Each stack holds the number of its list in a typed array: stacks that load no further
 * package share their parent's list, so there are few lists, and a million stacks cost the garbage
 * collector nothing to scan.
 */
export class PackageLoads {
  private readonly listOf: Int32Array;
  private readonly lists: string[][] = [[]];
  /** Per stack, the file (string index) of the innermost package module being loaded on it, -1 for none. */
  readonly loadingFile: Int32Array;
  /** Per stack, the file of the deepest package frame on it outside any package's loading (called by the project), -1 for none. */
  readonly calledFile: Int32Array;

  constructor(r: Recording, kinds: FrameKind[]) {
    checkParentsFirst(r);
    const { frame, parent } = r.stacks;
    this.listOf = new Int32Array(frame.length);
    this.loadingFile = new Int32Array(frame.length).fill(-1);
    this.calledFile = new Int32Array(frame.length).fill(-1);
    for (let s = 0; s < frame.length; s++) {
      const p = parent[s];
      const f = frame[s];
      if (p === ROOT_STACK) {
        if (kinds[f] === 'package') this.calledFile[s] = r.frames.file[f];
        continue; // list 0: no package
      }
      let list = this.listOf[p];
      this.loadingFile[s] = this.loadingFile[p];
      this.calledFile[s] = this.calledFile[p];
      if (kinds[frame[p]] === 'loader' && kinds[f] === 'package') {
        const name = packageOf(r.strings[r.frames.file[f]]);
        if (name && !this.lists[list].includes(name)) list = this.lists.push([...this.lists[list], name]) - 1;
        this.loadingFile[s] = r.frames.file[f];
      } else if (list === 0 && kinds[f] === 'package') this.calledFile[s] = r.frames.file[f];
      if (list !== 0) this.calledFile[s] = -1;
      this.listOf[s] = list;
    }
  }

  of(s: StackIndex): readonly string[] {
    return this.lists[s === ROOT_STACK ? 0 : this.listOf[s]];
  }

  /** The outermost package being loaded on a stack (the one the project required), if any. */
  outer(s: StackIndex): string | undefined {
    return this.of(s)[0];
  }
}

/** A listed package load with its ms per member (members in order, 0 where it did not load). */
export interface PackageMs {
  load: PackageLoad;
  whole: number[];
  startup: number[];
}

export function packageLoads(r: Recording, members: MemberSamples[], familyMs: number, loads: PackageLoads, o: RepeatOptions): PackageMs[] {
  const n = members.length;
  // Package files the members' own code calls outside any package's loading: what their jobs use.
  const usedFiles = new Set<number>();
  for (const m of members) for (const s of m.msByStack.stacks) if (s !== ROOT_STACK && loads.calledFile[s] >= 0) usedFiles.add(loads.calledFile[s]);
  const usedPackages = new Set([...usedFiles].map((f) => packageOf(r.strings[f])));
  const need = membersNeeded(n, o.minMemberShare);
  const perPackage = new Map<string, { whole: number[]; startup: number[]; needed: number }>();
  const slot = (name: string): { whole: number[]; startup: number[]; needed: number } => {
    let x = perPackage.get(name);
    if (!x) perPackage.set(name, (x = { whole: new Array<number>(n).fill(0), startup: new Array<number>(n).fill(0), needed: 0 }));
    return x;
  };
  members.forEach((m, j) => {
    for (const [source, key] of [[m.msByStack, 'whole'], [m.startupMsByStack, 'startup']] as const) {
      const { stacks, ms } = source;
      for (let i = 0; i < stacks.length; i++) {
        const p = loads.outer(stacks[i]);
        if (p === undefined) continue;
        const x = slot(p);
        x[key][j] += ms[i];
        if (key === 'whole' && usedFiles.has(loads.loadingFile[stacks[i]])) x.needed += ms[i];
      }
    }
  });
  return [...perPackage]
    .map(([name, x]) => ({ name, ...x, values: x.whole.filter((v) => v > 0), total: sum(x.whole) }))
    .filter((p) => p.values.length >= need && p.total >= o.minShare * familyMs)
    .sort((a, b) => b.total - a.total)
    .slice(0, o.maxItems)
    .map((p) => {
      const figures = memberFigures(p.values, n, p.total, familyMs);
      const gcMs = sum(members.map((m, j) => gcShare(m, p.startup[j], p.whole[j])));
      // Code of it that runs outside its loading means the jobs use it: a lazy require would load it
      // anyway, a narrower one saves the files nobody calls (and their share of the GC).
      const used = p.needed > 0 || usedPackages.has(p.name);
      const cure = used ? 'narrow' : 'lazy';
      const unused = Math.max(0, p.total - p.needed);
      const saved = used ? unused + (p.total > 0 ? (gcMs * unused) / p.total : 0) : p.total + gcMs;
      return {
        load: {
          name: p.name,
          ...figures,
          gcMs: round(gcMs),
          cure,
          neededMs: round(p.needed),
          estimate: estimateCure(saved, familyMs),
          advice: adviceForPackage(p.name, cure),
        },
        whole: p.whole,
        startup: p.startup,
      };
    });
}
