// wspy's own recording format (docs/FORMAT.md): the Recording as versioned JSON, written with a fixed
// key order so that export -> import -> export gives identical bytes. Older versions are upgraded one
// step at a time on load; newer versions are refused with a message that says so.

import { gzipSync } from 'node:zlib';
import { LostData, MAX_STACK_DEPTH, ProcessCpu, ProcessRecord, Recording, RecordingMeta, sampleCount, tooDeep, UserError } from '../model';
import { ExportOptions, Exporter, Importer } from './format';
import { gunzipOrUndefined, isGzip, jsonOf, looksLikeJson } from './sniff';

export const FORMAT_TAG = 'wspy-recording';
export const FORMAT_VERSION = 1;

/** Turns a parsed document of version n into one of version n + 1. */
export type Upgrader = (doc: Record<string, unknown>) => Record<string, unknown>;

/** Upgraders by the version they upgrade from. Empty while version 1 is the only one. */
export const UPGRADERS: Record<number, Upgrader> = {};

/**
 * A wspy recording file, version 1 (docs/FORMAT.md): the Recording's tables as they are, plus a
 * sample count per process that the reader checks. Fields are written in this order.
 */
export interface WspyFileV1 {
  format: typeof FORMAT_TAG;
  version: 1;
  meta: RecordingMeta;
  strings: string[];
  frames: { name: number[]; file: number[]; line: number[]; column: number[] };
  stacks: { frame: number[]; parent: number[] };
  processes: WspyProcessV1[];
}

export interface WspyProcessV1 {
  key: string;
  pid: number;
  ppid: number;
  host?: string;
  /** A worker thread's id (the record is that thread of process `pid`). */
  thread?: number;
  command: string;
  argv: string[];
  cwd?: string;
  nodeVersion?: string;
  /** Sum of samples.count: a cheap check that the file is whole. */
  sampleCount: number;
  startTime?: number;
  endTime?: number;
  exitCode?: number | null;
  signal?: string | null;
  sampled: boolean;
  intervalUs: number;
  errors: string[];
  queues?: string[];
  cpu?: ProcessCpu;
  messages?: number;
  /** What the process could not hand over (failed spool writes), where it lost anything. */
  lost?: LostData;
  samples: { stack: number[]; count: number[]; time: number[] };
}

const META_KEYS: Array<keyof RecordingMeta> = [
  'title', 'startTime', 'endTime', 'intervalUs', 'idle', 'command', 'cwd', 'host', 'source', 'wspyVersion',
];

export function toDocument(r: Recording): WspyFileV1 {
  const meta: Record<string, unknown> = {};
  for (const k of META_KEYS) if (r.meta[k] !== undefined) meta[k] = r.meta[k];
  return {
    format: FORMAT_TAG,
    version: FORMAT_VERSION,
    meta: meta as unknown as RecordingMeta,
    strings: r.strings,
    frames: { name: r.frames.name, file: r.frames.file, line: r.frames.line, column: r.frames.column },
    stacks: { frame: r.stacks.frame, parent: r.stacks.parent },
    processes: r.processes.map(processDocument),
  };
}

function processDocument(p: ProcessRecord): WspyProcessV1 {
  const d: WspyProcessV1 = {
    key: p.key,
    pid: p.pid,
    ppid: p.ppid,
    host: p.host,
    thread: p.thread,
    command: p.command,
    argv: p.argv,
    cwd: p.cwd,
    nodeVersion: p.nodeVersion,
    sampleCount: sampleCount(p),
    startTime: p.startTime,
    endTime: p.endTime,
    exitCode: p.exitCode,
    signal: p.signal,
    sampled: p.sampled,
    intervalUs: p.intervalUs,
    errors: p.errors,
    queues: p.queues,
    cpu: p.cpu && cpuDocument(p.cpu),
    messages: p.messages,
    lost: p.lost && { messages: p.lost.messages, chunks: p.lost.chunks, samples: p.lost.samples, bytes: p.lost.bytes, reason: p.lost.reason },
    samples: { stack: p.samples.stack, count: p.samples.count, time: p.samples.time },
  };
  // Absent fields are left out rather than written as null.
  for (const k of Object.keys(d) as Array<keyof WspyProcessV1>) if (d[k] === undefined) delete d[k];
  return d;
}

export function writeWspyJson(r: Recording, opts: ExportOptions = {}): string | Buffer {
  const text = JSON.stringify(toDocument(r)) + '\n';
  const gzip = opts.gzip ?? /\.gz$/i.test(opts.fileName ?? '');
  return gzip ? gzipSync(text) : text;
}

export const wspyJsonExporter: Exporter = {
  name: 'json',
  extension: '.json',
  endings: ['.json', '.json.gz'],
  write: writeWspyJson,
};

/**
 * Checks and loads a parsed document. `upgraders`/`current` are parameters so that the upgrade path
 * can be tested before a second version exists.
 */
