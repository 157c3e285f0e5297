// Benchmark 5: the collector under load: 64 processes streaming at the default rate for 30 s,
// recorded by the real CLI in its own process, whose CPU time and peak RSS are read at its exit.
import { TREE_RATE_HZ } from '../cli/record-config';
import { runOk, target } from './proc';
import { Benchmark, Figure } from './result';
import { median, percentile, round } from './stats';

interface HostOutput {
  stats: { processes: number; samples: number; rejected: number; connected: number };
  processes: Array<{ pid: number; argv: string[]; samples: number; errors: string[] }>;
  cpuMs: number;
  maxRssKb: number;
}

export const scale: Benchmark = {
  name: 'scale',
  title: 'Collector scale (64 streaming processes)',
  async run(ctx) {
    const count = ctx.quick ? 8 : 64;
    const seconds = ctx.quick ? 3 : 30;
    {
      const t0 = performance.now();
      const r = await runOk(process.execPath, [target('collector-host'), String(TREE_RATE_HZ), '--', process.execPath, target('scale-parent'), String(count), String(seconds)]);
      const wallS = (performance.now() - t0) / 1000;
      const host = JSON.parse(r.stdout) as HostOutput;
      const kids = host.processes.filter((p) => p.argv.some((a) => a.endsWith('streaming-child.js')));
      const counts = kids.map((p) => p.samples);
      const expected = TREE_RATE_HZ * seconds;
      const errors = kids.reduce((n, p) => n + p.errors.length, 0);
      const cpuS = host.cpuMs / 1000;
      const rssMb = host.maxRssKb / 1024;
      ctx.log(`scale: wall ${round(wallS, 1)} s, collector CPU ${round(cpuS, 1)} s, peak RSS ${Math.round(rssMb)} MB`);
      const figures: Figure[] = [
        { metric: 'children present in the recording', value: `${kids.length}/${count}`, target: 'all', met: kids.length === count },
        { metric: 'children with samples', value: `${counts.filter((c) => c > 0).length}/${count}` },
        { metric: `samples per child vs expected (${TREE_RATE_HZ} Hz x ${seconds} s = ${expected})`, value: `median ${round((100 * median(counts)) / expected, 0)} %, min ${round((100 * Math.min(...counts)) / expected, 0)} %, p95 ${round((100 * percentile(counts, 95)) / expected, 0)} %` },
        { metric: 'process errors in the recording', value: errors, target: '0', met: errors === 0 },
        { metric: 'rejected messages', value: host.stats.rejected, target: '0', met: host.stats.rejected === 0 },
        { metric: 'collector process: CPU time (user + system)', value: round(cpuS, 1), unit: 's' },
        { metric: 'collector process: CPU share of the run', value: round((100 * cpuS) / wallS, 1), unit: '% of one core' },
        { metric: 'collector process: peak RSS (VmHWM)', value: Math.round(rssMb), unit: 'MB' },
      ];
      return {
        figures,
        notes: [
          `The collector of \`wspy record -s -r ${TREE_RATE_HZ}\` (startCollector, agentEnv, stopAgents, finish), alone in its own process (bench/targets/collector-host.ts), recording a parent that forks ${count} children, each busy for ${seconds} s in 5 ms slices with setImmediate between them. ${count} busy processes (and their ${count} V8 sampling threads) share 2 cores: a sampling thread that waits for a core ticks late, so samples per child fall well below rate x seconds although nothing is lost on the way; the narrow spread between children shows fair scheduling, not loss. "Nothing dropped" is judged on every child being present with samples, no process errors and no rejected messages.`,
          `CPU time and peak RSS (maxRSS = VmHWM) of the collector process (ws server, spool reader, assembler), read with process.resourceUsage() after the recording is assembled; writing an output file is not included.`,
          `Total wall time of the recording: ${round(wallS, 1)} s.`,
        ],
      };
    }
  },
};
