// What the family would gain if a repeated item ran once instead of in every member, and what to do
// about it in Node. Pure.
//
// Assumptions (docs/ANALYSIS.md): the family is CPU-bound, so throughput scales with CPU per unit of
// work; the item's cost per member is its median; running it once costs one member's share. Node's
// fork() starts a fresh V8 that inherits nothing, so "do it in the parent before fork" is never advice.

import { Estimate, RepeatedItem } from './types';
import { round } from './stats';

export function estimateOnce(totalMs: number, msPerMember: number, familyMs: number): Estimate {
  const savedMs = Math.max(0, totalMs - msPerMember);
  const rest = familyMs - savedMs;
  return {
    savedMs: round(savedMs),
    cpuFall: familyMs > 0 ? round(savedMs / familyMs, 4) : 0,
    speedup: rest > 0 ? round(familyMs / rest, 2) : 1,
  };
}

const POOL =
  'keep children alive in a pool (BullMQ sandboxed processors reuse up to `concurrency` children, or useWorkerThreads; workerpool; one long-lived child that takes many jobs)';

/** Advice for a repeated function. */
export function adviceForItem(item: Pick<RepeatedItem, 'kind' | 'package' | 'phase'>): string {
  if (item.phase === 'work') {
    return `${POOL} so that set-up done on the first job is reused; if this is the job itself, it cannot be shared`;
  }
  if (item.kind === 'package') {
    return `${POOL}, or load ${item.package} lazily (require it inside the function that needs it) or load less of it`;
  }
  return `${POOL}, or run it lazily (on first use, only in the jobs that need it)`;
}

export function adviceForPackage(name: string): string {
  return `load ${name} lazily (require it inside the function that needs it), require a smaller entry point of it, or ${POOL}`;
}

export function adviceForStartup(): string {
  return `${POOL}, or load less at start-up and require the rest lazily`;
}

/** The short advice of a summary line. */
export function shortAdvice(item: Pick<RepeatedItem, 'kind' | 'phase'>): string {
  if (item.phase === 'work') return 'keep children alive so set-up is reused';
  return item.kind === 'package' ? 'keep children alive or load the package lazily' : 'keep children alive or load lazily';
}