export function fromDocument(
  input: object,
  upgraders: Record<number, Upgrader> = UPGRADERS,
  current = FORMAT_VERSION,
): Recording {
  let doc = input as Record<string, unknown>;
  const version = doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new UserError('wspy recording has no valid "version" field');
  }
  if (version > current) {
    throw new UserError(`wspy recording is format version ${version}, written by a newer wspy; this one reads up to version ${current}`);
  }
  for (let v = version; v < current; v++) {
    const up = upgraders[v];
    if (!up) throw new UserError(`wspy recording is format version ${version}, which this wspy cannot upgrade`);
    doc = { ...up(doc), version: v + 1 };
  }
  return checkRecording(doc);
}

function checkRecording(doc: Record<string, unknown>): Recording {
  const c = new Checker();
  const metaIn = c.object(doc.meta, 'meta');
  const meta: RecordingMeta = {
    title: c.string(metaIn.title, 'meta.title'),
    startTime: c.number(metaIn.startTime, 'meta.startTime'),
    endTime: c.number(metaIn.endTime, 'meta.endTime'),
    intervalUs: c.number(metaIn.intervalUs, 'meta.intervalUs'),
    idle: c.boolean(metaIn.idle, 'meta.idle'),
    source: c.string(metaIn.source, 'meta.source'),
    wspyVersion: c.string(metaIn.wspyVersion, 'meta.wspyVersion'),
  };
  if (metaIn.command !== undefined) meta.command = c.strings(metaIn.command, 'meta.command');
  if (metaIn.cwd !== undefined) meta.cwd = c.string(metaIn.cwd, 'meta.cwd');
  if (metaIn.host !== undefined) meta.host = c.string(metaIn.host, 'meta.host');

  const strings = c.strings(doc.strings, 'strings');
  const framesIn = c.object(doc.frames, 'frames');
  const frames = {
    name: c.indices(framesIn.name, 'frames.name', strings.length),
    file: c.indices(framesIn.file, 'frames.file', strings.length),
    line: c.numbers(framesIn.line, 'frames.line'),
    column: c.numbers(framesIn.column, 'frames.column'),
  };
  c.sameLength([frames.name, frames.file, frames.line, frames.column], 'frames');
  const stacksIn = c.object(doc.stacks, 'stacks');
  const stacks = { frame: c.indices(stacksIn.frame, 'stacks.frame', frames.name.length), parent: c.numbers(stacksIn.parent, 'stacks.parent') };
  c.sameLength([stacks.frame, stacks.parent], 'stacks');
  // Parents come before children, which is what lets merges translate stacks in one pass.
  const depth: number[] = [];
  stacks.parent.forEach((parent, i) => {
    if (!Number.isInteger(parent) || parent < -1 || parent >= i) c.fail(`stacks.parent[${i}] is ${parent}, not an earlier stack`);
    depth.push(parent === -1 ? 1 : depth[parent] + 1);
    if (depth[i] > MAX_STACK_DEPTH) throw tooDeep();
  });
  if (!Array.isArray(doc.processes)) c.fail('"processes" is not an array');
  const processes = (doc.processes as unknown[]).map((pIn, i) => checkProcess(c, pIn, `processes[${i}]`, stacks.frame.length));
  return { meta, strings, frames, stacks, processes };
}

