// Running processes for the benchmarks: a command with its wall time, and the wspy CLI itself.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const WSPY = path.join(ROOT, 'bin', 'wspy.js');
export const AGENT_BUNDLE = path.join(ROOT, 'dist', 'bundles', 'agent.js');
/** Compiled workload scripts (bench/targets/*.ts). */
export const TARGETS = path.join(__dirname, 'targets');

export function target(name: string): string {
  return path.join(TARGETS, `${name}.js`);
}

export interface RunResult {
  code: number | null;
  wallMs: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; wall time from just before spawn to the exit event. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      child.on('close', () => resolve({ code, wallMs, stdout, stderr }));
    });
  });
}

/** Like run, but fails with the command's stderr when it does not exit with 0. */
export async function runOk(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<RunResult> {
  const r = await run(command, args, env);
  if (r.code !== 0) throw new Error(`${path.basename(command)} ${args.join(' ')} exited with ${r.code}: ${r.stderr.trim().slice(-2000)}`);
  return r;
}

/** `node target.js args` under `wspy record` with JSON output; returns the run and the recording's path. */
export async function recordWithWspy(
  rateHz: number,
  subprocesses: boolean,
  command: string[],
  out: string,
  nodeFlags: string[] = [],
): Promise<RunResult> {
  const args = [...nodeFlags, WSPY, 'record', ...(subprocesses ? ['-s'] : []), '-r', String(rateHz), '-f', 'json', '-o', out, '--', ...command];
  return runOk(process.execPath, args);
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'wspy-bench-'));
}

/** The figures a workload script wrote to a file (its own measurements, free of process start-up). */
export function readFigures<T = Record<string, number>>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
