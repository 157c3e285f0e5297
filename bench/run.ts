// `npm run bench` entry: runs the benchmarks (all, or those named), prints a Markdown table and
// writes bench/results/results.md and results.json. Usage:
//   node dist/bench/run.js [--quick] [name...]
// --quick: smaller sizes and fewer rounds, a smoke run; its results are printed, not written.
// Naming benchmarks replaces only their entries in the committed results.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { accuracy } from './accuracy';
import { attachLatency } from './attach';
import { attachMemory } from './attach-memory';
import { coverage } from './coverage';
import { dormant } from './dormant';
import { dump } from './dump';
import { forkCost } from './fork-cost';
import { ROOT } from './proc';
import { report } from './report';
import { Benchmark, BenchResult } from './result';
import { scale } from './scale';
import { sourceMaps } from './source-maps';
import { spoolScan } from './spool';
import { steady } from './steady';
import { renderMarkdown, ResultsFile } from './markdown';

const BENCHMARKS: Benchmark[] = [forkCost, steady, coverage, attachLatency, attachMemory, dormant, dump, scale, spoolScan, report, sourceMaps, accuracy];
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const names = args.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length) {
    console.error(`unknown benchmark ${unknown.join(', ')}: use ${BENCHMARKS.map((b) => b.name).join(', ')} (or none for all)`);
    return 2;
  }
  const chosen = names.length ? BENCHMARKS.filter((b) => names.includes(b.name)) : BENCHMARKS;
  const started = new Date().toISOString();
  const startedOn = machine(); // before the benchmarks: the scale benchmark alone lifts the load to 30+
  const results: BenchResult[] = [];
  for (const b of chosen) {
    const t0 = Date.now();
    console.error(`# ${b.name}: ${b.title}${quick ? ' (quick)' : ''}`);
    try {
      const r = await b.run({ quick, log: (line) => console.error(`#   ${line}`) });
      results.push({ name: b.name, title: b.title, ...r, seconds: Math.round((Date.now() - t0) / 100) / 10 });
    } catch (err) {
      results.push({ name: b.name, title: b.title, figures: [{ metric: 'failed', value: (err as Error).message.split('\n')[0] }], notes: [], seconds: Math.round((Date.now() - t0) / 100) / 10 });
    }
    console.error(`#   done in ${results[results.length - 1].seconds} s`);
  }

  const file: ResultsFile = { when: started, machine: startedOn, quick, benchmarks: results };
  if (!quick) {
    const merged = mergeWithCommitted(file);
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    fs.writeFileSync(path.join(RESULTS_DIR, 'results.json'), JSON.stringify(merged, null, 2) + '\n');
    fs.writeFileSync(path.join(RESULTS_DIR, 'results.md'), renderMarkdown(merged));
    console.error(`# written to ${path.relative(process.cwd(), RESULTS_DIR) || '.'}/results.{md,json}`);
  }
  process.stdout.write(renderMarkdown(file));
  return results.some((r) => r.figures.some((f) => f.metric === 'failed')) ? 1 : 0;
}

/** Keeps the committed entries of benchmarks that did not run this time, in the usual order. */
function mergeWithCommitted(file: ResultsFile): ResultsFile {
  let old: ResultsFile | undefined;
  try {
    old = JSON.parse(fs.readFileSync(path.join(RESULTS_DIR, 'results.json'), 'utf8')) as ResultsFile;
  } catch {
    old = undefined;
  }
  const byName = new Map((old?.benchmarks ?? []).map((b) => [b.name, b]));
  for (const b of file.benchmarks) byName.set(b.name, { ...b, when: file.when } as BenchResult);
  const benchmarks = BENCHMARKS.map((b) => byName.get(b.name)).filter((b): b is BenchResult => b !== undefined);
  return { ...file, benchmarks };
}

function machine(): string {
  const cpus = os.cpus();
  // The load average tells a reader how much else ran on the machine while these figures were taken.
  const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
  return `${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, Linux ${os.release()}, Node ${process.version} (load average at start: ${load})`;
}

main().then(
  (code) => (process.exitCode = code),
  (err) => {
    console.error(`bench failed: ${(err as Error).message}`);
    process.exitCode = 1;
  },
);
