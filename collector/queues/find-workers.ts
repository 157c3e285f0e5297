// `wspy record --queue <name>`: which local processes consume a queue right now. Two sources:
// the agents of recordings in progress, which saw their process create a worker (agents.ts), and
// Redis's CLIENT LIST, where every BullMQ and Bull worker's blocking connection carries the
// queue's name (redis-clients.ts), traced to the process that owns the socket (sockets.ts).
// Sandboxed-processor children hold no connection: the caller records the found pids with their
// descendants.
import { Redis } from 'ioredis';
import * as os from 'node:os';
import { describeUser, isAlive, readProcStats } from '../proc';
import { UserError } from '../model';
import { runningAgents } from './agents';
import { DEFAULT_PREFIX, isWorkerOf, parseClientList, parseWorkerName, RedisClient } from './redis-clients';
import { ownersOfConnections } from './sockets';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface FindWorkersOptions {
  /** Default: REDIS_URL, else redis://127.0.0.1:6379. */
  redisUrl?: string;
  /** Redis key prefix of the queue; default `bull` (BullMQ's and Bull's default). */
  prefix?: string;
  /** Give up connecting to Redis after this long (default 3000 ms). */
  connectTimeoutMs?: number;
}

export interface QueueWorker {
  pid: number;
  queue: string;
  /** BullMQ's worker `name` option, when known. */
  workerName?: string;
  /** How it was found: its Redis connection (`addr`) or its agent. */
  via: 'redis' | 'agent';
  /** The client address Redis reports for the connection (via redis). */
  addr?: string;
}

export interface FoundWorkers {
  /** The processes to record (with their descendants), in pid order. */
  pids: number[];
  /** pid → the queue names to show for it (ProcessRecord.queues). */
  queuesByPid: Map<number, string[]>;
  workers: QueueWorker[];
  /** The Redis URL asked (password hidden), or undefined when Redis was not needed. */
  redisUrl?: string;
  /** Things the user should know that do not stop the recording, one line each. */
  notes: string[];
}

/** Finds the local processes that consume `queue`. Throws UserError (one line) when there are none to record. */
export async function findQueueWorkers(queue: string, opts: FindWorkersOptions = {}): Promise<FoundWorkers> {
  if (!queue) throw new UserError('--queue needs a queue name');
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const url = opts.redisUrl ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  const shownUrl = redactUrl(url);
  const db = databaseOf(url);

  const fromAgents = workersKnownToAgents(queue, prefix);
  let clients: RedisClient[];
  try {
    clients = await readClientList(url, opts.connectTimeoutMs ?? 3000);
  } catch (error) {
    if (fromAgents.length > 0) {
      const notes = [`Redis at ${shownUrl} was not asked (${(error as Error).message}); using what wspy's agents reported`];
      return result(fromAgents, undefined, notes);
    }
    throw error instanceof UserError ? error : new UserError(`cannot reach Redis at ${shownUrl}: ${(error as Error).message}`);
  }

  const mine = clients.filter((c) => c.db === db && isWorkerOf(c.name, queue, prefix));
  if (mine.length === 0 && fromAgents.length === 0) {
    throw new UserError(noWorkerMessage(queue, prefix, shownUrl, clients.filter((c) => c.db === db)));
  }

  const workers = [...fromAgents];
  const notes: string[] = [];
  const owners = ownersOfConnections(mine);
  const remote: string[] = [];
  const otherUsers = new Set<number>();
  owners.forEach((owner, i) => {
    const client = mine[i];
    const workerName = parseWorkerName(client.name, prefix)?.worker;
    if (owner.kind === 'local') {
      for (const pid of owner.pids) workers.push({ pid, queue, workerName, via: 'redis', addr: client.addr });
    } else if (owner.kind === 'remote') {
      remote.push(owner.isOurAddress ? `${client.addr} (an address of this machine, but in another network namespace or container)` : client.addr);
    } else if (owner.kind === 'other-user') {
      otherUsers.add(owner.uid);
    } else {
      notes.push(`a worker of queue "${queue}" was skipped: ${owner.why}`);
    }
  });

  const local = new Set(workers.map((w) => w.pid));
  if (local.size === 0) {
    if (otherUsers.size > 0) {
      const users = [...otherUsers].map(describeUser).join(', ');
      throw new UserError(
        `the workers of queue "${queue}" run as ${users}, and wspy runs as ${describeUser(os.userInfo().uid)}: run wspy as that user or as root`,
      );
    }
    if (remote.length > 0) {
      throw new UserError(
        `the workers of queue "${queue}" connect to Redis from ${summarise(remote)}, not from this machine (${os.hostname()}): ` +
          `run wspy on the host where they run`,
      );
    }
    throw new UserError(`found ${mine.length} connection(s) of queue "${queue}" but no process on this machine that holds one: ${notes.join('; ')}`);
  }
  if (remote.length > 0) notes.push(`${remote.length} worker connection(s) of queue "${queue}" come from elsewhere and are not recorded: ${summarise(remote)}`);
  for (const uid of otherUsers) notes.push(`workers of queue "${queue}" that run as ${describeUser(uid)} are not recorded (run wspy as that user or root)`);
  return result(workers, shownUrl, notes);
}

