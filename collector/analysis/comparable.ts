// Whether two recordings can be diffed fairly: the diff matches processes by command and frames by
// label, and divides by processes or units of work, which is fair only when both sides were recorded
// alike. Each caveat is one sentence for the user, saying what differs and what to do. Pure.

import { ProcessRecord, Recording } from '../model';
import { normalisedCommand } from './families';
import type { Normalize } from './diff';

/** What wrote a recording, in words: wspy's own, or the format it was imported from. */
function recordedBy(r: Recording): string {
  switch (r.meta.source) {
    case 'record':
    case 'attach':
      return 'a wspy recording';
    case 'cpuprofile':
      return 'a .cpuprofile (node --cpu-prof, DevTools)';
    case 'pprof':
      return 'a pprof profile';
    case 'speedscope':
      return 'a speedscope file';
    case 'collapsed':
      return 'folded stacks';
    default:
      return `a ${r.meta.source} import`;
  }
}

function sampled(r: Recording): ProcessRecord[] {
  return r.processes.filter((p) => p.sampled && p.samples.count.some((c) => c > 0));
}

/**
 * The rate the recording was taken at: its own setting (a wspy recording weights each process's
 * interval to its CPU, so per-process intervals are not the rate), else the processes' median.
 */
function medianRateHz(r: Recording): number | undefined {
  if (r.meta.intervalUs > 0) return 1e6 / r.meta.intervalUs;
  const intervals = sampled(r).map((p) => p.intervalUs).filter((us) => us > 0).sort((a, b) => a - b);
  if (intervals.length === 0) return undefined;
  return 1e6 / intervals[Math.floor(intervals.length / 2)];
}

function list(items: string[], max = 3): string {
  const shown = items.slice(0, max).map((c) => `"${c}"`).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** One sentence per way in which the two sides were not recorded alike; empty when they compare. */
export function diffCaveats(before: Recording, after: Recording, normalize: Normalize): string[] {
  const caveats: string[] = [];
  const by = [recordedBy(before), recordedBy(after)];
  if (by[0] !== by[1]) {
    caveats.push(
      `before is ${by[0]} and after ${by[1]}: the two tools sample, name processes and count idle time differently, ` +
        'so the changes mix the fix with the difference of tools; record both sides the same way',
    );
  }
  const rates = [medianRateHz(before), medianRateHz(after)];
  if (rates[0] && rates[1] && Math.max(rates[0], rates[1]) / Math.min(rates[0], rates[1]) > 1.5) {
    caveats.push(
      `before was sampled at ${Math.round(rates[0])} Hz and after at ${Math.round(rates[1])} Hz: short functions are caught ` +
        'unevenly at different rates; record both sides with the same -r',
    );
  }
  if (before.meta.idle !== after.meta.idle) {
    caveats.push(`only ${before.meta.idle ? 'before' : 'after'} keeps idle samples (--idle): record both sides with or without it`);
  }
  if (normalize !== 'none') {
    const commands = (r: Recording) => new Set(sampled(r).map((p) => normalisedCommand(p, r.meta.cwd)));
    const b = commands(before);
    const a = commands(after);
    const onlyBefore = [...b].filter((c) => !a.has(c));
    const onlyAfter = [...a].filter((c) => !b.has(c));
    const shared = [...b].filter((c) => a.has(c)).length;
    if (b.size > 0 && a.size > 0 && shared === 0) {
      caveats.push(
        `no process command is on both sides (before: ${list([...b])}; after: ${list([...a])}), so no process is compared ` +
          'with its own kind; use --normalize none to compare totals',
      );
    } else if (onlyBefore.length + onlyAfter.length > 0) {
      const parts = [
        onlyBefore.length > 0 ? `only before: ${list(onlyBefore)}` : '',
        onlyAfter.length > 0 ? `only after: ${list(onlyAfter)}` : '',
      ].filter(Boolean);
      caveats.push(`some processes are on one side only (${parts.join('; ')}); their time counts as new or gone`);
    }
  }
  return caveats;
}
