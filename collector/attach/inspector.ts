// The pieces of attaching that talk to a target's inspector: where it will listen, finding the port
// it really took, and a minimal DevTools-protocol session over ws. The steps (preflight.ts, open.ts,
// inject.ts) string them together; this file makes no decisions about errors the user sees.
import * as http from 'node:http';
import WebSocket from 'ws';
import { ANY_IPV4, ANY_IPV6, canonicalAddress, isAlive, listeningSockets, ListeningSocket, LOOPBACK_IPV6, readCmdline, readEnviron } from '../proc';

export const DEFAULT_INSPECTOR_PORT = 9229;

/**
 * How long a target's inspector typically listens while wspy attaches (SIGUSR1 until /proc shows
 * the port closed), in ms: the median "inspector window" measured by bench/attach.ts
 * (`npm run bench -- attach`), run of 2026-12-02 05:19 UTC in bench/results/results.md (median 72, p90 77 ms,
 * idle target, Node 20). wspy prints it before it signals; docs/ATTACH.md quotes the same run.
 * Rerun the bench and update this figure when the inspector path changes.
 */
export const INSPECTOR_WINDOW_MS = 72;

/** True for a host that only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  const address = canonicalAddress(host);
  return address !== undefined && isLoopbackAddress(address);
}

/** The same, for a canonical address as /proc gives it. */
export function isLoopbackAddress(address: string): boolean {
  return address.startsWith('127.') || address === LOOPBACK_IPV6;
}
const DEFAULT_INSPECTOR_HOST = '127.0.0.1';

export interface InspectorAddress {
  host: string;
  /** 0 means the target picks a free port when its inspector opens. */
  port: number;
}

// The options that set where the inspector listens: [host:]port, the last one wins as in Node.
const INSPECT_OPTION = /^--(inspect-port|debug-port|inspect|inspect-brk|inspect-wait)(?:=(.*))?$/;

function applyInspectOption(address: InspectorAddress, value: string): void {
  const match = /^(?:\[?([^\]]*?)\]?:)?(\d+)$/.exec(value);
  if (match) {
    if (match[1]) address.host = match[1];
    address.port = Number(match[2]);
  } else if (value !== '') {
    address.host = value; // `--inspect=host` keeps the port
  }
}

function applyOptions(address: InspectorAddress, args: string[]): void {
  for (let i = 0; i < args.length; i++) {
    const match = INSPECT_OPTION.exec(args[i]);
    if (!match) continue;
    const takesValue = match[1] === 'inspect-port' || match[1] === 'debug-port';
    const value = match[2] ?? (takesValue ? args[++i] ?? '' : '');
    applyInspectOption(address, value);
  }
}

/** Node's own options in an argv: those between the binary and the script (or -e / -p code). */
function nodeOptionsOf(argv: string[]): string[] {
  const options: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-') || arg === '-' || arg === '--') break;
    options.push(arg);
    if (/^(-e|--eval|-p|--print)$/.test(arg)) break;
    // options that take their value as the next argument
    if (/^(-r|--require|--import|--loader|--experimental-loader|--inspect-port|--debug-port|--conditions|-C|--title)$/.test(arg)) {
      options.push(argv[++i] ?? '');
    }
  }
  return options;
}

/**
 * Where the target's inspector will listen once opened, read from its command line and
 * NODE_OPTIONS. A guess: the program may have changed `process.debugPort` itself, so the real port
 * is always read from /proc afterwards.
 */
export function configuredInspectorAddress(pid: number): InspectorAddress {
  const address = { host: DEFAULT_INSPECTOR_HOST, port: DEFAULT_INSPECTOR_PORT };
  const fromEnv = (readEnviron(pid).get('NODE_OPTIONS') ?? '').split(/\s+/).filter(Boolean);
  applyOptions(address, fromEnv);
  applyOptions(address, nodeOptionsOf(readCmdline(pid)));
  return address;
}

const sleep = (ms: number, keepAlive = true) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (!keepAlive) timer.unref();
  });

/** Outcome of waiting for the target to listen on a new port. */
export type OpenResult = { socket: ListeningSocket } | { exited: true } | { timedOut: true };

/**
 * Polls /proc until the target listens on a socket that it did not hold before (`before`, by inode):
 * the inspector that SIGUSR1 opened.
 */
export async function waitForNewListeningSocket(pid: number, before: ListeningSocket[], timeoutMs: number, keepAlive = true): Promise<OpenResult> {
  const known = new Set(before.map((s) => s.inode));
  const deadline = Date.now() + timeoutMs;
  const maxDelay = keepAlive ? 5 : 50; // a background watch polls less often
  for (let delay = 1; ; delay = Math.min(delay * 2, maxDelay)) {
    const fresh = listeningSockets(pid).find((s) => !known.has(s.inode));
    if (fresh) return { socket: fresh };
    if (!isAlive(pid)) return { exited: true };
    if (Date.now() >= deadline) return { timedOut: true };
    await sleep(delay, keepAlive);
  }
}

