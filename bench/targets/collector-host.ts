// The collector side of `wspy record -s`, alone in its own process so that its CPU time and peak
// RSS can be read: starts a collector, runs the command with the agent preloaded, waits for it,
// stops the agents, assembles the recording, and prints JSON with the collector's statistics,
// per-process sample counts and its own resource usage.
// Usage: node collector-host.js <rate Hz> -- <command...>
import { spawn } from 'child_process';
import { startCollector } from '../../collector/ingest';
import { sampleCount } from '../../collector/model';

async function main(): Promise<void> {
  const rateHz = Number(process.argv[2]);
  const command = process.argv.slice(process.argv.indexOf('--') + 1);
  const collector = await startCollector({ intervalUs: Math.round(1e6 / rateHz), follow: true, title: 'bench', command });
  const child = spawn(command[0], command.slice(1), { stdio: 'ignore', env: collector.agentEnv() });
  await new Promise((resolve) => child.once('exit', resolve));
  await collector.stopAgents(3000);
  const stats = collector.stats();
  const recording = await collector.finish();
  const u = process.resourceUsage();
  const processes = recording.processes.map((p) => ({ pid: p.pid, argv: p.argv, samples: sampleCount(p), errors: p.errors }));
  console.log(JSON.stringify({ stats, processes, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssKb: u.maxRSS }));
}

void main();
