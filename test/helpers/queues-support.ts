// A real Redis server for the queue tests (started on a free port, stopped afterwards, nothing saved)
// or the one at REDIS_URL, and real worker processes from test/fixtures/queues.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { descendantPids, isAlive } from '../../collector/proc';
import { until } from './wait';
import { FIXTURES, ROOT } from './wspy';

export const QUEUE_FIXTURES = path.join(FIXTURES, 'queues');

export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

/**
 * Why the Redis tests cannot run here, or undefined when they can. Under CI=true a missing Redis
 * is not a reason to skip: the caller must fail instead.
 */
export function redisUnavailable(): string | undefined {
  if (process.env.REDIS_URL) return undefined;
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.status === 0) return undefined;
  const why = 'redis-server is not installed (apt-get install redis-server) and REDIS_URL is not set';
  if (process.env.CI === 'true') throw new Error(`CI=true but the queue tests cannot run: ${why}`);
  return why;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export async function startRedis(): Promise<TestRedis> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: async () => undefined };
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  server.stdout!.on('data', (d) => (output += d));
  server.stderr!.on('data', (d) => (output += d));
  try {
    await until(
      async () => {
        if (await canConnect(port)) return true;
        if (server.exitCode !== null) throw new Error(`redis-server exited with ${server.exitCode}`);
        return false;
      },
      { timeoutMs: 10_000, everyMs: 50, what: `redis-server to accept connections on port ${port}` },
    );
  } catch (e) {
    server.kill('SIGKILL');
    throw new Error(`redis-server did not start on port ${port} (${(e as Error).message}): ${output.slice(-500)}`);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => stopProcess(server),
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A fixture worker process; resolves once it printed "ready". */
export async function startWorker(fixture: string, args: string[], opts: { uid?: number; gid?: number } = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(QUEUE_FIXTURES, fixture), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: QUEUE_FIXTURES,
    ...opts,
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${fixture} ${args.join(' ')} not ready after 20 s: ${err}`)), 20_000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${fixture} exited with ${code}: ${err}`));
    });
  });
  return child;
}

/** Stops a process and then whatever of its descendants outlived it (orphans must not linger). */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const family = descendantPids(child.pid!);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
  for (const pid of family) {
    if (!isAlive(pid)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** A queue name no other test run uses (REDIS_URL may point at a shared server). */
export function uniqueQueue(base: string): string {
  return `${base}-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
}

export interface PsRow {
  pid: number;
  ppid: number;
  depth: number;
  uptimeS: number;
  cpuPercent: number;
  rssBytes: number;
  argv: string[];
  command: string;
  queues: Array<{ queue: string; prefix: string; source: string }>;
  agent: boolean;
}

/** Runs the `ps` command itself (as commander parses it) in a fresh Node process. */
export function runPs(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const script = `require(${JSON.stringify(path.join(ROOT, 'dist/cli/ps.js'))}).psCommand().parseAsync(['node', 'ps', ...process.argv.slice(1)])
    .catch((e) => { console.error(e.message); process.exitCode = 2; });`;
  const r = spawnSync(process.execPath, ['-e', script, '--', ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

