// The collector: a ws server on a Unix socket in a new private directory, plus the spool directory
// beside it where agents write what they cannot send (their hello at boot, their last chunk at exit).
// Only agents that present the recording's random token get in. Everything they send goes through
// the RecordingAssembler, which checks it; nothing a socket sends is ever executed.

import { randomBytes, timingSafeEqual } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import WebSocket, { WebSocketServer } from 'ws';
import { environmentWithAgent } from '../../agent/environment';
import type { AgentConfig } from '../../agent/protocol';
import { RECORDING_DIR_PREFIX, recordingBase, recordingPaths } from '../../agent/recording-dir';
import { AGENT_BUNDLE, pprofBindingsDir, STREAM_BUNDLE, wspyVersion } from './install';
import { applySourceMaps } from './source-maps';
import { SpoolReader } from './spool-reader';
import { AssemblerStats, RecordingAssembler } from './assembler';
import { Recording, UserError } from '../model';

export interface CollectorOptions {
  intervalUs: number;
  follow: boolean;
  idle?: boolean;
  chunkMs?: number;
  title?: string;
  source?: string;
  command?: string[];
  cwd?: string;
}

export interface Collector {
  /** What agents get in WSPY_AGENT. */
  agentConfig: AgentConfig;
  /** `base` plus NODE_OPTIONS that preload the agent and WSPY_AGENT. */
  agentEnv(base?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  stats(): AssemblerStats & { connected: number };
  /** The Recording as assembled so far, for live views (`wspy top`); read it, do not change it. */
  live(): Recording;
  /**
   * Free space of the disk the recording directory is on, now (statfs); undefined where it cannot be
   * read. Agents that find it full lose what they spool: the CLI warns when it is low.
   */
  spoolSpace(): SpoolSpace | undefined;
  /** Reports a problem with one process (e.g. attaching to it failed). */
  addError(pid: number, error: string): void;
  /** Asks every connected agent to stop, and waits for them to say bye (or for the timeout). */
  stopAgents(timeoutMs?: number): Promise<void>;
  /** Reads what is left in the spool, closes the server and removes the private directory. */
  finish(): Promise<Recording>;
}

export interface SpoolSpace {
  /** The directory the recording's private directory is in (TMPDIR, or /tmp). */
  place: string;
  freeBytes: number;
}

/** Largest message an agent may send; a chunk of a very busy process is well below this. */
const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
const SPOOL_POLL_MS = 250;

export async function startCollector(opts: CollectorOptions): Promise<Collector> {
  const startTime = Date.now();
  const { dir, socket, spool } = recordingPaths(makePrivateDir());
  try {
    return await startIn(dir, socket, spool, startTime, opts);
  } catch (error) {
    // Nothing may stay behind when the collector cannot start (say, a socket it cannot bind).
    removeCollectorDir(dir);
    throw error;
  }
}

/** A fresh 0700 directory for the socket and spool, where a socket path fits (recording-dir.ts). */
function makePrivateDir(): string {
  const base = recordingBase(os.tmpdir());
  try {
    return fs.mkdtempSync(path.join(base, RECORDING_DIR_PREFIX));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UserError(`cannot make wspy's private directory in ${base} (${code}): set TMPDIR to a writable directory`);
  }
}

async function startIn(dir: string, socket: string, spool: string, startTime: number, opts: CollectorOptions): Promise<Collector> {
  fs.chmodSync(dir, 0o700);
  fs.mkdirSync(spool, { mode: 0o700 });
  const token = randomBytes(24).toString('hex');

  const agentConfig: AgentConfig = {
    socket,
    token,
    spool,
    intervalUs: opts.intervalUs,
    follow: opts.follow,
    bindings: pprofBindingsDir(),
    agent: AGENT_BUNDLE,
    stream: STREAM_BUNDLE,
    chunkMs: opts.chunkMs ?? 1000,
    collectorPid: process.pid,
  };

  const assembler = new RecordingAssembler({
    startTime,
    intervalUs: opts.intervalUs,
    idle: opts.idle ?? false,
    title: opts.title ?? 'wspy recording',
    source: opts.source ?? 'record',
    command: opts.command,
    cwd: opts.cwd ?? process.cwd(),
    host: os.hostname(),
    wspyVersion: wspyVersion(),
  }, new Set([AGENT_BUNDLE, STREAM_BUNDLE]), path.dirname(dir));

  const spoolReader = new SpoolReader(spool, (msg) => assembler.ingest(msg), (pid, thread, loss) => assembler.addLoss(pid, thread, loss));
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const expected = Buffer.from(token);
  const wss = new WebSocketServer({
    server,
    path: '/agent',
    maxPayload: MAX_MESSAGE_BYTES,
    verifyClient: ({ req }: { req: http.IncomingMessage }) => {
      const given = Buffer.from(String(req.headers['x-wspy-token'] ?? ''));
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  });
  const byes = new Map<WebSocket, () => void>();
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return void assembler.ingest(undefined);
      let msg: unknown;
      try {
        msg = JSON.parse(data.toString());
      } catch {
        return void assembler.ingest(undefined);
      }
      // Only a message the assembler accepted is looked at again: `null` or `42` parse as JSON too.
      if (assembler.ingest(msg) && (msg as { t?: unknown }).t === 'bye') byes.get(ws)?.();
    });
    ws.on('error', () => ws.terminate());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
  fs.chmodSync(socket, 0o600);
  const poll = setInterval(() => spoolReader.read(), SPOOL_POLL_MS);
  poll.unref();

  let finished: Promise<Recording> | undefined;
  return {
    agentConfig,
    agentEnv(base = process.env) {
      return environmentWithAgent(base, agentConfig);
    },
    stats() {
      return { ...assembler.stats(), connected: wss.clients.size };
    },
    live() {
      return assembler.recording;
    },
    spoolSpace() {
      return freeSpace(dir);
    },
    addError(pid, error) {
      assembler.addError(pid, error);
    },
    async stopAgents(timeoutMs = 3000) {
      const waits = [...wss.clients].map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState !== WebSocket.OPEN) return resolve();
            byes.set(ws, resolve);
            ws.once('close', () => resolve());
            ws.send(JSON.stringify({ t: 'stop' }), (err) => err && resolve());
          }),
      );
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(waits), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    },
    finish() {
      finished ??= (async () => {
        clearInterval(poll);
        for (const ws of wss.clients) ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await new Promise<void>((resolve) => server.close(() => resolve()));
        spoolReader.read(true);
        removeCollectorDir(dir);
        // Every output and the analysis see frames at their original places (README: TypeScript and source maps).
        return applySourceMaps(assembler.finish(Date.now())).recording;
      })();
      return finished;
    },
  };
}

/** statfs of the directory (Node 18.15+): the space an unprivileged writer may still use. */
function freeSpace(dir: string): SpoolSpace | undefined {
  const statfs = (fs as { statfsSync?: (p: string) => { bavail: number; bsize: number } }).statfsSync;
  if (!statfs) return undefined;
  try {
    const s = statfs(dir);
    return { place: path.dirname(dir), freeBytes: s.bavail * s.bsize };
  } catch {
    return undefined;
  }
}

/**
 * Removes the socket and spool directory. A child that was booting when recording stopped may
 * still create its spool file during the removal (ENOTEMPTY), so it is retried; if it still fails,
 * the recording is kept and the leftover is reported rather than thrown.
 */
function removeCollectorDir(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  } catch (error) {
    process.emitWarning(`wspy could not remove its temporary directory ${dir}: ${(error as Error).message}`);
  }
}
