// Small statistics for noisy machines: medians and percentiles rather than means, and the order in
// which variants are run interleaved (A B C A B C ...) so that drift hits every variant alike.

export function median(xs: number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile (p in 0..100); NaN for an empty list. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * Runs every variant `rounds` times, interleaved, after one unmeasured warm-up round (the first
 * runs pay for cold disk caches). Returns the measurements per variant name.
 */
export async function interleaved<T extends string>(
  variants: ReadonlyArray<{ name: T; run: () => Promise<number> }>,
  rounds: number,
  warmup = true,
): Promise<Record<T, number[]>> {
  const out = {} as Record<T, number[]>;
  for (const v of variants) out[v.name] = [];
  if (warmup) for (const v of variants) await v.run();
  for (let i = 0; i < rounds; i++) {
    for (const v of variants) out[v.name].push(await v.run());
  }
  return out;
}
