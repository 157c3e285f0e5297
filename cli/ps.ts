// `wspy ps`: the Node processes on this machine, children under their parents, with the queues they
// work for and whether a wspy agent records them; --json for scripts.

import { Command } from 'commander';
import { listNodeProcesses, NodeProcess } from '../collector/queues';
import { commandLabel } from '../collector/model';
import { terminalSafe, terminalSafeJson } from './terminal-text';

interface RawPsOptions {
  json?: boolean;
  redis?: string;
  prefix?: string;
}

export function psCommand(): Command {
  return new Command('ps')
    .description('list the Node processes on this machine: children, queues, and whether wspy records them')
    .option('--json', 'print JSON (one array of processes) instead of a table')
    .option('--redis <url>', 'also ask this Redis which queues the processes consume (CLIENT LIST)')
    .option('--prefix <prefix>', 'Redis key prefix of the queues, when it contains colons')
    .addHelpText(
      'after',
      `
Examples:
  wspy ps                                                 # the tree of Node processes, with agents
  wspy ps --redis redis://127.0.0.1:6379                  # and the queues each worker consumes
  wspy ps --json | jq '.[] | select(.queues | length > 0)'`,
    )
    .action(async (raw: RawPsOptions) => {
      const processes = await listNodeProcesses({ redisUrl: raw.redis, prefix: raw.prefix, exclude: [process.pid] });
      process.stdout.write(raw.json ? terminalSafeJson(formatJson(processes)) : formatTable(processes, process.stdout.columns));
    });
}

export function formatJson(processes: NodeProcess[]): string {
  const rows = processes.map((p) => ({
    pid: p.pid,
    ppid: p.ppid,
    depth: p.depth,
    uid: p.uid,
    startTime: new Date(p.startTime).toISOString(),
    uptimeS: Math.round(p.uptimeS),
    cpuPercent: Math.round(p.cpuPercent * 10) / 10,
    rssBytes: p.rssBytes,
    argv: p.argv,
    command: commandLabel(p.argv),
    queues: p.queues,
    agent: p.agent,
  }));
  return JSON.stringify(rows, null, 2) + '\n';
}

const HEADERS = ['PID', 'PPID', 'UPTIME', 'CPU%', 'RSS', 'AGENT', 'QUEUES', 'COMMAND'];

/** A plain-text table; commands are cut to the terminal's width when there is one. */
export function formatTable(processes: NodeProcess[], width?: number): string {
  if (processes.length === 0) return 'no Node processes are running\n';
  const rows = processes.map((p) => [
    String(p.pid),
    String(p.ppid),
    formatDuration(p.uptimeS),
    p.cpuPercent.toFixed(1),
    formatBytes(p.rssBytes),
    p.agent ? 'yes' : '-',
    p.queues.length > 0 ? terminalSafe(p.queues.map((q) => (q.prefix === 'bull' ? q.queue : `${q.prefix}:${q.queue}`)).join(',')) : '-',
    '  '.repeat(p.depth) + (p.depth > 0 ? '\\_ ' : '') + terminalSafe(commandLabel(p.argv)),
  ]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = new Set([0, 1, 2, 3, 4]);
  const line = (cells: string[]): string => {
    const text = cells
      .map((c, i) => (i === cells.length - 1 ? c : numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ');
    return width && width > 20 && text.length > width ? text.slice(0, width - 1) + '…' : text;
  };
  return [line(HEADERS), ...rows.map(line)].join('\n') + '\n';
}

export function formatDuration(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)}G`;
  if (bytes >= 1024 ** 2) return `${Math.round(bytes / 1024 ** 2)}M`;
  return `${Math.round(bytes / 1024)}K`;
}
