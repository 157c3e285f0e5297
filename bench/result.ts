// What a benchmark hands back: rows of figures, each with its unit and, where the project set one,
// its target and whether it was met. run.ts turns them into results.md and results.json.

export interface Figure {
  metric: string;
  value: number | string;
  unit?: string;
  /** The target in words, e.g. "<= 10 ms". */
  target?: string;
  met?: boolean;
}

export interface BenchResult {
  name: string;
  title: string;
  figures: Figure[];
  /** How it was measured, and what the figures mean. */
  notes: string[];
  seconds: number;
}

export interface BenchContext {
  quick: boolean;
  log(line: string): void;
}

export interface Benchmark {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<Omit<BenchResult, 'name' | 'title' | 'seconds'>>;
}