/** Polls /proc until the target no longer listens on `socket`; false on timeout. */
export async function waitForSocketClosed(pid: number, socket: ListeningSocket, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 1; ; delay = Math.min(delay * 2, 5)) {
    if (!listeningSockets(pid).some((s) => s.inode === socket.inode)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(delay);
  }
}

/** The address to connect to for a socket that listens on `address` (a wildcard means loopback). */
export function connectHost(address: string): string {
  if (address === ANY_IPV4) return '127.0.0.1';
  if (address === ANY_IPV6) return LOOPBACK_IPV6;
  return address;
}

interface InspectorTarget {
  id: string;
  title: string;
  webSocketDebuggerUrl: string;
}

/** GET /json/list from an inspector's HTTP endpoint. */
export function listInspectorTargets(host: string, port: number, timeoutMs: number): Promise<InspectorTarget[]> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host, port, path: '/json/list', timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        try {
          const parsed: unknown = JSON.parse(body);
          if (!Array.isArray(parsed)) throw new Error('not a list');
          resolve(parsed.filter((t): t is InspectorTarget => typeof t?.webSocketDebuggerUrl === 'string'));
        } catch {
          reject(new Error(`${host}:${port} did not answer like a Node inspector`));
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error(`${host}:${port} did not answer in ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

interface EvaluateResult {
  result?: { type: string; value?: unknown; description?: string };
  exceptionDetails?: { text?: string; exception?: { description?: string } };
}

/** Thrown by CdpSession.evaluate when the target's JavaScript context is gone: the process is exiting. */
export class ContextGone extends Error {}

/** A DevTools-protocol session over ws: only what attaching needs (Runtime.evaluate, and hearing that the target exits). */
export class CdpSession {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<string, (params: unknown) => void>();
  /** Resolves when the connection is closed, by either side. */
  readonly closed: Promise<void>;
  /**
   * Resolves when the target has started to exit while this session is connected. Node then waits,
   * with "Waiting for the debugger to disconnect...", until every session hangs up: a session that
   * stays would keep an exiting process alive.
   */
  readonly exiting: Promise<void>;
  private markExiting: () => void = () => undefined;
  isExiting = false;

  private constructor(
    private readonly socket: WebSocket,
    private readonly tcp: { unref(): void } | undefined,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.exiting = new Promise((resolve) => {
      this.markExiting = () => {
        this.isExiting = true;
        resolve();
      };
    });
    socket.on('message', (data) => this.onMessage(String(data)));
    socket.on('close', () => {
      for (const { reject } of this.pending.values()) reject(new Error('the inspector closed the connection'));
      this.pending.clear();
    });
    socket.on('error', () => undefined); // reported through 'close'
  }

  static connect(url: string, timeoutMs: number): Promise<CdpSession> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { handshakeTimeout: timeoutMs, perMessageDeflate: false });
      let tcp: { unref(): void } | undefined;
      socket.once('upgrade', (response) => (tcp = response.socket));
      socket.once('open', () => resolve(new CdpSession(socket, tcp)));
      socket.once('error', reject);
    });
  }

  /**
   * Asks the target to say when it starts exiting (NodeRuntime.waitingForDisconnect, Node 12 and
   * later). Sent before anything else, so that an exiting target is let go at once. Never throws.
   */
  async watchForExit(timeoutMs: number): Promise<void> {
    await this.send('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true }, timeoutMs).catch(() => undefined);
  }

  private onMessage(text: string): void {
    let message: { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message?: string } };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.method === 'NodeRuntime.waitingForDisconnect' || message.method === 'Runtime.executionContextDestroyed') {
      this.markExiting();
      return;
    }
    if (message.method !== undefined) return this.listeners.get(message.method)?.(message.params);
    const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
    if (!waiter || message.id === undefined) return;
    this.pending.delete(message.id);
    if (message.error) {
      const text = message.error.message ?? 'protocol error';
      // The answer of a target that exited before it heard watchForExit: its context is destroyed.
      if (/cannot find (default )?(execution )?context/i.test(text)) {
        this.markExiting();
        waiter.reject(new ContextGone(text));
      } else {
        waiter.reject(new Error(text));
      }
    } else waiter.resolve(message.result);
  }

  /** Calls `listener` with the params of every `method` event (one listener per event; what the target sends is unchecked data). */
  onEvent(method: string, listener: (params: unknown) => void): void {
    this.listeners.set(method, listener);
  }

  send(method: string, params: object, timeoutMs: number): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} got no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Evaluates an expression in the target and returns its value (JSON-compatible values only). */
  async evaluate(expression: string, timeoutMs: number, commandLineApi = false): Promise<unknown> {
    const answer = (await this.send(
      'Runtime.evaluate',
      { expression, returnByValue: true, includeCommandLineAPI: commandLineApi, silent: true },
      timeoutMs,
    )) as EvaluateResult;
    if (answer.exceptionDetails) {
      const details = answer.exceptionDetails;
      throw new Error(details.exception?.description ?? details.text ?? 'evaluation threw');
    }
    return answer.result?.value;
  }

  close(): void {
    this.socket.close();
  }

  /** Lets wspy exit while this connection is still open. */
  unref(): void {
    this.tcp?.unref();
  }
}
