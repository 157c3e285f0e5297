// Runs the real wspy CLI (bin/wspy.js) the way a user would, and reads what it wrote.
import { spawn, SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const WSPY = path.join(ROOT, 'bin', 'wspy.js');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runWspy(args: string[], opts: SpawnOptions & { onSpawn?: (pid: number) => void } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WSPY, ...args], { cwd: ROOT, ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    if (child.pid && opts.onSpawn) opts.onSpawn(child.pid);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const tempDirs: string[] = [];
// Tests leave nothing behind in the temp directory: every tempDir() goes when the test file ends,
// whether its tests passed, failed or timed out (only a signal that kills the test process skips this).
// A support module whose child processes may still write into such a directory kills them in an
// exit listener it adds with process.prependListener, so that they are gone before this one runs.
process.on('exit', () => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A fresh private directory under os.tmpdir(), removed with everything in it when this process exits.
 * Call it in the main thread: a worker thread that is terminate()d (say, a hung fuzz case) runs no
 * exit listener, so a worker gets its directory from the main thread instead.
 */
export function tempDir(prefix = 'wspy-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** The subset of wspy's JSON recording format (docs/FORMAT.md) that tests read. */
export interface JsonRecording {
  format: string;
  version: number;
  /** ms since the epoch. */
  meta: { startTime: number; endTime: number };
  strings: string[];
  frames: { name: number[]; file: number[]; line: number[]; column: number[] };
  stacks: { frame: number[]; parent: number[] };
  processes: Array<{
    pid: number;
    ppid: number;
    command: string;
    argv: string[];
    sampleCount: number;
    sampled: boolean;
    exitCode?: number | null;
    signal?: string | null;
    errors: string[];
    /** What the process could not hand over (docs/FORMAT.md). */
    lost?: { messages: number; chunks: number; samples: number; bytes: number; reason: string };
    samples: { stack: number[]; count: number[]; time: number[] };
  }>;
}

export function readRecording(file: string): JsonRecording {
  let data = fs.readFileSync(file);
  if (data[0] === 0x1f && data[1] === 0x8b) data = zlib.gunzipSync(data);
  return JSON.parse(data.toString('utf8')) as JsonRecording;
}

/** Names of every function seen in a process's samples (anywhere on the stack). */
export function functionNames(r: JsonRecording, pid: number): Set<string> {
  const p = r.processes.find((q) => q.pid === pid);
  const names = new Set<string>();
  if (!p) return names;
  for (const leaf of p.samples.stack) {
    for (let s = leaf; s !== -1; s = r.stacks.parent[s]) names.add(r.strings[r.frames.name[r.stacks.frame[s]]]);
  }
  return names;
}

/** The process whose samples contain a function of that name. */
export function processRunning(r: JsonRecording, fn: string) {
  return r.processes.find((p) => functionNames(r, p.pid).has(fn));
}
