// The cross-process analysis: which work every member of a family of processes repeats, what it
// costs, whether it is set-up or the job, and what each cure would save. Pure: a Recording in, plain
// JSON-ready data out. docs/ANALYSIS.md documents the result (version 2) and the model.

import { frameLabels, FrameIndex, Recording, ROOT_STACK } from '../model';
import { frameKinds } from './classify';
import { adviceFor, cureFor, estimateCure, estimatePool } from './estimate';
import { findFamilies, Family } from './families';
import { parentForkMs, spawnStacks } from './forks';
import { MemberReader, MemberSamples } from './member';
import { moduleTopLevels } from './modules';
import { FamilyContext, ItemMs, RepeatOptions, repeatedFunctions, repeatedPaths } from './repeated';
import { gcShare, relativeSpread, stackFlags } from './roles';
import { PackageLoads, packageLoads, PackageMs, startupSummary } from './startup';
import { median, round, spread, sum } from './stats';
import { oneJobPerChild, topologyOf } from './topology';
import { Analysis, ANALYSIS_VERSION, AnalysisOptions, FamilyAnalysis, Topology } from './types';

/** Children whose JS after start-up is below this share of their JS did their job at load (when no job message came). */
const NO_LATER_WORK = 0.1;
/** The same when nobody counted messages: stricter, and only when no work after start-up repeats. */
const NO_LATER_WORK_UNCOUNTED = 0.03;
/** Work after start-up whose cost varies more than this between members (IQR / median) follows the job's input. */
const VARIES_WITH_INPUT = 0.5;

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
  const flags = stackFlags(r, kinds);
  const spawning = spawnStacks(r);
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
    const ctx: FamilyContext = { r, members, familyMs, kinds, o, flags, loads };
    const topology = topologyOf(r, f, members);
    const functions = repeatedFunctions(ctx);
    const modules = moduleTopLevels(ctx, new Set(functions.map((x) => x.frame)));
    const packages = packageLoads(r, members, familyMs, loads, o);
    assignRoles(members, topology, functions, modules);
    const items = [...functions, ...modules];
    for (const x of items) priceItem(x, members, familyMs, topology, x.item.topLevel ? 'module' : 'function');
    for (const p of packages) p.load.advice = adviceFor(p.load.cure, 'package', p.load.name, topology);
    const setup = setupPerMember(r, members, items, packages, loads);
    const repeated = items.map((x) => x.item).sort((a, b) => b.totalMs - a.totalMs);
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
      topology,
      ...(oneJobPerChild(topology) ? { pool: estimatePool(setup, topology.concurrency, familyMs, parentForkMs(r, f.members, spawning)) } : {}),
      repeated,
      paths: repeatedPaths(r, members, familyMs, kinds, labels, o),
      startup: startupSummary(members, familyMs, setup),
      packages: packages.map((p) => p.load),
    };
  });
  const cpuMs = sum(r.processes.filter((p) => p.sampled).map((p) => member(p).totalMs));
  return { version: ANALYSIS_VERSION, cpuMs: round(cpuMs), families };
}

/**
 * Set-up or the job (docs/ANALYSIS.md, "The model"): work after start-up is the job unless it is
 * compile-type (memoised set-up on the first job); work at load is set-up, unless the children do
 * nothing after loading, in which case the costliest project work not spent in a library is the job.
 */
