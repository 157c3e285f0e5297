// What the family would save with each cure, and the advice that fits Node and the family's topology.
// Pure.
//
// Two cures (docs/ANALYSIS.md, "The model"):
// - a pool of long-lived children (only for children that each live for one job): set-up (bootstrap,
//   module loading, set-up after it, their GC) runs once per pool child instead of once per member;
// - lazy or precompiled (one item): the item and its GC no longer run, in any member.
// Per-job work (the job) has no cure: it is never promised as a saving. The family is assumed
// CPU-bound, so throughput scales with CPU per job. Node's fork() starts a fresh V8 that inherits
// nothing, so "do it in the parent before fork" is never advice.

import { Cure, Estimate, PoolEstimate, RepeatedItem, Topology } from './types';
import { round } from './stats';

/** Saving `savedMs` out of a family's `familyMs` CPU: the fall and the throughput factor. */
export function estimateCure(savedMs: number, familyMs: number): Estimate {
  const saved = Math.max(0, Math.min(savedMs, familyMs));
  const rest = familyMs - saved;
  return {
    savedMs: round(saved),
    cpuFall: familyMs > 0 ? round(saved / familyMs, 4) : 0,
    speedup: rest > 0 ? round(familyMs / rest, 2) : 1,
  };
}

/** If an item ran once instead of in every member (kept for the start-up summary). */
export function estimateOnce(totalMs: number, msPerMember: number, familyMs: number): Estimate {
  return estimateCure(Math.max(0, totalMs - msPerMember), familyMs);
}

/**
 * A pool of `children` long-lived children: each member's set-up runs `children` times in all, and
 * the parents start `children` children instead of one per member (`forkMs`: the parents' CPU
 * starting the members, forks.ts).
 */
export function estimatePool(setupMs: number[], children: number, familyMs: number, forkMs = 0): PoolEstimate {
  const sorted = [...setupMs].sort((a, b) => a - b);
  const median = sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : 0;
  const total = setupMs.reduce((a, b) => a + b, 0);
  const n = setupMs.length;
  const kept = Math.min(children, n) * median;
  const forksSaved = n > 0 ? (forkMs * Math.max(0, n - children)) / n : 0;
  return { children, forkMs: round(forkMs), ...estimateCure(total - kept + forksSaved, familyMs) };
}

export const POOL_HOW =
  'BullMQ sandboxed processors reuse up to `concurrency` children, or useWorkerThreads; workerpool; one long-lived child that takes many jobs';

/** The cure for a set-up item. */
export function cureFor(item: Pick<RepeatedItem, 'role'>, compileShare: number): Cure {
  if (item.role === 'job') return 'none';
  return compileShare >= 0.5 ? 'precompile' : 'lazy';
}

/** The item's own cure in words, e.g. `precompile it (ajv standalone code, ...)`. */
export function cureWords(cure: Cure, what: 'function' | 'package' | 'module', name: string): string {
  if (cure === 'precompile') return 'precompile (ajv standalone validation code, pug/handlebars templates compiled at build time) or compile on first use';
  if (what === 'package') {
    if (cure === 'narrow') {
      if (name === 'aws-sdk') return 'narrower require (the jobs use it: require aws-sdk/clients/s3 rather than aws-sdk, or the v3 @aws-sdk/client-* modules)';
      return `narrower require (the jobs use ${name}: require only the entry point of it they use)`;
    }
    return `lazy require (no code here calls ${name} once it is loaded: require it inside the function that needs it)`;
  }
  if (what === 'module') return 'lazy (move the work out of the top level, into the first job that needs it)';
  return 'lazy (run it on first use, only in the jobs that need it)';
}

/** The advice of an item or package, given the family's topology. */
export function adviceFor(cure: Cure, what: 'function' | 'package' | 'module', name: string, t: Topology): string {
  if (cure === 'none') return 'the job itself: per-job work, which no change shares';
  const own = cureWords(cure, what, name);
  if (t.kind === 'pool' || t.kind === 'cluster') return own;
  return `${own}; or keep children alive in a pool (${POOL_HOW})`;
}

/** The advice of a package that no narrower require would shrink much (the jobs run nearly all of it). */
export function littleToNarrow(t: Topology): { advice: string; short: string } {
  const own = 'a narrower require saves little: the jobs run code of nearly all it loads';
  if (t.kind === 'pool' || t.kind === 'cluster') return { advice: own, short: 'nothing to narrow' };
  return { advice: `${own}; keep children alive in a pool (${POOL_HOW})`, short: 'a pool' };
}

export function adviceForPackage(name: string, cure: 'lazy' | 'narrow'): string {
  return cureWords(cure, 'package', name);
}

/** The short advice of a summary row. */
export function shortAdvice(cure: Cure, what: 'function' | 'package' | 'module', t: Topology): string {
  if (cure === 'none') return 'the job itself';
  const own = cure === 'precompile' ? 'precompile' : cure === 'narrow' ? 'narrower require' : what === 'package' ? 'lazy require' : 'run it lazily';
  return t.kind === 'pool' || t.kind === 'cluster' ? own : `${own}, or a pool`;
}
