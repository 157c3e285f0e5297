// `wspy record` arguments, parsed into a typed config. Pure (no I/O), so tests can feed it real argv.

import * as path from 'path';
import { UserError } from '../collector/model';
import { DEFAULT_FORMAT, extensionFor, formatFromPath, isOutputFormat, knownEndings, OUTPUT_FORMATS, OutputFormat } from '../viewer/outputs';
import type { OutputConfig } from './output';

/**
 * Default sampling rate when wspy follows children (-s, --queue). Higher than py-spy's 100 Hz
 * because the typical child there lives 20 to 100 ms: 2.5 times the samples per short child (a 50 ms
 * child: 12 instead of 5), which the per-fork figures of the analysis need, at the same boot cost.
 */
export const TREE_RATE_HZ = 250;
/**
 * Default sampling rate for one process. Steady overhead is V8's sampler itself, 35-50 us of CPU per
 * sample, so 250 Hz costs a CPU-bound process about 1-2 % and 100 Hz under 1 % (`npm run bench --
 * steady`); a long-lived process gets enough samples at 100 Hz. README "Choosing the rate".
 */
export const SINGLE_RATE_HZ = 100;
/** The rate used when -r is not given. */
export function defaultRateHz(subprocesses: boolean): number {
  return subprocesses ? TREE_RATE_HZ : SINGLE_RATE_HZ;
}
/** How the default reads in a help screen. */
export const DEFAULT_RATE_HELP = `default: ${SINGLE_RATE_HZ}, or ${TREE_RATE_HZ} with -s or --queue`;
export const MAX_RATE_HZ = 1000;

/** What to record: one of three, never several. */
export type RecordTarget =
  /** Launch mode: run this command under wspy. */
  | { kind: 'launch'; command: string[] }
  /** Attach mode: a process that runs already. */
  | { kind: 'pid'; pid: number }
  /** Attach mode: the workers of this BullMQ/Bull queue (with their children). */
  | { kind: 'queue'; name: string; redisUrl?: string; prefix?: string };

/** How to record, whatever the target. */
export interface RecordSettings {
  durationS?: number;
  rateHz: number;
  subprocesses: boolean;
  idle: boolean;
  title?: string;
  /** Attach mode: signal a target whose inspector would listen on a non-loopback address. */
  allowRemoteInspector?: boolean;
}

export interface RecordConfig extends RecordSettings, OutputConfig {
  target: RecordTarget;
}

/** What commander hands over (all strings, as typed). */
export interface RawRecordOptions {
  pid?: string;
  queue?: string;
  redis?: string;
  prefix?: string;
  duration?: string;
  output?: string;
  format?: string;
  rate?: string;
  subprocesses?: boolean;
  idle?: boolean;
  title?: string;
  open?: boolean;
  allowRemoteInspector?: boolean;
  mergeProcesses?: boolean;
}

export function parseRecordConfig(raw: RawRecordOptions, command: string[], now = new Date()): RecordConfig {
  const pid = raw.pid === undefined ? undefined : positiveInteger(raw.pid, '-p/--pid', 'a process id such as 1234');
  const queueName = raw.queue?.trim();
  if (raw.queue !== undefined && !queueName) throw new UserError('--queue needs a queue name, such as --queue emails');
  const targets = [pid !== undefined, queueName !== undefined, command.length > 0].filter(Boolean).length;
  if (targets > 1) throw new UserError('give one of -p <pid>, --queue <name> or a command after --, not several');
  if (targets === 0) {
    throw new UserError('nothing to record: give a command (wspy record -o out.html -- node worker.js), -p <pid> or --queue <name>');
  }
  if ((raw.redis !== undefined || raw.prefix !== undefined) && queueName === undefined) {
    throw new UserError('--redis and --prefix go with --queue <name>');
  }
  const durationS = raw.duration === undefined ? undefined : positiveNumber(raw.duration, '-d/--duration', 'seconds, such as 10');
  // A queue's workers are recorded with their children (sandboxed processors run in them).
  const subprocesses = Boolean(raw.subprocesses) || queueName !== undefined;
  const rateHz = raw.rate === undefined ? defaultRateHz(subprocesses) : positiveInteger(raw.rate, '-r/--rate', 'samples per second, such as 100');
  if (raw.allowRemoteInspector && targetKind(pid, queueName) === 'launch') throw new UserError('--allow-remote-inspector goes with -p <pid> or --queue <name>');
  if (rateHz > MAX_RATE_HZ) throw new UserError(`-r/--rate ${rateHz} is too high: use at most ${MAX_RATE_HZ} samples per second`);

  const target: RecordTarget =
    pid !== undefined
      ? { kind: 'pid', pid }
      : queueName !== undefined
        ? { kind: 'queue', name: queueName, redisUrl: raw.redis, prefix: raw.prefix }
        : { kind: 'launch', command };
  const format = resolveFormat(raw.format, raw.output);
  const output = raw.output ?? defaultOutput(target, format, now);
  return {
    target,
    subprocesses,
    durationS,
    output,
    format,
    rateHz,
    idle: Boolean(raw.idle),
    title: raw.title,
    open: Boolean(raw.open),
    ...(raw.allowRemoteInspector ? { allowRemoteInspector: true } : {}),
    mergeProcesses: Boolean(raw.mergeProcesses),
  };
}

function targetKind(pid: number | undefined, queue: string | undefined): RecordTarget['kind'] {
  return pid !== undefined ? 'pid' : queue !== undefined ? 'queue' : 'launch';
}

/** -f wins; else the output's extension decides; else html. */
export function resolveFormat(format: string | undefined, output: string | undefined): OutputFormat {
  if (format !== undefined) {
    if (isOutputFormat(format)) return format;
    throw new UserError(`unknown format "${format}": use one of ${OUTPUT_FORMATS.join(', ')}`);
  }
  if (output === undefined) return DEFAULT_FORMAT;
  const fromPath = formatFromPath(output);
  if (fromPath) return fromPath;
  // A name with no extension gets the default; one with an extension wspy does not know is most
  // likely a typo or a format wspy does not write, and would otherwise silently get HTML.
  const ext = path.extname(output);
  if (ext === '') return DEFAULT_FORMAT;
  throw new UserError(
    `-o ${output}: wspy does not know the extension "${ext}"; end the name in one of ${knownEndings().join(', ')}, or give the format with -f (${OUTPUT_FORMATS.join(', ')})`,
  );
}

/** `wspy-<what>-<timestamp>.<ext>`, e.g. wspy-worker-20261123-201500.html, wspy-pid42-..., wspy-queue-emails-... */
export function defaultOutput(target: RecordTarget, format: OutputFormat, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const what = target.kind === 'pid' ? `pid${target.pid}` : target.kind === 'queue' ? `queue-${target.name}` : commandName(target.command);
  const name = what.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40);
  return `wspy-${name}-${stamp}${extensionFor(format)}`;
}

/** `node worker.js` → `worker`; `npm run start` → `npm`. */
function commandName(command: string[]): string {
  const [exe, ...args] = command;
  const base = path.basename(exe);
  const script = /^node(js)?$/.test(base) ? args.find((a) => !a.startsWith('-')) : undefined;
  return path.basename(script ?? base).replace(/\.[cm]?[jt]s$/, '') || 'command';
}

function positiveInteger(value: string, option: string, example: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new UserError(`${option} needs ${example}, not "${value}"`);
  }
  return n;
}

function positiveNumber(value: string, option: string, example: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UserError(`${option} needs ${example}, not "${value}"`);
  return n;
}
