// Small order statistics over per-member values. Pure.

import type { MemberFigures } from './types';

export interface Spread {
  median: number;
  p25: number;
  p75: number;
  min: number;
  max: number;
}

/** Quantile by linear interpolation between closest ranks; 0 for an empty list. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function median(values: number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

export function spread(values: number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  return {
    median: round(quantile(s, 0.5)),
    p25: round(quantile(s, 0.25)),
    p75: round(quantile(s, 0.75)),
    min: round(s[0] ?? 0),
    max: round(s[s.length - 1] ?? 0),
  };
}

export function sum(values: number[]): number {
  let t = 0;
  for (const v of values) t += v;
  return t;
}

/** Rounds milliseconds and shares for JSON output: 3 significant decimals are plenty. */
export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The figures of an item that ran in some members of a family: per-member ms, total and share. */
export function memberFigures(perMember: number[], of: number, totalMs: number, familyMs: number): MemberFigures {
  const s = spread(perMember);
  return {
    members: perMember.length,
    of,
    msPerMember: s.median,
    spread: s,
    totalMs: round(totalMs),
    share: familyMs > 0 ? round(totalMs / familyMs, 4) : 0,
  };
}
