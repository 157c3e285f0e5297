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
import { narrowNeededMs } from './narrow';
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
  /** Per stack, its node in the require tree (`tree`): the chain of package modules being loaded on it; 0 for none. */
  readonly loadNode: Int32Array;
  /** The require tree's nodes: parent node and file (string index) being loaded; node 0 is "none". */
  readonly tree: { parent: number[]; file: number[] } = { parent: [-1], file: [-1] };
  /** Per stack, the file of its own frame when that is package code run outside any package's loading (the jobs use it), -1 otherwise. */
  readonly runsFile: Int32Array;

  constructor(r: Recording, kinds: FrameKind[]) {
    checkParentsFirst(r);
    const { frame, parent } = r.stacks;
    this.listOf = new Int32Array(frame.length);
    this.loadNode = new Int32Array(frame.length);
    this.runsFile = new Int32Array(frame.length).fill(-1);
    const childNode = new Map<string, number>();
    for (let s = 0; s < frame.length; s++) {
      const p = parent[s];
      const f = frame[s];
      if (p === ROOT_STACK) {
        if (kinds[f] === 'package') this.runsFile[s] = r.frames.file[f];
        continue; // list 0: no package
      }
      let list = this.listOf[p];
      let node = this.loadNode[p];
      if (kinds[frame[p]] === 'loader' && kinds[f] === 'package') {
        const file = r.frames.file[f];
        const name = packageOf(r.strings[file]);
        if (name && !this.lists[list].includes(name)) list = this.lists.push([...this.lists[list], name]) - 1;
        const key = `${node}:${file}`;
        let child = childNode.get(key);
        if (child === undefined) {
          child = this.tree.parent.push(node) - 1;
          this.tree.file.push(file);
          childNode.set(key, child);
        }
        node = child;
      } else if (list === 0 && kinds[f] === 'package') this.runsFile[s] = r.frames.file[f];
      this.listOf[s] = list;
      this.loadNode[s] = node;
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
  const usedFiles = filesTheJobsRun(r, members, loads);
  const usedPackages = new Set([...usedFiles].map((f) => packageOf(r.strings[f])));
  const need = membersNeeded(n, o.minMemberShare);
  const perPackage = new Map<string, { whole: number[]; startup: number[] }>();
  const slot = (name: string): { whole: number[]; startup: number[] } => {
    let x = perPackage.get(name);
    if (!x) perPackage.set(name, (x = { whole: new Array<number>(n).fill(0), startup: new Array<number>(n).fill(0) }));
    return x;
  };
  // The family's ms per require-tree node, with it as the innermost module being loaded.
  const selfMs = new Float64Array(loads.tree.parent.length);
  members.forEach((m, j) => {
    for (const [source, key] of [[m.msByStack, 'whole'], [m.startupMsByStack, 'startup']] as const) {
      const { stacks, ms } = source;
      for (let i = 0; i < stacks.length; i++) {
        const p = loads.outer(stacks[i]);
        if (p === undefined) continue;
        slot(p)[key][j] += ms[i];
        if (key === 'whole') selfMs[loads.loadNode[stacks[i]]] += ms[i];
      }
    }
  });
  const tree = { ...loads.tree, selfMs };
  return [...perPackage]
    .map(([name, x]) => ({ name, ...x, values: x.whole.filter((v) => v > 0), total: sum(x.whole) }))
    .filter((p) => p.values.length >= need && p.total >= o.minShare * familyMs)
    .sort((a, b) => b.total - a.total)
    .slice(0, o.maxItems)
    .map((p) => {
      const figures = memberFigures(p.values, n, p.total, familyMs);
      const gcMs = sum(members.map((m, j) => gcShare(m, p.startup[j], p.whole[j])));
      // Code of it that runs outside its loading means the jobs use it: a lazy require would load it
      // anyway, a narrower one saves what the part they use does not load (and its share of the GC).
      const used = usedPackages.has(p.name);
      const cure = used ? 'narrow' : 'lazy';
      const roots = loads.tree.parent.flatMap((parent, v) => (parent === 0 && packageOf(r.strings[loads.tree.file[v]]) === p.name ? [v] : []));
      const needed = used ? Math.min(p.total, narrowNeededMs(tree, roots, usedFiles)) : 0;
      const unused = p.total - needed;
      const saved = used ? unused + (p.total > 0 ? (gcMs * unused) / p.total : 0) : p.total + gcMs;
      return {
        load: {
          name: p.name,
          ...figures,
          gcMs: round(gcMs),
          cure,
          neededMs: round(needed),
          estimate: estimateCure(saved, familyMs),
          advice: adviceForPackage(p.name, cure),
        },
        whole: p.whole,
        startup: p.startup,
      };
    });
}

/**
 * Package files whose code the members run outside any package's loading: every package frame of
 * such a stack, not only the deepest (a sampled stack counts for all its frames), so that a file
 * whose functions only call further into the package still counts as used.
 */
function filesTheJobsRun(r: Recording, members: MemberSamples[], loads: PackageLoads): Set<number> {
  const { parent } = r.stacks;
  const live = new Uint8Array(parent.length);
  for (const m of members) for (const s of m.msByStack.stacks) if (s !== ROOT_STACK) live[s] = 1;
  // Children come after their parents: one backward sweep marks every frame under a sampled stack.
  for (let s = parent.length - 1; s >= 0; s--) if (live[s] && parent[s] !== ROOT_STACK) live[parent[s]] = 1;
  const used = new Set<number>();
  for (let s = 0; s < parent.length; s++) if (live[s] && loads.runsFile[s] >= 0) used.add(loads.runsFile[s]);
  return used;
}
