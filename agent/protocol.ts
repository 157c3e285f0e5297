// The messages an agent sends to the collector, over ws or through the spool directory.
// Every message is one JSON object; over ws one message per frame, in the spool one per line.
// Chunks are self-contained (they carry their own frame list) so that a lost or reordered
// chunk never corrupts another one, and the spool and the socket can be mixed freely.

import type { StackDump } from './stack-dump';

/** Environment variable through which the CLI hands its configuration to every agent. */
export const AGENT_ENV = 'WSPY_AGENT';

/** What the CLI passes to the agent (JSON in the WSPY_AGENT environment variable). */
export interface AgentConfig {
  /** Unix socket of the collector's ws server. */
  socket: string;
  /** Random per-recording token; the collector refuses connections without it. */
  token: string;
  /** Private directory where agents write what they cannot send (boot hello, exit flush). */
  spool: string;
  /** Sampling interval in microseconds. */
  intervalUs: number;
  /** Follow descendant processes (py-spy's --subprocesses). */
  follow: boolean;
  /** Directory holding @datadog/pprof's prebuilt native bindings. */
  bindings: string;
  /** Absolute path of the agent's own bundle, to re-inject into children with an explicit env. */
  agent: string;
  /** Absolute path of the streaming module (ws client), loaded only once a process lives long enough. */
  stream: string;
  /** Milliseconds between chunks; also the delay before a process first connects. */
  chunkMs: number;
  /**
   * Pid of the wspy process that runs the collector. An agent that finds it gone (wspy was
   * SIGKILLed and could not clean up) writes nothing more and removes the dead recording's files.
   */
  collectorPid?: number;
}

/**
 * Set on the messages of an agent that runs in a worker thread: the thread's id
 * (worker_threads.threadId). The collector records the thread as its own node under its process.
 */
export interface FromThread {
  thread?: number;
}

/** A frame as the agent sees it: [function name, script, line, column] (1-based line and column, 0 when unknown). */
export type WireFrame = [string, string, number, number];

export interface HelloMessage extends FromThread {
  t: 'hello';
  pid: number;
  ppid: number;
  argv: string[];
  execArgv: string[];
  cwd: string;
  node: string;
  /** Process start time, ms since the epoch. */
  start: number;
  /** Set when the agent could not sample (unsupported Node ABI, binding failed to load, ...). */
  error?: string;
  /**
   * Launch mode only: the process's CPU time (user + system, µs, `process.cpuUsage()`) before the
   * agent ran, i.e. spawn and Node's bootstrap, which no sample sees.
   */
  bootCpuUs?: number;
}

/**
 * The main thread's CPU readings, on chunks and on its exit: the process's CPU time (µs, user +
 * system) now and when the profiler started (CPU between the two is what the samples stand for),
 * and the IPC messages (`process.on('message')` deliveries: jobs, for most pools) received so far.
 * `profilerCpuUs`: the part of that CPU which V8's profiler thread used since sampling started
 * (Linux), the profiler's own cost: the collector keeps it with the agent's, out of the samples'.
 */
export interface CpuReadings {
  cpuUs?: number;
  sampleCpuUs?: number;
  profilerCpuUs?: number;
  messages?: number;
}

/**
 * What the agent could not write to its spool so far (a running total: the collector keeps the
 * largest): messages, the chunks among them and their samples, bytes, and the write's error code.
 * Sent on chunks, exits and byes when anything was lost, and in a loss marker file (recording-dir.ts).
 */
export interface SpoolLoss {
  messages: number;
  chunks: number;
  samples: number;
  bytes: number;
  code: string;
}

/** Set on a chunk, exit or bye once some of the agent's spool writes failed. */
export interface ReportsLoss {
  lost?: SpoolLoss;
}

export interface ChunkMessage extends FromThread, CpuReadings, ReportsLoss {
  t: 'chunk';
  pid: number;
  seq: number;
  /** Window covered by the chunk, ms since the epoch. */
  start: number;
  end: number;
  frames: WireFrame[];
  /**
   * The sampled call tree in preorder, three numbers per node: parent node index (-1 for a child of
   * the root), frame index into `frames`, and the number of samples whose leaf is this node.
   */
  nodes: number[];
}

/** A child process that this process started (Node or not). */
export interface SpawnMessage {
  t: 'spawn';
  pid: number;
  child: number;
  argv: string[];
  time: number;
}

/** A process ended: sent by the process itself at exit, or by its parent that saw it end. */
export interface ExitMessage extends FromThread, CpuReadings, ReportsLoss {
  t: 'exit';
  pid: number;
  /** The process whose end is reported (pid itself, or a child of pid). */
  of: number;
  code: number | null;
  signal: string | null;
  time: number;
  /**
   * Only from the process's own exit flush: CPU ms the agent spent where V8's profiler could not
   * sample it (its boot before sampling started, its final stop and encode).
   */
  agentCpuMs?: number;
}

/** The agent stopped sampling and unhooked itself (after a stop command, or after losing the collector). */
export interface ByeMessage extends FromThread, ReportsLoss {
  t: 'bye';
  pid: number;
  time: number;
  reason: string;
  /** As on ExitMessage: the agent's own unsampled CPU ms, when the agent knows it. */
  agentCpuMs?: number;
}

/**
 * The process created a job-queue worker (BullMQ's `new Worker`, Bull's `queue.process`). Written
 * straight to the spool, where both the collector and `wspy ps` read it; sent again for every
 * worker, so readers treat it as a set.
 */
export interface QueueMessage {
  t: 'queue';
  pid: number;
  queue: string;
  /** The Redis key prefix of the queue (`bull` unless the application chose another). */
  prefix: string;
  kind: 'bullmq' | 'bull';
  time: number;
}

/**
 * The process started a worker thread (sent by the thread that created it). The thread's own agent,
 * when it has one, says hello with the same `thread`; a thread that never does was not sampled.
 */
export interface ThreadMessage {
  t: 'thread';
  pid: number;
  thread: number;
  time: number;
}

export type AgentMessage = HelloMessage | ChunkMessage | SpawnMessage | ExitMessage | ByeMessage | QueueMessage | ThreadMessage;

/** What the collector may send to an agent. Agents treat anything else as noise. */
export interface StopCommand {
  t: 'stop';
}

/**
 * What wspy sends a prepared process's dormant agent (agent/dormant.ts), as one JSON line on its
 * Unix socket: the collector to report to. The code paths in `config` are ignored; the dormant
 * agent loads the full agent from its own installation.
 */
export interface ActivateRequest {
  t: 'activate';
  config: AgentConfig;
}

/** The dormant agent's one-line answer; the connection closes after it. */
export type ActivateReply =
  /** The full agent runs and samples; `ms` from reading the request to sampling and connecting. */
  | { t: 'activated'; pid: number; node: string; ms: number }
  /** An agent already runs in this process (another recording, or this one's followed child). */
  | { t: 'busy'; pid: number }
  | { t: 'refused'; pid: number; reason: string };

/**
 * What `wspy dump` sends a prepared process's dormant socket. The listener thread answers it
 * (agent/listener-thread.ts) without the main thread's event loop, so a stuck process answers too.
 */
export interface DumpRequest {
  t: 'dump';
}

/** The answer: the main thread's stack, innermost frame first (none when it was idle). */
export type DumpReply = { t: 'stack' } & StackDump;
