// Which processes on this machine run a wspy agent right now, and which queues their agents saw
// them work for, read from the spools of the recordings in progress. Every agent appends its hello
// to `<tmp>/wspy-*/spool/<pid>.jsonl` when it starts (launch and attach alike) and a queue message
// when the process creates a BullMQ or Bull worker (agent/queues.ts). A recording that ends removes
// its directory, so nothing is registered and nothing is left behind; a recording whose wspy died
// is recognised by its collector socket, which no longer appears in /proc/net/unix.
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isRecordingDirName, recordingBase, recordingPaths, SHORT_TEMP_DIR, spoolFile, spoolFilePid } from '../../agent/recording-dir';

export interface AgentQueue {
  queue: string;
  prefix: string;
  kind: 'bullmq' | 'bull';
}

export interface RunningAgent {
  pid: number;
  /** When the agent's process started (ms since the epoch), as its hello said. */
  processStart: number;
  /** The recording's private directory. */
  recording: string;
  queues: AgentQueue[];
}

const MAX_SPOOL_READ = 16 * 1024 * 1024;
const HELLO = '{"t":"hello"';
const QUEUE = '{"t":"queue"';

/** Agents of live recordings under `tmpDir`, by pid. Directories of other users wspy may not read are skipped. */
export function runningAgents(tmpDir = os.tmpdir()): Map<number, RunningAgent> {
  const agents = new Map<number, RunningAgent>();
  // A recording whose TMPDIR was too long for its socket lives in the short fallback (recording-dir.ts).
  const dirs: string[] = [];
  for (const base of new Set([tmpDir, recordingBase(tmpDir), SHORT_TEMP_DIR])) {
    try {
      for (const name of readdirSync(base)) if (isRecordingDirName(name)) dirs.push(path.join(base, name));
    } catch {
      // an unreadable or missing base holds no recording of ours
    }
  }
  const liveSockets = boundUnixSockets();
  for (const dir of dirs) {
    const recording = recordingPaths(dir);
    if (!liveSockets.has(recording.socket)) continue;
    let files: string[];
    try {
      files = readdirSync(recording.spool);
    } catch {
      continue;
    }
    for (const file of files) {
      const pid = spoolFilePid(file);
      if (pid === undefined) continue;
      const agent = readSpoolFile(spoolFile(recording.spool, pid), pid, recording.dir);
      if (agent && !agents.has(agent.pid)) agents.set(agent.pid, agent);
    }
  }
  return agents;
}

function readSpoolFile(file: string, pid: number, recording: string): RunningAgent | undefined {
  let text: string;
  try {
    const size = Math.min(statSync(file).size, MAX_SPOOL_READ);
    const buffer = Buffer.alloc(size);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, size, 0);
    } finally {
      closeSync(fd);
    }
    text = buffer.toString('utf8');
  } catch {
    return undefined;
  }
  let processStart: number | undefined;
  let ended = false;
  const queues: AgentQueue[] = [];
  for (const line of text.split('\n')) {
    // Chunks make up most of a spool; only these lines are parsed.
    if (line.startsWith(HELLO)) {
      const hello = parse(line);
      if (hello && typeof hello.start === 'number') processStart = hello.start;
    } else if (line.startsWith(QUEUE)) {
      const m = parse(line);
      if (m && typeof m.queue === 'string' && typeof m.prefix === 'string' && (m.kind === 'bullmq' || m.kind === 'bull')) {
        if (!queues.some((q) => q.queue === m.queue && q.prefix === m.prefix && q.kind === m.kind)) {
          queues.push({ queue: m.queue, prefix: m.prefix, kind: m.kind });
        }
      }
    } else if (line.startsWith('{"t":"exit"') && line.includes(`"of":${pid},`)) {
      ended = true;
    }
  }
  if (processStart === undefined || ended) return undefined;
  return { pid, processStart, recording, queues };
}

function parse(line: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Paths of the unix sockets bound on this machine (a collector's socket is listed while its wspy runs). */
function boundUnixSockets(): Set<string> {
  const paths = new Set<string>();
  try {
    for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length >= 8) paths.add(fields.slice(7).join(' '));
    }
  } catch {
    // no /proc/net/unix: no live recording can be told from a dead one
  }
  return paths;
}
