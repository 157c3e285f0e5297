// How the findings' numbers read, the same in the terminal summary and the HTML report. Pure.

/** `5.3 ms`, `61 ms`, `1.20 s`, `12.3 s`. */
export function ms(x: number): string {
  if (x >= 10_000) return `${(x / 1000).toFixed(1)} s`;
  if (x >= 1000) return `${(x / 1000).toFixed(2)} s`;
  return x < 10 ? `${Math.round(x * 10) / 10} ms` : `${Math.round(x)} ms`;
}

/** A share (0..1) as `58 %`, or `0.4 %` below one percent. */
export function percent(share: number): string {
  const p = share * 100;
  return p < 1 ? `${Math.round(p * 10) / 10} %` : `${Math.round(p)} %`;
}

/** A factor: `1.94x`, `4.8x`. */
export function times(x: number): string {
  return `${x.toFixed(x < 2 ? 2 : 1)}x`;
}

/** A sentence's first letter in upper case (`Top-level code of x.js`); only for wspy's own words, never a function name. */
export function capitalise(s: string): string {
  return s.length > 0 ? s[0].toUpperCase() + s.slice(1) : s;
}

/** A family's topology in words: `a pool of 4 children taking about 10 jobs each`. */
export function topologyWords(t: { kind: string; concurrency: number; jobsPerMember?: number }): string {
  switch (t.kind) {
    case 'pool':
      return `pooled children (up to ${t.concurrency} at once, about ${Math.round(t.jobsPerMember ?? 0)} jobs each)`;
    case 'cluster':
      return `cluster workers (${t.concurrency} at once)`;
    case 'fork-per-job':
      return `a fork per job (up to ${t.concurrency} at once)`;
    case 'one-off':
      return 'one-off children';
    default:
      return 'processes of one program';
  }
}
