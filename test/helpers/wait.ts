// Waiting in tests: one sleep and one poll-until, instead of a copy of each in every file.

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

type UntilBudget =
  /** Give up once this many ms have passed (the condition is still looked at once after that). */
  | { timeoutMs: number; tries?: never }
  /** Give up after looking this many times (for waits that count attempts rather than time). */
  | { tries: number; timeoutMs?: never };

export type UntilOptions = UntilBudget & {
  /**
   * What is awaited, for the error on timeout: "timed out after 5000 ms waiting for <what>". A function
   * is called then, to describe the state at that moment.
   */
  what: string | (() => string);
  /** Pause between two looks at the condition (default 20 ms). */
  everyMs?: number;
};

/**
 * Looks at `condition` (sync or async) until it gives a truthy value, which it returns. Throws an Error
 * naming `what` when the budget runs out; an error thrown by the condition ends the wait at once.
 */
export async function until<T>(condition: () => T | Promise<T>, opts: UntilOptions): Promise<NonNullable<T>> {
  const everyMs = opts.everyMs ?? 20;
  const deadline = opts.timeoutMs !== undefined ? Date.now() + opts.timeoutMs : Infinity;
  for (let tries = 1; ; tries++) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (opts.tries !== undefined ? tries >= opts.tries : Date.now() > deadline) {
      const what = typeof opts.what === 'function' ? opts.what() : opts.what;
      const budget = opts.tries !== undefined ? `${opts.tries} tries ${everyMs} ms apart` : `${opts.timeoutMs} ms`;
      throw new Error(`timed out after ${budget} waiting for ${what}`);
    }
    await sleep(everyMs);
  }
}
