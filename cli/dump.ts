// `wspy dump`: the current JavaScript stack of a running process (and with -s of each of its Node
// descendants, or of a queue's workers and their children), printed once; every process keeps
// running as before. Works on a process stuck in a synchronous loop: the stack is taken through
// V8's debugger, which interrupts JavaScript wherever it is. A prepared process answers from its
// dormant agent's listener thread (no port, no signal); any other through its inspector
// (collector/attach/stack.ts). Frames are placed through source maps, as recordings are.

import { Command } from 'commander';
import { descendants, dumpProcess, isPrepared, isYoung, MIN_DESCENDANT_AGE_MS, TargetGone } from '../collector/attach';
import { placeFramesThroughMaps } from '../collector/ingest';
import { commandLabel, displayFile, functionName, UserError } from '../collector/model';
import { isAlive, readCmdline, readStatus } from '../collector/proc';
import { findQueueWorkers } from '../collector/queues';
import type { StackDump, StackFrame } from '../agent/stack-dump';
import * as log from './log';
import { terminalSafe } from './terminal-text';

interface RawDumpOptions {
  pid?: string;
  queue?: string;
  redis?: string;
  prefix?: string;
  subprocesses?: boolean;
  json?: boolean;
}

/** What `dump` prints for one process. */
export interface ProcessDump {
  pid: number;
  ppid: number;
  command: string;
  /** Innermost first; empty when the process was idle in its event loop. */
  frames: StackFrame[];
  /** Set when no stack could be taken from this process. */
  error?: string;
}

export function dumpCommand(): Command {
  return new Command('dump')
    .description('print the current JavaScript stack of a running process (and its subprocesses); they keep running')
    .usage('-p <pid> [-s] [--json]   |   --queue <name> [--json]')
    .option('-p, --pid <pid>', 'the process to dump')
    .option('-s, --subprocesses', 'also dump every running Node descendant of the process')
    .option('--queue <name>', 'dump the worker processes of this BullMQ/Bull queue, and their children')
    .option('--redis <url>', 'with --queue: the Redis the queue lives in (default: $REDIS_URL or redis://127.0.0.1:6379)')
    .option('--prefix <prefix>', 'with --queue: the queue prefix (default: bull)')
    .option('--json', 'print JSON (one array of processes with their frames) instead of text')
    .addHelpText(
      'after',
      `
Examples:
  wspy dump -p 1234                 # what a stuck worker is running right now
  wspy dump -p 1234 -s              # the worker and every Node process under it
  wspy dump --queue emails --json   # the workers of a BullMQ/Bull queue, as JSON`,
    )
    .action(async (raw: RawDumpOptions) => {
      const roots = await rootsOf(raw);
      const dumps = await dumpTree(roots, Boolean(raw.subprocesses) || raw.queue !== undefined);
      process.stdout.write(raw.json ? JSON.stringify(dumps, null, 2) + '\n' : formatDumps(dumps));
      if (dumps.some((d) => d.error !== undefined)) process.exitCode = 1;
    });
}

async function rootsOf(raw: RawDumpOptions): Promise<number[]> {
  if ((raw.pid === undefined) === (raw.queue === undefined)) throw new UserError('give one of -p <pid> or --queue <name>');
  if ((raw.redis !== undefined || raw.prefix !== undefined) && raw.queue === undefined) throw new UserError('--redis and --prefix go with --queue <name>');
  if (raw.pid !== undefined) {
    const pid = Number(raw.pid);
    if (!/^\d+$/.test(raw.pid.trim()) || !Number.isSafeInteger(pid) || pid <= 0) throw new UserError(`-p/--pid needs a process id such as 1234, not "${raw.pid}"`);
    return [pid];
  }
  const name = raw.queue!.trim();
  if (!name) throw new UserError('--queue needs a queue name, such as --queue emails');
  const found = await findQueueWorkers(name, { redisUrl: raw.redis, prefix: raw.prefix });
  for (const note of found.notes) log.info(note);
  return found.pids;
}

/**
 * Dumps each root (its failure is the command's failure), then with `subprocesses` each running
 * Node descendant (all at once under a prepared root, else one after another); a descendant that
 * cannot be dumped gets an error line.
 */
export async function dumpTree(roots: number[], subprocesses: boolean): Promise<ProcessDump[]> {
  const dumps: ProcessDump[] = [];
  const maps = new Map();
  const placed = (dump: StackDump): ProcessDump => withProcess({ ...dump, frames: placeFramesThroughMaps(dump.frames, maps) });
  for (const root of roots) {
    const rootDump = await dumpProcess(root);
    dumps.push(placed(rootDump));
    if (!subprocesses) continue;
    // As for record: the children of a prepared worker are never signalled.
    const neverSignal = rootDump.via === 'dormant';
    const children = descendants(root).filter(isAlive);
    // Prepared children answer on their own sockets, so they are asked all at once (printed in the
    // tree's order); an unprepared tree is signalled one process at a time, as attach does.
    const settled = neverSignal ? await Promise.all(children.map((child) => dumpChild(child, true, placed))) : [];
    for (const [i, child] of children.entries()) {
      const dump = neverSignal ? settled[i] : await dumpChild(child, false, placed);
      if (dump) dumps.push(dump);
    }
  }
  return dumps;
}

/** One descendant's dump, an entry saying why there is none, or undefined when it ended meanwhile. */
async function dumpChild(child: number, neverSignal: boolean, placed: (dump: StackDump) => ProcessDump): Promise<ProcessDump | undefined> {
  if (!isAlive(child)) return undefined;
  // A prepared child too young to listen is waited for; an unprepared one is not signalled yet.
  if (!neverSignal && isYoung(child) && !isPrepared(child)) {
    return { ...withProcess({ pid: child, frames: [] }), error: `skipped: younger than ${MIN_DESCENDANT_AGE_MS} ms (signalling a child that may be exiting can kill it)` };
  }
  try {
    return placed(await dumpProcess(child, { neverSignal }));
  } catch (error) {
    if (error instanceof TargetGone || !isAlive(child)) return undefined; // it ended meanwhile: nothing to show
    return { ...withProcess({ pid: child, frames: [] }), error: (error as Error).message };
  }
}

function withProcess(dump: StackDump): ProcessDump {
  const argv = readCmdline(dump.pid);
  // Only these fields, whichever way the stack was taken: --json has one shape.
  const frames = dump.frames.map((f) => ({ name: f.name, file: f.file, line: f.line, column: f.column }));
  return { pid: dump.pid, ppid: readStatus(dump.pid)?.ppid ?? 0, command: commandLabel(argv, process.cwd()), frames, ...(dump.error ? { error: dump.error } : {}) };
}

/** py-spy dump's layout: a header per process, then its frames innermost first. Everything from the processes is escaped. */
export function formatDumps(dumps: ProcessDump[]): string {
  return dumps
    .map((d) => {
      const header = `Process ${d.pid}: ${terminalSafe(d.command)}${d.ppid ? ` (parent ${d.ppid})` : ''}`;
      if (d.error !== undefined) return `${header}\n    error: ${terminalSafe(d.error)}\n`;
      if (d.frames.length === 0) return `${header}\n    (idle: waiting in the event loop)\n`;
      return `${header}\n${d.frames.map((f) => `    ${terminalSafe(frameText(f))}`).join('\n')}\n`;
    })
    .join('\n');
}

/** `function (file:line)`, with the file shortened like the reports shorten it. */
export function frameText(f: StackFrame): string {
  const name = functionName(f.name);
  if (!f.file) return name;
  return `${name} (${displayFile(f.file, process.cwd())}:${f.line})`;
}
