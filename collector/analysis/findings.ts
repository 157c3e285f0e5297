// The findings: the analysis reduced to one ranked list, and the sentence that says each one. The
// terminal summary after `record` and the HTML report's panel both render this list, so that they
// rank and word the same findings the same way; the report also gets the little its browser code
// needs to find a family's processes (family view, colouring by repetition, click to zoom). Pure.

import { callerOf } from './caller';
import { cureWords, littleToNarrow, shortAdvice } from './estimate';
import type { Analysis, Cure, FamilyAnalysis, PoolEstimate, RepeatedItem, Role, Topology } from './types';
import { capitalise, ms, percent, times, topologyWords } from './words';

/** A family as the browser sees it: which processes belong to it and how to name it. */
export interface ReportFamily {
  /** `node examples/demo/job.js`, for the family view's node (`8 x node examples/demo/job.js`). */
  entry: string;
  /** The normalised command, e.g. `node examples/demo/job.js <n>`. */
  command: string;
  /** Members are forks of processes in the recording: speak of "forks". */
  forked: boolean;
  /** Members are worker threads: speak of "threads". */
  threads?: boolean;
  /** Process keys of the members. */
  keys: string[];
  topology: Topology;
  /** What a pool of long-lived children would save, for children that live for one job each. */
  pool?: PoolEstimate;
}

export interface Finding {
  /** Index into ReportAnalysis.families. */
  family: number;
  /** A function, a package load, or a project module's top-level code. */
  what: 'function' | 'package' | 'module';
  /** `defineModel (examples/demo/models.js:19)`, a package name, or `top-level code of src/setup.js`. */
  label: string;
  /** Frame labels that the flame graph highlights for this finding (exact match). */
  frames?: string[];
  /** Package whose frames the flame graph highlights (`sequelize`), for package loads. */
  package?: string;
  phase: 'startup' | 'work';
  role: Role;
  cure: Cure;
  members: number;
  of: number;
  msPerMember: number;
  totalMs: number;
  share: number;
  /** GC attributed to it, CPU ms over the family. */
  gcMs: number;
  /** What its own cure (lazy, precompiled) saves: it and its GC; 0 for the job. */
  savedMs: number;
  speedup: number;
  advice: string;
  shortAdvice: string;
  /** Label of the finding this one mostly runs inside (listed right under it). */
  within?: string;
  /** The caller on its costliest repeated call path, when the analysis has one. */
  calledFrom?: string;
}

export interface ReportAnalysis {
  families: ReportFamily[];
  /** Ranked by cost (set-up and the job alike); each followed by what runs inside it. */
  findings: Finding[];
}

/** Rows the panel lists at most, unless more findings stand on their own (those are never cut). */
export const MAX_FINDINGS = 12;

/**
 * The ranking: functions, package loads and module top-level code by what they cost with their GC
 * (ties by label), set-up and the job alike (the sentence says which); each finding is followed by
 * those that run inside it. Nested findings fill the rows up to `max`; findings that stand on their own are all kept.
 */
export function reportAnalysis(a: Analysis, max = MAX_FINDINGS): ReportAnalysis {
  const families = a.families.map((f): ReportFamily => ({
    entry: f.entry,
    command: f.command,
    forked: f.forked,
    ...(f.threads ? { threads: true } : {}),
    keys: f.keys,
    topology: f.topology,
    ...(f.pool ? { pool: f.pool } : {}),
  }));
  const top: Finding[] = [];
  const inside = new Map<string, Finding[]>();
  a.families.forEach((f, i) => {
    for (const item of f.repeated) {
      const finding = itemFinding(f, i, item);
      if (item.within) {
        const key = `${i}\u0000${item.within}`;
        inside.set(key, [...(inside.get(key) ?? []), finding]);
      } else top.push(finding);
    }
    for (const p of f.packages) {
      top.push({
        family: i,
        what: 'package',
        label: p.name,
        package: p.name,
        phase: 'startup',
        role: 'setup',
        cure: p.cure,
        members: p.members,
        of: p.of,
        msPerMember: p.msPerMember,
        totalMs: p.totalMs,
        share: p.share,
        gcMs: p.gcMs,
        savedMs: p.estimate.savedMs,
        speedup: p.estimate.speedup,
        ...(narrowSavesLittle(p.cure, p.estimate.savedMs, p.totalMs + p.gcMs)
          ? { advice: littleToNarrow(f.topology).advice, shortAdvice: littleToNarrow(f.topology).short }
          : { advice: p.advice, shortAdvice: shortAdvice(p.cure, 'package', f.topology) }),
      });
    }
  });
  // By cost (with its GC), whether set-up or the job: the costliest thing is the culprit a reader
  // looks for, and its sentence says whether a change saves it.
  top.sort((x, y) => y.totalMs + y.gcMs - (x.totalMs + x.gcMs) || x.label.localeCompare(y.label));
  const findings: Finding[] = [];
  // Each finding is followed by those that run inside it, and theirs, so that a row's parts sit under it.
  const seen = new Set<string>();
  const emit = (f: Finding, nested: boolean): void => {
    const key = `${f.family}\u0000${f.label}`;
    if (seen.has(key) || (nested && findings.length >= max)) return;
    seen.add(key);
    findings.push(f);
    for (const sub of inside.get(key) ?? []) emit(sub, true);
  };
  for (const f of top) emit(f, false);
  return { families, findings: findings.length > max ? cutNested(findings, max) : findings };
}

