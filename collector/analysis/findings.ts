// The findings: the analysis reduced to one ranked list, and the sentence that says each one. The
// terminal summary after `record` and the HTML report's panel both render this list, so that they
// rank and word the same findings the same way; the report also gets the little its browser code
// needs to find a family's processes (family view, colouring by repetition, click to zoom). Pure.

import { callerOf } from './caller';
import { shortAdvice } from './estimate';
import type { Analysis, FamilyAnalysis, RepeatedItem } from './types';
import { ms, percent, times } from './words';

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
}

export interface Finding {
  /** Index into ReportAnalysis.families. */
  family: number;
  what: 'function' | 'package';
  /** `defineModel (examples/demo/models.js:19)`, or a package name. */
  label: string;
  /** Frame labels that the flame graph highlights for this finding (exact match). */
  frames?: string[];
  /** Package whose frames the flame graph highlights (`sequelize`), for package loads. */
  package?: string;
  phase: 'startup' | 'work';
  members: number;
  of: number;
  msPerMember: number;
  totalMs: number;
  share: number;
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
  /** Ranked: start-up functions and package loads by what running them once would save, then work. */
  findings: Finding[];
}

/** Rows the panel lists at most (findings nested inside another count too). */
export const MAX_FINDINGS = 12;

/**
 * The ranking: start-up functions and package loads by what running them once would save (ties by
 * label), then work after start-up, which may be the job itself; each finding is followed by those
 * that run inside it. At most `max` findings.
 */
export function reportAnalysis(a: Analysis, max = MAX_FINDINGS): ReportAnalysis {
  const families = a.families.map((f) => ({ entry: f.entry, command: f.command, forked: f.forked, ...(f.threads ? { threads: true } : {}), keys: f.keys }));
  const top: Finding[] = [];
  const inside = new Map<string, Finding[]>();
  a.families.forEach((f, i) => {
    for (const item of f.repeated) {
      const finding = functionFinding(f, i, item);
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
        members: p.members,
        of: p.of,
        msPerMember: p.msPerMember,
        totalMs: p.totalMs,
        share: p.share,
        savedMs: p.estimate.savedMs,
        speedup: p.estimate.speedup,
        advice: p.advice,
        shortAdvice: 'load it lazily or keep children alive',
      });
    }
  });
  // Work after start-up may be the job itself, which no change can share: it goes last.
  const rank = (x: Finding): number => (x.phase === 'startup' ? 0 : 1);
  top.sort((x, y) => rank(x) - rank(y) || y.savedMs - x.savedMs || x.label.localeCompare(y.label));
  const findings: Finding[] = [];
  // Each finding is followed by those that run inside it, and theirs, so that a row's parts sit under it.
  const emit = (f: Finding, seen: Set<string>): void => {
    const key = `${f.family}\u0000${f.label}`;
    if (seen.has(key)) return;
    seen.add(key);
    findings.push(f);
    for (const sub of inside.get(key) ?? []) emit(sub, seen);
  };
  const seen = new Set<string>();
  for (const f of top) emit(f, seen);
  return { families, findings: findings.slice(0, max) };
}

function functionFinding(f: FamilyAnalysis, family: number, item: RepeatedItem): Finding {
  const finding: Finding = {
    family,
    what: 'function',
    label: item.label,
    frames: [item.label],
    phase: item.phase,
    members: item.members,
    of: item.of,
    msPerMember: item.msPerMember,
    totalMs: item.totalMs,
    share: item.share,
    savedMs: item.estimate.savedMs,
    speedup: item.estimate.speedup,
    advice: item.advice,
    shortAdvice: shortAdvice(item),
  };
  if (item.within) finding.within = item.within;
  const caller = callerOf(f, item.label);
  if (caller) finding.calledFrom = caller;
  return finding;
}

/** Members of a family in words: `forks`, or `processes of node a.js` when they are not forks. */
export function membersNoun(f: ReportFamily): string {
  if (f.threads) return `threads of ${f.entry}`;
  return f.forked ? 'forks' : `processes of ${f.entry}`;
}

/**
 * The top finding in words, e.g. `defineModel (models.js:19) ran in 8 of 8 forks, 50 ms each: 44 % of the
 * children's CPU. Keep children alive in a pool or load lazily: about 1.6x the throughput if it ran once.`
 */
export function findingSentence(f: Finding, family: ReportFamily): string {
  const whose = family.forked && !family.threads ? "the children's CPU" : 'their CPU';
  const noun = membersNoun(family);
  const called = f.calledFrom ? `, called from ${f.calledFrom},` : '';
  if (f.what === 'package') {
    return (
      `Loading ${f.label} took ${ms(f.msPerMember)} in ${f.members} of ${f.of} ${noun} (${ms(f.totalMs)} in all): ` +
      `${percent(f.share)} of ${whose}. Load it lazily or keep children alive in a pool: ` +
      `about ${times(f.speedup)} the throughput if it loaded once.`
    );
  }
  const head = `${f.label}${called} ran in ${f.members} of ${f.of} ${noun}, ${ms(f.msPerMember)} each (${ms(f.totalMs)} in all): ${percent(f.share)} of ${whose}.`;
  if (f.phase === 'work') {
    return `${head} It runs after start-up: if it is set-up rather than the job itself, keep children alive so that it is reused.`;
  }
  const advice = f.shortAdvice.replace('keep children alive', 'Keep children alive in a pool');
  return `${head} ${advice}: about ${times(f.speedup)} the throughput if it ran once.`;
}

/** The `n` costliest findings that no other finding contains, one sentence each: the terminal summary. */
export function summaryLines(a: Analysis, n = 5): string[] {
  const ra = reportAnalysis(a, Infinity);
  return ra.findings
    .filter((f) => !f.within)
    .slice(0, n)
    .map((f) => findingSentence(f, ra.families[f.family]));
}