function result(workers: QueueWorker[], redisUrl: string | undefined, notes: string[]): FoundWorkers {
  const queuesByPid = new Map<number, string[]>();
  for (const w of workers) {
    const list = queuesByPid.get(w.pid) ?? [];
    if (!list.includes(w.queue)) list.push(w.queue);
    queuesByPid.set(w.pid, list);
  }
  const pids = [...queuesByPid.keys()].sort((a, b) => a - b);
  return { pids, queuesByPid, workers, redisUrl, notes };
}

/** Live processes whose agent (in a recording in progress) saw them create a worker of the queue. */
function workersKnownToAgents(queue: string, prefix: string): QueueWorker[] {
  const workers: QueueWorker[] = [];
  for (const agent of runningAgents().values()) {
    if (!agent.queues.some((q) => q.queue === queue && q.prefix === prefix)) continue;
    if (!isSameProcess(agent.pid, agent.processStart)) continue;
    workers.push({ pid: agent.pid, queue, via: 'agent' });
  }
  return workers;
}

/** The pid is alive and started when the agent said (not a new process that reuses the pid). */
export function isSameProcess(pid: number, startTime: number): boolean {
  if (!isAlive(pid)) return false;
  const stats = readProcStats(pid);
  return stats !== undefined && Math.abs(stats.startTime - startTime) < 2000;
}

/** CLIENT LIST of the server at `url`. Throws UserError when Redis cannot be reached or refuses. */
export async function readClientList(url: string, connectTimeoutMs = 3000): Promise<RedisClient[]> {
  const shownUrl = redactUrl(url);
  if (!/^rediss?:\/\//i.test(url)) throw new UserError(`not a Redis URL: ${shownUrl} (expected redis://host:port/db)`);
  let lastError: Error | undefined;
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    connectionName: 'wspy',
  });
  redis.on('error', (e: Error) => (lastError = e)); // reported below, once, as one line
  try {
    try {
      await redis.connect();
    } catch (e) {
      const why = describeRedisError(lastError ?? (e as Error));
      throw new UserError(`cannot reach Redis at ${shownUrl} (${why}): start it, or point wspy at it with --redis <url> or REDIS_URL`);
    }
    try {
      return parseClientList(String(await redis.client('LIST')));
    } catch (e) {
      throw new UserError(`Redis at ${shownUrl} refused CLIENT LIST (${describeRedisError(e as Error)}): wspy needs a user allowed to run it`);
    }
  } finally {
    redis.disconnect();
  }
}

function describeRedisError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error.message.split('\n')[0];
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

function noWorkerMessage(queue: string, prefix: string, shownUrl: string, clients: RedisClient[]): string {
  const byPrefix = new Map<string, Set<string>>();
  for (const c of clients) {
    const parsed = parseWorkerName(c.name, prefix) ?? parseWorkerName(c.name);
    if (!parsed) continue;
    const set = byPrefix.get(parsed.prefix) ?? new Set<string>();
    set.add(parsed.queue);
    byPrefix.set(parsed.prefix, set);
  }
  const head = `no worker is consuming queue "${queue}" (prefix "${prefix}") on ${shownUrl}`;
  if (byPrefix.size === 0) return `${head}; no BullMQ or Bull worker is connected there at all`;
  const list = (p: string) => [...(byPrefix.get(p) ?? [])].sort().map((q) => JSON.stringify(q)).join(', ');
  const parts: string[] = [];
  if (byPrefix.has(prefix)) parts.push(`queues with workers: ${list(prefix)}`);
  for (const other of [...byPrefix.keys()].sort()) {
    if (other !== prefix) parts.push(`with --prefix ${other}: ${list(other)}`);
  }
  return `${head}; ${parts.join('; ')}`;
}

function summarise(items: string[]): string {
  const unique = [...new Set(items)];
  return unique.length <= 3 ? unique.join(', ') : `${unique.slice(0, 3).join(', ')} and ${unique.length - 3} more`;
}

/** The URL with its password replaced, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** The database number a Redis URL selects (`redis://host/3` → 3; default 0). */
export function databaseOf(url: string): number {
  try {
    const parsed = new URL(url);
    const fromPath = Number(parsed.pathname.replace(/^\//, '') || parsed.searchParams.get('db') || 0);
    return Number.isInteger(fromPath) && fromPath >= 0 ? fromPath : 0;
  } catch {
    return 0;
  }
}