/** Drops nested rows from the end until `max` rows are left or only findings that stand alone remain. */
function cutNested(findings: Finding[], max: number): Finding[] {
  const out = [...findings];
  for (let i = out.length - 1; i >= 0 && out.length > max; i--) if (out[i].within) out.splice(i, 1);
  return out;
}

function itemFinding(f: FamilyAnalysis, family: number, item: RepeatedItem): Finding {
  const what = item.topLevel ? 'module' : 'function';
  const finding: Finding = {
    family,
    what,
    label: item.label,
    frames: [item.topLevel ? `(anonymous) (${item.file}:${item.line})` : item.label],
    phase: item.phase,
    role: item.role,
    cure: item.cure,
    members: item.members,
    of: item.of,
    msPerMember: item.msPerMember,
    totalMs: item.totalMs,
    share: item.share,
    gcMs: item.gcMs,
    savedMs: item.estimate.savedMs,
    speedup: item.estimate.speedup,
    advice: item.advice,
    shortAdvice: shortAdvice(item.cure, what, f.topology),
  };
  if (item.within) finding.within = item.within;
  const caller = item.topLevel ? undefined : callerOf(f, item.label);
  if (caller) finding.calledFrom = caller;
  return finding;
}

/** Members of a family in words: `forks`, or `processes of node a.js` when they are not forks. */
export function membersNoun(f: ReportFamily): string {
  if (f.threads) return `threads of ${f.entry}`;
  return f.forked ? 'forks' : `processes of ${f.entry}`;
}

/**
 * A finding in words: what repeats and what it costs, then, for set-up, what each cure saves, e.g.
 * `Loading sequelize took 70 ms in 40 of 40 forks (2.80 s in all): 45 % of the children's CPU. In a pool
 * of 4 long-lived children: saves 5.1 s, about 9.0x the throughput (all start-up: bootstrap, module
 * loading, set-up, their GC). Narrower require (...): saves 3.0 s, about 1.9x (this item and its GC).`
 */
export function findingSentence(f: Finding, family: ReportFamily): string {
  return `${findingHead(f, family)} ${findingCures(f, family)}`;
}

/** What repeats and what it costs. */
export function findingHead(f: Finding, family: ReportFamily): string {
  const whose = family.forked && !family.threads ? "the children's CPU" : 'their CPU';
  const noun = membersNoun(family);
  const cost = `(${ms(f.totalMs)} in all): ${percent(f.share)} of ${whose}`;
  if (f.what === 'package') return `Loading ${f.label} took ${ms(f.msPerMember)} in ${f.members} of ${f.of} ${noun} ${cost}.`;
  const called = f.calledFrom ? `, called from ${f.calledFrom},` : '';
  return `${f.what === 'module' ? capitalise(f.label) : f.label}${called} ran in ${f.members} of ${f.of} ${noun}, ${ms(f.msPerMember)} each ${cost}.`;
}

/** A narrower require that saves less than this share of a package's load (with its GC) is not advised. */
const NARROW_SAVES_LITTLE = 0.05;

/** True when a package's cure is a narrower require that would save next to nothing (no narrower entry point exists). */
function narrowSavesLittle(cure: Cure, savedMs: number, costMs: number): boolean {
  return cure === 'narrow' && savedMs < NARROW_SAVES_LITTLE * costMs;
}

/** What each cure saves, or why nothing is promised. */
export function findingCures(f: Finding, family: ReportFamily): string {
  const t = family.topology;
  if (f.role === 'job') {
    const why =
      f.phase === 'work'
        ? 'it runs after start-up, once per job'
        : 'each child runs one job, and this is its only work besides loading modules';
    return `It is the job itself (${why}): per-job work, which no change shares.`;
  }
  const parts: string[] = [];
  const pool = family.pool;
  if (pool && pool.savedMs > 0) {
    const children = pool.children === 1 ? 'one long-lived child' : `a pool of ${pool.children} long-lived children`;
    const forks = pool.forkMs > 0 ? ", and the parent's forks" : '';
    parts.push(`In ${children}: saves ${ms(pool.savedMs)}, about ${times(pool.speedup)} the throughput (all start-up: bootstrap, module loading, set-up, their GC${forks}).`);
  } else if (t.kind === 'pool' || t.kind === 'cluster') {
    parts.push(`${capitalise(topologyWords(t))}: they already live for many jobs, so keeping them alive saves nothing more.`);
  }
  if (f.what === 'package' && narrowSavesLittle(f.cure, f.savedMs, f.totalMs + f.gcMs)) {
    // Its entry, or a module holding nearly all of it, runs in the jobs: no narrower entry point exists.
    parts.push(`A narrower require saves little (${ms(f.savedMs)}): the jobs run code of nearly all it loads.`);
  } else parts.push(`${capitalise(cureWords(f.cure, f.what, f.label))}: saves ${ms(f.savedMs)}, about ${times(f.speedup)} (this item and its GC).`);
  return parts.join(' ');
}

/** The `n` costliest findings that no other finding contains, one sentence each: the terminal summary. */
export function summaryLines(a: Analysis, n = 5): string[] {
  const ra = reportAnalysis(a, Infinity);
  return ra.findings
    .filter((f) => !f.within)
    .slice(0, n)
    .map((f) => findingSentence(f, ra.families[f.family]));
}
