// Where a recording's files live, for everyone who looks for them: the collector makes
// `<tmp>/wspy-XXXXXX/` (mode 0700) holding its socket `collector.sock` and the spool directory
// `spool/`, in which each agent appends to `<pid>.jsonl` (a worker thread's to `<pid>-<threadId>.jsonl`)
// and, when its writes fail, leaves a loss marker `<pid>.lost-...`; `wspy ps` and `--queue` read the spools
// of recordings in progress; an agent whose wspy died removes the directory. Pure path arithmetic.
import * as path from 'path';
import type { SpoolLoss } from './protocol';

/** Prefix of a recording's private directory under the temp directory (mkdtemp adds six characters). */
export const RECORDING_DIR_PREFIX = 'wspy-';

/** The longest path a Unix socket can bind on Linux (sun_path is 108 bytes with its NUL). */
export const MAX_SOCKET_PATH = 107;

/** Where recordings go when the temp directory is too deep for a socket path: always short, sticky, world-writable. */
export const SHORT_TEMP_DIR = '/tmp';

/**
 * The directory a recording's private directory is made in: the temp directory, unless the socket
 * inside would be longer than a socket path can be (a TMPDIR of more than about 80 characters), then
 * SHORT_TEMP_DIR. mkdtemp makes the private directory 0700 with a fresh name in either, so nobody
 * else can enter it.
 */
export function recordingBase(tmpDir: string): string {
  const socket = recordingPaths(path.join(tmpDir, `${RECORDING_DIR_PREFIX}XXXXXX`)).socket;
  return Buffer.byteLength(socket) <= MAX_SOCKET_PATH ? tmpDir : SHORT_TEMP_DIR;
}

export interface RecordingPaths {
  dir: string;
  socket: string;
  spool: string;
}

export function recordingPaths(dir: string): RecordingPaths {
  return { dir, socket: path.join(dir, 'collector.sock'), spool: path.join(dir, 'spool') };
}

/** True for a directory name the collector could have made. */
export function isRecordingDirName(name: string): boolean {
  return name.startsWith(RECORDING_DIR_PREFIX);
}

/** The recording directory that holds this socket and spool, when they sit together as the collector made them. */
export function recordingDirOf(socket: string, spool: string): string | undefined {
  const dir = path.dirname(spool);
  const expected = recordingPaths(dir);
  if (expected.spool !== spool || expected.socket !== socket || !isRecordingDirName(path.basename(dir))) return undefined;
  return dir;
}

export function spoolFile(spoolDir: string, pid: number, thread?: number): string {
  return path.join(spoolDir, thread === undefined ? `${pid}.jsonl` : `${pid}-${thread}.jsonl`);
}

/** True for the spool file of a process or of one of its worker threads. */
export function isSpoolFile(name: string): boolean {
  return /^\d+(-\d+)?\.jsonl$/.test(name);
}

/** The pid a process's (main thread's) spool file belongs to, or undefined when the name is not one. */
export function spoolFilePid(name: string): number | undefined {
  const m = /^(\d+)\.jsonl$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * A loss marker: an empty file `<pid>[-<thread>].lost-<messages>-<chunks>-<samples>-<bytes>-<CODE>`
 * beside the spool files. Empty, because it is written when the disk is full: a name needs no data block.
 */
export function lossMarkerFile(spoolDir: string, pid: number, thread: number | undefined, c: SpoolLoss): string {
  const owner = thread === undefined ? `${pid}` : `${pid}-${thread}`;
  return path.join(spoolDir, `${owner}.lost-${c.messages}-${c.chunks}-${c.samples}-${c.bytes}-${c.code}`);
}

/** The owner and counts of a loss marker's name, or undefined when the name is not one. */
export function parseLossMarker(name: string): { pid: number; thread?: number; counts: SpoolLoss } | undefined {
  const m = /^(\d+)(?:-(\d+))?\.lost-(\d+)-(\d+)-(\d+)-(\d+)-([A-Z0-9_]{1,16})$/.exec(name);
  if (!m) return undefined;
  const [messages, chunks, samples, bytes] = [m[3], m[4], m[5], m[6]].map(Number);
  const counts = { messages, chunks, samples, bytes, code: m[7] };
  return m[2] === undefined ? { pid: Number(m[1]), counts } : { pid: Number(m[1]), thread: Number(m[2]), counts };
}