function checkProcess(c: Checker, value: unknown, at: string, stackCount: number): ProcessRecord {
  const d = c.object(value, at);
  const samplesIn = c.object(d.samples, `${at}.samples`);
  const samples = {
    stack: c.numbers(samplesIn.stack, `${at}.samples.stack`),
    count: c.numbers(samplesIn.count, `${at}.samples.count`),
    time: c.numbers(samplesIn.time, `${at}.samples.time`),
  };
  c.sameLength([samples.stack, samples.count, samples.time], `${at}.samples`);
  samples.stack.forEach((s, i) => {
    if (!Number.isInteger(s) || s < -1 || s >= stackCount) c.fail(`${at}.samples.stack[${i}] is ${s}, not a stack`);
  });
  const p: ProcessRecord = {
    key: d.key === undefined ? String(d.pid) : c.string(d.key, `${at}.key`),
    pid: c.number(d.pid, `${at}.pid`),
    ppid: c.number(d.ppid, `${at}.ppid`),
    argv: d.argv === undefined ? [] : c.strings(d.argv, `${at}.argv`),
    command: c.string(d.command, `${at}.command`),
    sampled: d.sampled === undefined ? true : c.boolean(d.sampled, `${at}.sampled`),
    intervalUs: c.number(d.intervalUs, `${at}.intervalUs`),
    samples,
    errors: d.errors === undefined ? [] : c.strings(d.errors, `${at}.errors`),
  };
  c.number(d.sampleCount, `${at}.sampleCount`);
  if (d.sampleCount !== sampleCount(p)) c.fail(`${at}.sampleCount is ${d.sampleCount} but its samples add up to ${sampleCount(p)}`);
  if (d.host !== undefined) p.host = c.string(d.host, `${at}.host`);
  if (d.thread !== undefined) p.thread = c.number(d.thread, `${at}.thread`);
  if (d.cwd !== undefined) p.cwd = c.string(d.cwd, `${at}.cwd`);
  if (d.nodeVersion !== undefined) p.nodeVersion = c.string(d.nodeVersion, `${at}.nodeVersion`);
  if (d.startTime !== undefined) p.startTime = c.number(d.startTime, `${at}.startTime`);
  if (d.endTime !== undefined) p.endTime = c.number(d.endTime, `${at}.endTime`);
  if (d.exitCode !== undefined) p.exitCode = d.exitCode === null ? null : c.number(d.exitCode, `${at}.exitCode`);
  if (d.signal !== undefined) p.signal = d.signal === null ? null : c.string(d.signal, `${at}.signal`);
  if (d.queues !== undefined) p.queues = c.strings(d.queues, `${at}.queues`);
  if (d.cpu !== undefined) {
    const cpu = c.object(d.cpu, `${at}.cpu`);
    p.cpu = cpuDocument({
      beforeAgentMs: cpu.beforeAgentMs === undefined ? undefined : c.number(cpu.beforeAgentMs, `${at}.cpu.beforeAgentMs`),
      sampledMs: c.number(cpu.sampledMs, `${at}.cpu.sampledMs`),
      agentMs: cpu.agentMs === undefined ? undefined : c.number(cpu.agentMs, `${at}.cpu.agentMs`),
    });
  }
  if (d.messages !== undefined) p.messages = c.number(d.messages, `${at}.messages`);
  if (d.lost !== undefined) {
    const lost = c.object(d.lost, `${at}.lost`);
    p.lost = {
      messages: c.number(lost.messages, `${at}.lost.messages`),
      chunks: c.number(lost.chunks, `${at}.lost.chunks`),
      samples: c.number(lost.samples, `${at}.lost.samples`),
      bytes: c.number(lost.bytes, `${at}.lost.bytes`),
      reason: c.string(lost.reason, `${at}.lost.reason`),
    };
  }
  // Keep the written field order so that a re-export gives the same bytes.
  return p;
}

/** A process's CPU figures in one key order, whoever built them, so that re-exports give the same bytes. */
function cpuDocument(cpu: ProcessCpu): ProcessCpu {
  const d: ProcessCpu = { beforeAgentMs: cpu.beforeAgentMs, sampledMs: cpu.sampledMs, agentMs: cpu.agentMs };
  for (const k of Object.keys(d) as Array<keyof ProcessCpu>) if (d[k] === undefined) delete d[k];
  return d;
}

/** Type checks that name the offending field in their UserError. */
class Checker {
  fail(what: string): never {
    throw new UserError(`broken wspy recording: ${what}`);
  }
  object(v: unknown, at: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(`"${at}" is missing or not an object`);
    return v as Record<string, unknown>;
  }
  string(v: unknown, at: string): string {
    if (typeof v !== 'string') this.fail(`"${at}" is missing or not a string`);
    return v as string;
  }
  number(v: unknown, at: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`"${at}" is missing or not a number`);
    return v as number;
  }
  boolean(v: unknown, at: string): boolean {
    if (typeof v !== 'boolean') this.fail(`"${at}" is missing or not true/false`);
    return v as boolean;
  }
  strings(v: unknown, at: string): string[] {
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) this.fail(`"${at}" is not an array of strings`);
    return v as string[];
  }
  numbers(v: unknown, at: string): number[] {
    if (!Array.isArray(v) || !v.every((n) => typeof n === 'number' && Number.isFinite(n))) this.fail(`"${at}" is not an array of numbers`);
    return v as number[];
  }
  indices(v: unknown, at: string, limit: number): number[] {
    const a = this.numbers(v, at);
    a.forEach((n, i) => {
      if (!Number.isInteger(n) || n < 0 || n >= limit) this.fail(`${at}[${i}] is ${n}, out of range`);
    });
    return a;
  }
  sameLength(arrays: unknown[][], at: string): void {
    if (arrays.some((a) => a.length !== arrays[0].length)) this.fail(`the columns of "${at}" differ in length`);
  }
}

/** Parses JSON that is known to be meant as a wspy recording (or returns undefined when it is not). */
export function readWspyJsonDocument(doc: unknown): Recording | undefined {
  if (typeof doc !== 'object' || doc === null || (doc as Record<string, unknown>).format !== FORMAT_TAG) return undefined;
  return fromDocument(doc as Record<string, unknown>);
}

export const wspyJsonImporter: Importer = {
  name: 'wspy',
  read(bytes: Buffer): Recording | undefined {
    const raw = isGzip(bytes) ? gunzipOrUndefined(bytes) : bytes;
    if (!raw || !looksLikeJson(raw)) return undefined;
    // Our writer puts the tag first; a file that says so up front gets the precise error.
    const claimed = raw.subarray(0, 256).includes(`"${FORMAT_TAG}"`);
    let doc: unknown;
    try {
      doc = jsonOf(raw, 'wspy recording');
    } catch (e) {
      if (claimed) throw e;
      return undefined;
    }
    return readWspyJsonDocument(doc);
  },
};
