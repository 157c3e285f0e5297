// Top-level code of the project's own modules that repeats in every member: a finding named after
// its module (`top-level code of src/setup.js`). A sample counts for the innermost project module
// whose top-level code is on its stack, unless a package is being loaded below it (then it is that
// package's loading) or a listed function is on it (then it is that function's): so a module's row
// is what its own top-level code spends, and counts no sample that another row counts. Pure.

import { displayFile, FrameIndex, ROOT_STACK } from '../model';
import { moduleTopLevelFrames } from './classify';
import { membersNeeded, FamilyContext, ItemMs } from './repeated';
import { memberFigures, sum } from './stats';

export function moduleTopLevels(ctx: FamilyContext, listed: Set<FrameIndex>): ItemMs[] {
  const { r, members, familyMs, kinds, o, flags } = ctx;
  const { frame, parent } = r.stacks;
  const topLevel = moduleTopLevelFrames(r, kinds);
  // moduleOf[s]: the module (its top-level frame) a sample at s counts for, -1 for none.
  const moduleOf = new Int32Array(frame.length).fill(-1);
  for (let s = 0; s < frame.length; s++) {
    const p = parent[s];
    const f = frame[s];
    const loadsPackage = p !== ROOT_STACK && kinds[frame[p]] === 'loader' && kinds[f] === 'package';
    if (loadsPackage || listed.has(f) || (p !== ROOT_STACK && moduleOf[p] === -2)) moduleOf[s] = -2;
    else if (topLevel.has(f) && kinds[f] === 'project') moduleOf[s] = f;
    else moduleOf[s] = p === ROOT_STACK ? -1 : moduleOf[p];
  }
  const n = members.length;
  const per = new Map<FrameIndex, { whole: number[]; startup: number[]; compile: number; library: number }>();
  members.forEach((m, j) => {
    for (const [source, key] of [[m.msByStack, 'whole'], [m.startupMsByStack, 'startup']] as const) {
      const { stacks, ms } = source;
      for (let i = 0; i < stacks.length; i++) {
        const s = stacks[i];
        const mod = s === ROOT_STACK ? -1 : moduleOf[s];
        if (mod < 0) continue;
        let x = per.get(mod);
        if (!x) per.set(mod, (x = { whole: new Array<number>(n).fill(0), startup: new Array<number>(n).fill(0), compile: 0, library: 0 }));
        x[key][j] += ms[i];
        if (key === 'whole') {
          if (flags.compile[s]) x.compile += ms[i];
          if (flags.inLibrary[s]) x.library += ms[i];
        }
      }
    }
  });
  const need = membersNeeded(n, o.minMemberShare);
  return [...per]
    .map(([f, x]) => ({ f, ...x, values: x.whole.filter((v) => v > 0), total: sum(x.whole) }))
    .filter((x) => x.values.length >= need && x.total >= o.minShare * familyMs)
    .sort((a, b) => b.total - a.total)
    .slice(0, o.maxItems)
    .map((x): ItemMs => {
      const shown = displayFile(r.strings[r.frames.file[x.f]], r.meta.cwd);
      const startupMs = sum(x.startup);
      return {
        item: {
          frame: '(top-level)',
          file: shown,
          line: r.frames.line[x.f],
          label: `top-level code of ${shown}`,
          kind: 'project',
          phase: startupMs >= 0.5 * x.total ? 'startup' : 'work',
          role: 'setup',
          cure: 'lazy',
          topLevel: true,
          gcMs: 0,
          ...memberFigures(x.values, n, x.total, familyMs),
          estimate: { savedMs: 0, cpuFall: 0, speedup: 1 },
          advice: '',
        },
        frame: x.f,
        whole: x.whole,
        startup: x.startup,
        compileShare: x.total > 0 ? x.compile / x.total : 0,
        libraryShare: x.total > 0 ? x.library / x.total : 0,
      };
    });
}