function assignRoles(members: MemberSamples[], t: Topology, functions: ItemMs[], modules: ItemMs[]): void {
  for (const x of [...functions, ...modules]) {
    const compile = x.compileShare >= 0.5;
    if (x.item.phase === 'work') {
      const varies = relativeSpread(x.whole.filter((v) => v > 0)) > VARIES_WITH_INPUT;
      x.item.role = compile && !varies ? 'setup' : 'job';
    } else x.item.role = 'setup';
  }
  const laterJs = median(members.map((m) => m.jsMs.work));
  const allJs = median(members.map((m) => m.jsMs.startup + m.jsMs.work));
  // A child that got no job message and does nothing after loading got its job at load (in argv).
  const later = laterJs / Math.max(allJs, 1e-9);
  const jobAtLoad =
    t.jobsPerMember !== undefined
      ? t.jobsPerMember === 0 && later < NO_LATER_WORK
      : later < NO_LATER_WORK_UNCOUNTED && !functions.some((x) => x.item.phase === 'work');
  if (oneJobPerChild(t) && allJs > 0 && jobAtLoad) {
    const own = [...functions, ...modules]
      .filter((x) => !x.item.within && x.item.kind === 'project' && x.compileShare < 0.5 && x.libraryShare < 0.5)
      .sort((a, b) => b.item.totalMs - a.item.totalMs)[0];
    if (own) own.item.role = 'job';
  }
  // What runs inside the job is the job.
  const jobs = new Set(functions.concat(modules).filter((x) => x.item.role === 'job').map((x) => x.item.label));
  for (const x of functions) if (x.item.within && jobs.has(x.item.within)) x.item.role = 'job';
}

function priceItem(x: ItemMs, members: MemberSamples[], familyMs: number, t: Topology, what: 'function' | 'module'): void {
  const gcMs = sum(members.map((m, j) => gcShare(m, x.startup[j], x.whole[j])));
  x.item.gcMs = round(gcMs);
  x.item.cure = cureFor(x.item, x.compileShare);
  x.item.estimate = x.item.role === 'job' ? estimateCure(0, familyMs) : estimateCure(x.item.totalMs + gcMs, familyMs);
  x.item.advice = adviceFor(x.item.cure, what, x.item.package ?? x.item.label, t);
}

/** Marks of stacks for the set-up sum: covered by set-up (1) or by the job (2, which wins). */
const SETUP = 1;
const JOB = 2;

/**
 * Each member's set-up CPU: its start-up window (which includes what ran before the agent, module
 * loading and the GC in it) less the job when the job ran at load, plus set-up after start-up
 * (compilers on the first job, lazy requires) and the GC share of both. Counted from stacks, so
 * overlapping rows are counted once.
 */
function setupPerMember(
  r: Recording,
  members: MemberSamples[],
  items: ItemMs[],
  packages: PackageMs[],
  loads: PackageLoads,
): number[] {
  const { frame, parent } = r.stacks;
  const frameMark = new Map<FrameIndex, number>(items.map((x) => [x.frame, x.item.role === 'job' ? JOB : SETUP]));
  const listed = new Set(packages.map((p) => p.load.name));
  const mark = new Uint8Array(frame.length);
  for (let s = 0; s < frame.length; s++) {
    const up = parent[s] === ROOT_STACK ? 0 : mark[parent[s]];
    const pkg = loads.outer(s);
    const own = frameMark.get(frame[s]) ?? (pkg !== undefined && listed.has(pkg) ? SETUP : 0);
    mark[s] = Math.max(up, own);
  }
  return members.map((m) => {
    const early = markedMs(m.startupMsByStack, mark, JOB);
    const lateSetup = markedMs(m.msByStack, mark, SETUP) - markedMs(m.startupMsByStack, mark, SETUP);
    const gcEarly = m.jsMs.startup > 0 ? (m.gcMs.startup * early) / m.jsMs.startup : 0;
    const gcLate = m.jsMs.work > 0 ? (m.gcMs.work * Math.max(0, lateSetup)) / m.jsMs.work : 0;
    return Math.max(0, m.startup.cpuMs - early - gcEarly + Math.max(0, lateSetup) + gcLate);
  });
}

function markedMs(source: { stacks: Int32Array; ms: Float64Array }, mark: Uint8Array, which: number): number {
  let t = 0;
  for (let i = 0; i < source.stacks.length; i++) {
    const s = source.stacks[i];
    if (s !== ROOT_STACK && mark[s] === which) t += source.ms[i];
  }
  return t;
}

