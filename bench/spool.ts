// Benchmark: what one spool scan costs the collector's event loop after many children have come and
// gone. Three spool directories, each with 30 running processes (a hello, no exit yet): "30 running"
// holds only them; "after N exited" also had N children that wrote their hello and exit, read once
// (so the reader consumed and deleted their files); "N kept" holds the N files with no exit line,
// which is what every scan paid before consumed files were deleted. CPU time of one SpoolReader.read(),
// interleaved rounds, medians.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SpoolReader } from '../collector/ingest';
import { Benchmark } from './result';
import { median, interleaved, round } from './stats';

const RUNNING = 30;

function spoolWith(children: number, exited: boolean): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wspy-bench-spool-'));
  const write = (pid: number, exit: boolean) => {
    let text = JSON.stringify({ t: 'hello', pid, ppid: 1, argv: ['node', 'job.js'], start: 1 }) + '\n';
    if (exit) text += JSON.stringify({ t: 'exit', pid, of: pid, code: 0, signal: null, time: 2 }) + '\n';
    fs.writeFileSync(path.join(dir, `${pid}.jsonl`), text);
  };
  for (let pid = 1; pid <= RUNNING; pid++) write(pid, false);
  for (let pid = RUNNING + 1; pid <= RUNNING + children; pid++) write(pid, exited);
  return dir;
}

/** CPU ms of one scan by a reader that has already read everything once (the steady state). */
function scanner(dir: string): () => Promise<number> {
  const reader = new SpoolReader(dir, () => {});
  reader.read();
  return async () => {
    const t0 = process.cpuUsage();
    reader.read();
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / 1000;
  };
}

export const spoolScan: Benchmark = {
  name: 'spool',
  title: 'Spool scan after many children',
  async run(ctx) {
    const children = ctx.quick ? 3000 : 30_000;
    const rounds = ctx.quick ? 5 : 21;
    const dirs = { running: spoolWith(0, false), exited: spoolWith(children, true), kept: spoolWith(children, false) };
    try {
      const m = await interleaved(
        [
          { name: 'running', run: scanner(dirs.running) },
          { name: 'exited', run: scanner(dirs.exited) },
          { name: 'kept', run: scanner(dirs.kept) },
        ],
        rounds,
      );
      const left = fs.readdirSync(dirs.exited).length;
      const [a, b, c] = [median(m.running), median(m.exited), median(m.kept)];
      ctx.log(`scan: ${round(a, 2)} ms with ${RUNNING} running, ${round(b, 2)} ms after ${children} exited, ${round(c, 2)} ms with ${children} kept`);
      return {
        figures: [
          { metric: `files left after ${children} children exited (${RUNNING} running)`, value: left, target: String(RUNNING), met: left === RUNNING },
          { metric: `one scan, ${RUNNING} running: median CPU`, value: round(a, 2), unit: 'ms' },
          { metric: `one scan after ${children} exited: median CPU`, value: round(b, 2), unit: 'ms' },
          { metric: `ratio after ${children} exited / ${RUNNING} running`, value: round(b / a, 2), target: '<= 2', met: b / a <= 2 },
          { metric: `one scan with ${children} files kept (before this fix): median CPU`, value: round(c, 1), unit: 'ms' },
        ],
        notes: [
          `SpoolReader.read() (collector/ingest/spool-reader.ts, called every 250 ms while recording) on real files in the temp directory; CPU time (process.cpuUsage) of one scan after a first read, ${rounds} interleaved rounds after a warm-up, medians.`,
        ],
      };
    } finally {
      for (const dir of Object.values(dirs)) fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
