// The cross-process analysis: which work every member of a family of processes repeats, what it
// costs, and what running it once would save. Pure: a Recording in, plain JSON-ready data out.
// docs/ANALYSIS.md documents the result (version 1).

import { frameLabels, Recording } from '../model';
import { frameKinds } from './classify';
import { findFamilies, Family } from './families';
import { MemberReader, MemberSamples } from './member';
import { RepeatOptions, repeatedFunctions, repeatedPaths } from './repeated';
import { packageLoads, PackageLoads, startupSummary } from './startup';
import { round, spread, sum } from './stats';
import { Analysis, ANALYSIS_VERSION, AnalysisOptions, FamilyAnalysis } from './types';

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
      ...(f.threads ? { threads: true } : {}),
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

