// Redis's CLIENT LIST, and the connection names by which BullMQ and Bull workers can be told apart.
//
// A worker names its blocking connection `<prefix>:<base64(queue)>` (BullMQ unnamed, and Bull) or
// `<prefix>:<base64(queue)>:w:<worker name>` (BullMQ named). BullMQ's QueueEvents uses the suffix
// `:qe`; it is not a worker. Matching is exact on the whole base64 segment: queue `foo` is `Zm9v`
// and `foobar` is `Zm9vYmFy`, so a prefix test on the name (what Bull's own getWorkers does) would
// mistake workers of `foobar` for workers of `foo`.

/** One line of CLIENT LIST, with the fields wspy uses. */
export interface RedisClient {
  id: string;
  /** The client's address as Redis sees it: `ip:port`, `[ipv6]:port`, or `/path/to.sock:0`. */
  addr: string;
  /** The server's end of the connection (Redis 6.2+). */
  laddr?: string;
  name: string;
  db: number;
  /** Last command, e.g. `bzpopmin` (BullMQ) or `brpoplpush` (Bull). */
  cmd: string;
}

/** A worker connection read back from its name. */
export interface WorkerName {
  prefix: string;
  queue: string;
  /** BullMQ's `name` option, when the worker has one. */
  worker?: string;
}

export const DEFAULT_PREFIX = 'bull';
const NAMED_WORKER = ':w:';

/** Parses CLIENT LIST's reply: one client per line, `key=value` fields separated by spaces. */
export function parseClientList(text: string): RedisClient[] {
  const clients: RedisClient[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const fields = new Map<string, string>();
    // A name cannot contain spaces (Redis refuses them), so splitting on spaces is safe.
    for (const pair of line.trim().split(' ')) {
      const eq = pair.indexOf('=');
      if (eq > 0) fields.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const addr = fields.get('addr');
    if (!addr) continue;
    clients.push({
      id: fields.get('id') ?? '',
      addr,
      laddr: fields.get('laddr') || undefined,
      name: fields.get('name') ?? '',
      db: Number(fields.get('db') ?? 0) || 0,
      cmd: fields.get('cmd') ?? '',
    });
  }
  return clients;
}

/** The name of an unnamed worker's connection of `queue` under `prefix` (also Bull's). */
export function workerConnectionName(queue: string, prefix = DEFAULT_PREFIX): string {
  return `${prefix}:${Buffer.from(queue, 'utf8').toString('base64')}`;
}

/** True when `name` is the connection of a worker of exactly `queue` under exactly `prefix`. */
export function isWorkerOf(name: string, queue: string, prefix = DEFAULT_PREFIX): boolean {
  const base = workerConnectionName(queue, prefix);
  return name === base || (name.startsWith(base + NAMED_WORKER) && name.length > base.length + NAMED_WORKER.length);
}

/**
 * Reads a connection name back into prefix, queue and worker name, or undefined when it is not a
 * worker's. With `prefix` only that prefix is accepted. Without it the prefix is guessed: the
 * shortest one after which a valid base64 queue name and nothing but an optional `:w:<name>`
 * follow (prefixes may contain colons, base64 never does).
 */
export function parseWorkerName(name: string, prefix?: string): WorkerName | undefined {
  if (prefix !== undefined) {
    if (!name.startsWith(prefix + ':')) return undefined;
    return readAfterPrefix(prefix, name.slice(prefix.length + 1));
  }
  for (let colon = name.indexOf(':'); colon > 0; colon = name.indexOf(':', colon + 1)) {
    const parsed = readAfterPrefix(name.slice(0, colon), name.slice(colon + 1));
    if (parsed) return parsed;
  }
  return undefined;
}

function readAfterPrefix(prefix: string, rest: string): WorkerName | undefined {
  const colon = rest.indexOf(':');
  const encoded = colon < 0 ? rest : rest.slice(0, colon);
  const tail = colon < 0 ? '' : rest.slice(colon);
  const queue = decodeQueueName(encoded);
  if (queue === undefined) return undefined;
  if (tail === '') return { prefix, queue };
  if (tail.startsWith(NAMED_WORKER) && tail.length > NAMED_WORKER.length) {
    return { prefix, queue, worker: tail.slice(NAMED_WORKER.length) };
  }
  return undefined; // `:qe` (QueueEvents) or something that is not a worker
}

/** The queue name that `encoded` is the base64 of, if it is canonical base64 of valid UTF-8. */
function decodeQueueName(encoded: string): string | undefined {
  if (!encoded || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return undefined;
  const queue = Buffer.from(encoded, 'base64').toString('utf8');
  if (!queue || Buffer.from(queue, 'utf8').toString('base64') !== encoded) return undefined;
  return queue;
}

/** Splits `ip:port`, `[ipv6]:port` or `ipv6:port` into its parts; undefined for unix sockets. */
export function splitAddress(addr: string): { address: string; port: number } | undefined {
  const colon = addr.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const port = Number(addr.slice(colon + 1));
  let address = addr.slice(0, colon);
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  if (address.startsWith('/') || !Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
  return { address: address.toLowerCase(), port };
}
