// Sums keyed by small integers (stack or frame indexes) over dense typed arrays. Pure.
//
// The analysis and the report's pruning first summed with Maps; on a recording of a million samples
// over a million stack nodes the Map lookups and the garbage they left took most of the report's
// render time. Typed arrays indexed by stack or frame do the same sums far faster. Two things of the
// Maps are kept on purpose, because results depend on them: keys come back in the order they were
// first touched (lists sorted by cost keep that order for ties), and each key's values are added in
// the same order as before, so the sums are the same to the last bit.

/** Sums per key for one pass (one member, one process), reused: take the sums, then clear. */
export class DenseSums {
  private readonly sums: Float64Array;
  private readonly touched: Uint8Array;
  private readonly order: number[] = [];

  constructor(size: number) {
    this.sums = new Float64Array(size);
    this.touched = new Uint8Array(size);
  }

  add(key: number, value: number): void {
    if (this.touched[key] === 0) {
      this.touched[key] = 1;
      this.order.push(key);
    }
    this.sums[key] += value;
  }

  /** The sum of a key, 0 when it was not touched. */
  get(key: number): number {
    return this.sums[key];
  }

  /** Keys touched since the last clear, in the order they were first touched. Valid until clear(). */
  keys(): readonly number[] {
    return this.order;
  }

  /** Resets only the touched keys, so that reuse costs what the last pass touched, not the table size. */
  clear(): void {
    for (const k of this.order) {
      this.sums[k] = 0;
      this.touched[k] = 0;
    }
    this.order.length = 0;
  }
}

/**
 * Per key, over the members of a family: how many members have a positive sum for it and the total
 * of those sums, members added in order. Keys are listed in the order they first got a positive sum,
 * as the Map this replaces listed them.
 */
export class MemberTally {
  readonly total: Float64Array;
  readonly members: Int32Array;
  readonly keys: number[] = [];

  constructor(size: number) {
    this.total = new Float64Array(size);
    this.members = new Int32Array(size);
  }

  /** Adds one member's sums. */
  addMember(sums: DenseSums): void {
    for (const k of sums.keys()) {
      const ms = sums.get(k);
      if (ms <= 0) continue;
      if (this.members[k]++ === 0) this.keys.push(k);
      this.total[k] += ms;
    }
  }
}
