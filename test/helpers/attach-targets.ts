// Real target processes for the attach tests: start a fixture under test/fixtures/attach, wait for
// it to be ready, watch its stdout, and clean it up; plus a stand-in AgentConfig and marker files.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after } from 'node:test';
import type { AgentConfig } from '../../agent/protocol';
import { Collector, CollectorOptions, startCollector } from '../../collector/ingest';
import { until } from './wait';
import { tempDir, ROOT } from './wspy';

export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'attach');
export const MARKER_AGENT = path.join(FIXTURES, 'marker-agent.js');
export const PPROF_AGENT = path.join(FIXTURES, 'pprof-agent.js');

/**
 * Whether busy.js's work shows among the sampled function names: its `slice`, or, when V8 knows
 * slice's running code only from its on-stack-replacement cache, slice's caller `processImmediate`.
 * A profiler started in a running process (attach, prepared or not) is told only of the code that
 * functions carry, not of OSR code kept in a feedback vector, so samples in such code lose that
 * frame and count as their caller's (seen under load, about 1 attach in 50; docs/ATTACH.md, Limits).
 */
export function sampledBusyWork(names: Set<string>): boolean {
  return names.has('slice') || names.has('processImmediate');
}

export interface Target {
  child: ChildProcess;
  pid: number;
  /** Every stdout line so far. */
  lines: string[];
  stderr: () => string;
  /** Resolves with the first stdout line that arrives after the call and matches. */
  nextLine: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
  kill: () => void;
}

const running = new Set<ChildProcess>();
// Prepended, so that targets (and the stand-in agents in them that write to a spool) are killed
// before tempDir()'s exit listener removes the spool directories.
process.prependListener('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

const collectors: Collector[] = [];
// A test that fails between startCollector() and finish() would leave the collector's server open
// (the test process never ends) and its directory behind; finish() is idempotent.
after(() => Promise.all(collectors.map((c) => c.finish())));

/** startCollector(), finished when the test file ends if the test did not finish it. */
export async function testCollector(opts: CollectorOptions): Promise<Collector> {
  const collector = await startCollector(opts);
  collectors.push(collector);
  return collector;
}

/** Starts `node <args>` (or `command <args>`) and waits for its 'ready' line when `waitFor` is given. */
export async function startTarget(args: string[], opts: { node?: string; env?: NodeJS.ProcessEnv; waitFor?: RegExp } = {}): Promise<Target> {
  const child = spawn(opts.node ?? process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const lines: string[] = [];
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const nextLine = (pattern: RegExp, timeoutMs = 5000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
      waiters.push({ pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) });
    });
  const target: Target = {
    child,
    pid: child.pid as number,
    lines,
    stderr: () => stderr,
    nextLine,
    kill: () => {
      child.kill('SIGKILL');
    },
  };
  if (opts.waitFor) {
    try {
      await nextLine(opts.waitFor);
    } catch (e) {
      // The caller never gets the target to kill it, and its open pipes would keep the test file running.
      child.kill('SIGKILL');
      throw e;
    }
  }
  return target;
}

/** A configuration for a stand-in agent: its marker files go to a fresh spool directory (removed at exit). */
export function agentConfig(agent: string, chunkMs = 200): AgentConfig {
  const spool = tempDir('wspy-attach-test-');
  return {
    socket: '',
    token: '',
    spool,
    intervalUs: 1000,
    follow: false,
    bindings: '',
    agent,
    stream: '',
    chunkMs,
  };
}

/** Waits for a marker file that a stand-in agent writes, and returns its JSON. */
export async function waitForMarker(file: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
  await until(() => existsSync(file), { timeoutMs, everyMs: 10, what: `${file} to appear` });
  // The agent writes it in one synchronous call, but it may be caught between open and write. No limit
  // of its own here: the test's timeout applies.
  const parsed = (): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return undefined;
    }
  };
  return until(parsed, { timeoutMs: Infinity, everyMs: 10, what: `${file} to hold JSON` });
}

/** True when a TCP connection to host:port is refused (nobody listens there). */
export function connectionRefused(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** True while the process exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}
