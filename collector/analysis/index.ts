// The cross-process analysis: which work every member of a family of processes repeats, what it
// costs, and what running it once would save. Pure: a Recording in, plain JSON-ready data out.
// docs/ANALYSIS.md documents the result (version 1).

import { frameLabels } from '../tree';
import { Recording } from '../model';
import { frameKinds } from './classify';
import { callerOf } from './caller';
import { shortAdvice } from './estimate';
import { findFamilies, Family } from './families';
import { MemberReader, MemberSamples } from './member';
import { RepeatOptions, repeatedFunctions, repeatedPaths } from './repeated';
import { packageLoads, PackageLoads, startupSummary } from './startup';
import { round, spread, sum } from './stats';
import { Analysis, ANALYSIS_VERSION, AnalysisOptions, FamilyAnalysis } from './types';

export * from './types';
export { findFamilies, normaliseArg, parseCommand } from './families';
export type { Family } from './families';
export { estimateOnce } from './estimate';
export { callerOf } from './caller';
export { diffRecordings } from './diff';
export type { DiffNode, DiffOptions, DiffResult, FunctionChange } from './diff';

export function analyze(r: Recording, opts: AnalysisOptions = {}): Analysis {
  const o: RepeatOptions = {
    minMemberShare: opts.minMemberShare ?? 0.8,
    minShare: opts.minShare ?? 0.01,
    carryShare: opts.carryShare ?? 0.8,
    maxItems: opts.maxItems ?? 20,
  };
  const kinds = frameKinds(r);
  const labels = frameLabels(r);
  const reader = new MemberReader(r, kinds);
  const loads = new PackageLoads(r, kinds);
  const cache = new Map<string, MemberSamples>();
  const member = (p: Recording['processes'][number]): MemberSamples => {
    let m = cache.get(p.key);
    if (!m) cache.set(p.key, (m = reader.read(p)));
    return m;
  };

  const families = findFamilies(r, opts.minMembers ?? 2).map((f: Family): FamilyAnalysis => {
    const members = f.members.map(member);
    const perMember = members.map((m) => m.totalMs);
    const familyMs = sum(perMember);
    return {
      command: f.command,
      entry: f.entry,
      members: members.length,
      pids: f.members.map((p) => p.pid),
      keys: f.members.map((p) => p.key),
      forked: f.forked,
      cpuMs: round(familyMs),
      msPerMember: spread(perMember),
      repeated: repeatedFunctions(r, members, familyMs, kinds, o),
      paths: repeatedPaths(r, members, familyMs, kinds, labels, o),
      startup: startupSummary(members, familyMs),
      packages: packageLoads(members, familyMs, loads, o),
    };
  });
  const cpuMs = sum(r.processes.filter((p) => p.sampled).map((p) => member(p).totalMs));
  return { version: ANALYSIS_VERSION, cpuMs: round(cpuMs), families };
}

/**
 * The `n` costliest repeated items of the whole recording, one sentence each, e.g.
 * `configureModels (models.js:12) ran in 38 of 40 forks, 61 ms each: 58 % of the children's CPU — keep
 * children alive or load lazily; ~2.4x throughput if it ran once`. Start-up functions and package loads
 * come first, ranked together by what running them once would save, then functions that repeat after
 * start-up (which may be the jobs themselves, so they are worded as a question of set-up, without a
 * throughput promise). The HTML panel ranks the same way (viewer/findings.ts).
 */
export function summaryLines(a: Analysis, n = 5): string[] {
  const startup: Line[] = [];
  const packages: Line[] = [];
  const work: Line[] = [];
  for (const f of a.families) {
    const members = f.forked ? 'forks' : `processes of \`${f.command}\``;
    const whose = f.forked ? "the children's CPU" : 'their CPU';
    for (const item of f.repeated) {
      if (item.within) continue; // part of an item listed already
      const caller = callerOf(f, item.label);
      const ran = `${item.label}${caller ? `, called from ${caller},` : ''} ran in ${item.members} of ${item.of} ${members}`;
      if (item.phase === 'startup') {
        startup.push({
          savedMs: item.estimate.savedMs,
          text:
            `${ran}, ${ms(item.msPerMember)} each: ${percent(item.share)} of ${whose} — ` +
            `${shortAdvice(item)}; ${speedup(item.estimate.speedup)} if it ran once`,
        });
      } else {
        work.push({
          savedMs: item.estimate.savedMs,
          text:
            `${ran} after start-up, ${ms(item.msPerMember)} each: ${percent(item.share)} of ${whose} — ` +
            `if it is set-up rather than the job itself, ${shortAdvice(item)}`,
        });
      }
    }
    for (const p of f.packages) {
      packages.push({
        savedMs: p.estimate.savedMs,
        text:
          `loading ${p.name} took ${ms(p.msPerMember)} in ${p.members} of ${p.of} ${members}: ` +
          `${percent(p.share)} of ${whose} — load it lazily or keep children alive; ${speedup(p.estimate.speedup)} if it loaded once`,
      });
    }
  }
  const bySaving = (x: Line, y: Line): number => y.savedMs - x.savedMs;
  // Start-up functions and package loads are ranked together by what running them once would save;
  // work after start-up may be the job itself, so it comes after them.
  return [...[...startup, ...packages].sort(bySaving), ...work.sort(bySaving)].slice(0, n).map((l) => l.text);
}

interface Line {
  savedMs: number;
  text: string;
}

function ms(x: number): string {
  return x < 10 ? `${round(x, 1)} ms` : `${Math.round(x)} ms`;
}

function percent(share: number): string {
  const p = share * 100;
  return p < 1 ? `${round(p, 1)} %` : `${Math.round(p)} %`;
}

function speedup(x: number): string {
  return `~${x.toFixed(x < 2 ? 2 : 1)}x throughput`;
}
