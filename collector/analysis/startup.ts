// Start-up, accounted on its own: how long each member takes until its module loading settles, and
// what loading each package costs per member. Pure.
//
// A package is "being loaded" on a stack when one of its frames sits directly under a module-loader
// frame (that frame is the package module's top-level code). A sample counts once for every package
// being loaded on its stack, so a package's cost includes what it requires in turn, and its top-level
// code. Compiling a file is attributed to the package that required it (the file's own frame is not
// on the stack yet).

import { packageOf, Recording, ROOT_STACK, StackIndex } from '../model';
import { FrameKind } from './classify';
import { adviceForPackage, estimateOnce } from './estimate';
import { checkParentsFirst, MemberSamples } from './member';
import { membersNeeded, RepeatOptions } from './repeated';
import { memberFigures, round, spread, sum } from './stats';
import { PackageLoad, StartupSummary } from './types';

export function startupSummary(members: MemberSamples[], familyMs: number): StartupSummary {
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

  constructor(r: Recording, kinds: FrameKind[]) {
    checkParentsFirst(r);
    const { frame, parent } = r.stacks;
    this.listOf = new Int32Array(frame.length);
    for (let s = 0; s < frame.length; s++) {
      const p = parent[s];
      if (p === ROOT_STACK) continue; // list 0: no package
      let list = this.listOf[p];
      const f = frame[s];
      if (kinds[frame[p]] === 'loader' && kinds[f] === 'package') {
        const name = packageOf(r.strings[r.frames.file[f]]);
        if (name && !this.lists[list].includes(name)) list = this.lists.push([...this.lists[list], name]) - 1;
      }
      this.listOf[s] = list;
    }
  }

  of(s: StackIndex): readonly string[] {
    return this.lists[s === ROOT_STACK ? 0 : this.listOf[s]];
  }
}

export function packageLoads(members: MemberSamples[], familyMs: number, loads: PackageLoads, o: RepeatOptions): PackageLoad[] {
  const n = members.length;
  const need = membersNeeded(n, o.minMemberShare);
  const perPackage = new Map<string, number[]>();
  for (const m of members) {
    const mine = new Map<string, number>();
    const { stacks, ms } = m.msByStack;
    for (let i = 0; i < stacks.length; i++) for (const p of loads.of(stacks[i])) mine.set(p, (mine.get(p) ?? 0) + ms[i]);
    for (const [p, ms] of mine) {
      const list = perPackage.get(p);
      if (list) list.push(ms);
      else perPackage.set(p, [ms]);
    }
  }
  return [...perPackage]
    .map(([name, values]) => ({ name, values, total: sum(values) }))
    .filter((p) => p.values.length >= need && p.total >= o.minShare * familyMs)
    .sort((a, b) => b.total - a.total)
    .slice(0, o.maxItems)
    .map((p) => {
      const figures = memberFigures(p.values, n, p.total, familyMs);
      return { name: p.name, ...figures, estimate: estimateOnce(p.total, figures.msPerMember, familyMs), advice: adviceForPackage(p.name) };
    });
}
