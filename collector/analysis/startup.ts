// Start-up, accounted on its own: how long each member takes until its module loading settles, and
// what loading each package costs per member. Pure.
//
// A package is "being loaded" on a stack when one of its frames sits directly under a module-loader
// frame (that frame is the package module's top-level code). A sample counts once for every package
// being loaded on its stack, so a package's cost includes what it requires in turn, and its top-level
// code. Compiling a file is attributed to the package that required it (the file's own frame is not
// on the stack yet).

import { packageOf } from '../names';
import { Recording, ROOT_STACK, StackIndex } from '../model';
import { FrameKind } from './classify';
import { adviceForPackage, estimateOnce } from './estimate';
import { MemberSamples } from './member';
import { membersNeeded, RepeatOptions } from './repeated';
import { round, spread, sum } from './stats';
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

/** Packages being loaded on each stack, memoised; shared by the members of a recording. */
export class PackageLoads {
  private readonly memo = new Map<StackIndex, { packages: string[]; underLoader: boolean }>();
  constructor(private readonly r: Recording, private readonly kinds: FrameKind[]) {}

  of(s: StackIndex): string[] {
    return this.walk(s).packages;
  }

  private walk(s: StackIndex): { packages: string[]; underLoader: boolean } {
    if (s === ROOT_STACK) return { packages: [], underLoader: false };
    let v = this.memo.get(s);
    if (!v) {
      const up = this.walk(this.r.stacks.parent[s]);
      const f = this.r.stacks.frame[s];
      const kind = this.kinds[f];
      let packages = up.packages;
      if (up.underLoader && kind === 'package') {
        const name = packageOf(this.r.strings[this.r.frames.file[f]]);
        if (name && !packages.includes(name)) packages = [...packages, name];
      }
      v = { packages, underLoader: kind === 'loader' };
      this.memo.set(s, v);
    }
    return v;
  }
}

export function packageLoads(members: MemberSamples[], familyMs: number, loads: PackageLoads, o: RepeatOptions): PackageLoad[] {
  const n = members.length;
  const need = membersNeeded(n, o.minMemberShare);
  const perPackage = new Map<string, number[]>();
  for (const m of members) {
    const mine = new Map<string, number>();
    for (const [s, ms] of m.msByStack) for (const p of loads.of(s)) mine.set(p, (mine.get(p) ?? 0) + ms);
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
      const s = spread(p.values);
      return {
        name: p.name,
        members: p.values.length,
        of: n,
        msPerMember: s.median,
        spread: s,
        totalMs: round(p.total),
        share: familyMs > 0 ? round(p.total / familyMs, 4) : 0,
        estimate: estimateOnce(p.total, s.median, familyMs),
        advice: adviceForPackage(p.name),
      };
    });
}
