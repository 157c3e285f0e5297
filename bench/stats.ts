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
 * runs pay for cold disk caches). Each round starts one variant further along (A B C, B C A, C A B)
 * so that no variant always runs right after the same neighbour. Returns the measurements per name.
 */
export async function interleaved<T extends string, V = number>(
  variants: ReadonlyArray<{ name: T; run: () => Promise<V> }>,
  rounds: number,
  warmup = true,
): Promise<Record<T, V[]>> {
  const out = {} as Record<T, V[]>;
  for (const v of variants) out[v.name] = [];
  if (warmup) for (const v of variants) await v.run();
  for (let i = 0; i < rounds; i++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(i + k) % variants.length];
      out[v.name].push(await v.run());
    }
  }
  return out;
}
