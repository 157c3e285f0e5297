// The in-process agent, bundled into dist/bundles/agent.js and loaded with --require (launch mode,
// and every followed child) or injected into a running process (attach mode: start(config, {attached})).
//
// Boot is kept to what every fork must pay for: the native sampler, one synchronous spool append
// (hello) and an exit listener that flushes synchronously. V8's profiler starts last, so that its
// start-up (a walk over every code object V8 has) samples and slows none of the other steps. Only a process that lives one chunk
// interval loads ws (stream.ts) and streams chunks; child_process is patched only once the
// application loads it. Nothing here may throw into the host program or keep it alive.
import * as fs from 'fs';
import { agentConfigFromEnv, putAgentInOwnEnv, removeAgentFromOwnEnv, restoreAgentVariables, type AgentVariables } from './environment';
import { LISTENER_THREAD } from './dormant-dir';
import { ChildFollower } from './follow';
import { cpuNowUs, MessageCounter } from './jobs';
import { encodeChunk } from './encode';
import type { AgentConfig, AgentMessage, ByeMessage, ChunkMessage, CpuReadings, ExitMessage, HelloMessage, ReportsLoss } from './protocol';
import { recordingDirOf } from './recording-dir';
import { loadSampler, type LoadedSampler, type Sampler } from './sampler';
import { Spool } from './spool';
import { configFromMainThread, threadEntry, workerThreadId } from './thread';
import { flushBeforeBlocking, type BlockingWaitHook } from './blocking-wait';
import type { StreamLink, connectStream } from './stream';

export interface StartOptions {
  /** Injected into a process that was already running (attach mode) rather than loaded at its boot. */
  attached?: boolean;
}

/**
 * Chunk interval of a worker thread at most. worker.terminate() (Piscina's destroy, a pool shrinking)
 * stops a thread with no exit event, so whatever it sampled since its last chunk is lost: short
 * chunks bound that loss. Threads are few and long-lived, so the extra chunks cost little.
 */
const THREAD_CHUNK_MS = 250;
/** A worker thread about to block with no timeout sends what it sampled if this old (agent/blocking-wait.ts). */
const THREAD_FLUSH_BEFORE_WAIT_MS = 50;

/** Delay before an attached agent's first chunk (later chunks follow every chunkMs). */
const FIRST_ATTACHED_CHUNK_MS = 50;

/** Shared by every copy of the bundle in the process, so that only one agent ever runs. */
const RUNNING = Symbol.for('wspy.agent.running');
type Global = { [RUNNING]?: Agent };

class Agent {
  private readonly pid = process.pid;
  private sampler: Sampler | undefined;
  private seq = 0;
  private windowStart = Date.now();
  private hello: HelloMessage | undefined;
  private link: StreamLink | undefined;
  private streamTried = false;
  private timer: NodeJS.Timeout | undefined;
  private follower: ChildFollower | undefined;
  /** Sent over ws but not yet known to have left the process; spooled at exit just in case. */
  private readonly unconfirmed = new Set<AgentMessage>();
  private finished = false;
  /** A worker thread's hello names its script once it has loaded; until then it is unknown. */
  private entrySent = false;
  private envBefore: AgentVariables | undefined;
  private readonly chunkMs: number;
  /** This thread's spool file, and the count of what could not be written to it. */
  private readonly spool: Spool;
  private blockingWait: BlockingWaitHook | undefined;
  private readonly onExit = (code: number): void => this.flushAtExit(code);
  /**
   * CPU the agent itself used while V8's profiler could not see it (boot before sampling starts,
   * the final stop and encode), in µs: reported as agentCpuMs so the report can show it.
   */
  private unsampledCpuUs = 0;
  private readonly messages = new MessageCounter();
  /** The process's CPU (µs) when the profiler started: what the samples stand for begins here. */
  private sampleCpuUs: number | undefined;
  /** Node's process 'worker' event: every worker thread started here, and how it ended. */
  private readonly onWorker = (worker: import('worker_threads').Worker): void => guard(() => this.reportThread(worker));

  constructor(
    private readonly config: AgentConfig,
    private readonly attached: boolean,
    /** The worker thread this agent samples; undefined on the main thread. */
    private readonly thread: number | undefined,
  ) {
    this.chunkMs = thread === undefined ? config.chunkMs : Math.min(config.chunkMs, THREAD_CHUNK_MS);
    this.spool = new Spool(config.spool, this.pid, thread);
  }

  begin(): void {
    // CPU before the agent ran (spawn, Node's bootstrap) is what no sample sees; CPU after sampling
    // starts is what the samples stand for. Attached, "before" is the process's whole past: not sent.
    // process.cpuUsage() is the whole process's: only the main thread's agent reports it.
    const main = this.thread === undefined;
    const cpu0 = process.cpuUsage();
    const bootCpuUs = this.attached || !main ? undefined : cpu0.user + cpu0.system;
    let error: string | undefined;
    let loaded: LoadedSampler | undefined;
    try {
      loaded = loadSampler(this.config.bindings, this.config.intervalUs, this.thread === undefined);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    this.hello = this.stamp({
      t: 'hello',
      pid: this.pid,
      ppid: process.ppid,
      argv: this.thread === undefined ? process.argv.slice() : [process.execPath],
      execArgv: process.execArgv.slice(),
      cwd: safeCwd(),
      node: process.version,
      start: Math.round(Date.now() - process.uptime() * 1000),
      ...(error !== undefined ? { error } : {}),
      ...(bootCpuUs !== undefined ? { bootCpuUs } : {}),
    });
    if (collectorGone(this.config) || (!this.spool.append(this.hello) && this.spool.gone)) {
      // No spool (or no wspy left to read it) means the recording this environment points at is
      // over (or never was): sample nothing, and make sure this process's children do not try either.
      // A full disk is not that: the hello is counted as lost, and the process is sampled all the
      // same (over ws once it lives long enough, and its loss is reported).
      this.finished = true;
      guard(() => removeAgentFromOwnEnv(this.config.agent));
      const g = globalThis as Global;
      if (g[RUNNING] === this) delete g[RUNNING];
      return;
    }
    // Children and queues are the main thread's to follow: a worker shares its process's environment.
    if (this.thread === undefined) {
      this.prepareEnv();
      // Always watched, for the queues a process works for; spawn is patched only with follow.
      this.follower = new ChildFollower(this.config, (m) => this.send(m), (m) => this.spool.append(m));
      if (this.attached) this.follower.patchNow();
      else this.follower.watchLoads();
      guard(() => this.messages.install());
    }
    process.prependListener('exit', this.onExit);
    process.on('worker', this.onWorker);
    if (this.thread !== undefined) {
      this.blockingWait = flushBeforeBlocking(() => this.tick(false), () => this.windowStart, THREAD_FLUSH_BEFORE_WAIT_MS, this.chunkMs);
    }
    // Attached: connect at once, but after start() has returned, so that whoever started the agent
    // (the dormant agent's answer to wspy, the injected timer) does not wait for ws to load.
    if (this.attached) setImmediate(() => guard(() => !this.streamTried && !this.finished && this.goLong()));
    // An attached agent sends a first chunk soon, so that wspy knows at once that sampling works.
    this.schedule(this.attached ? Math.min(FIRST_ATTACHED_CHUNK_MS, this.chunkMs) : this.chunkMs);
    // Last: from here on the profiler samples the application (and the agent, in its own frames).
    guard(() => {
      this.sampler = loaded?.start();
    });
    this.windowStart = Date.now();
    this.unsampledCpuUs += cpuUsSince(cpu0);
    if (main) this.sampleCpuUs = cpuNowUs();
  }

  /** Final chunk and bye (over ws when possible), then unhook; the program carries on. */
  finish(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    if (collectorGone(this.config)) {
      // wspy was killed: nobody will read a last chunk. Stop sampling and clear up its leftovers.
      guard(() => this.sampler?.collect(false));
      this.sampler = undefined;
      this.unconfirmed.clear();
      this.unhook();
      guard(() => removeDeadRecording(this.config));
      return;
    }
    const cpu0 = process.cpuUsage();
    this.sendChunk(false);
    this.unsampledCpuUs += cpuUsSince(cpu0);
    this.send(this.stamp({ t: 'bye', pid: this.pid, time: Date.now(), reason, ...this.agentCpu(), ...this.loss() }));
    this.unhook();
  }

  private schedule(delayMs = this.chunkMs): void {
    if (this.finished) return;
    this.timer = setTimeout(() => this.tick(), delayMs);
    this.timer.unref();
  }

  private tick(reschedule = true): void {
    guard(() => {
      if (!this.streamTried) this.goLong();
      this.sendChunk(true);
    });
    if (!reschedule) return;
    this.schedule();
  }

  /** The process lives long enough to be worth a connection and the child_process patch. */
  private goLong(): void {
    this.streamTried = true;
    guard(() => this.follower?.patchNow());
    guard(() => {
      const stream = require(this.config.stream) as { connectStream: typeof connectStream };
      this.link = stream.connectStream(this.config, {
        onOpen: () => guard(() => this.hello && this.send(this.hello)),
        onStop: () => guard(() => this.finish('stopped by wspy')),
        onGone: (why) => guard(() => this.finish(why)),
      });
    });
  }

  private sendChunk(restart: boolean): void {
    const sampler = this.sampler;
    if (!sampler) return;
    const readings = this.cpuReadings();
    if (!restart) this.sampler = undefined;
    const end = Date.now();
    const chunk = encodeChunk(sampler.collect(restart), { pid: this.pid, seq: this.seq, start: this.windowStart, end });
    this.windowStart = end;
    if (!chunk) return;
    Object.assign(chunk, readings, this.loss());
    this.seq++;
    const entry = this.entryHello();
    if (entry) this.send(entry);
    this.send(this.stamp(chunk));
  }

  /**
   * Reports a worker thread this thread started, and its end: a thread terminated with
   * worker.terminate() gets no exit event of its own, and one that loaded no agent says nothing.
   */
  private reportThread(worker: import('worker_threads').Worker): void {
    const thread = worker.threadId;
    // The dormant agent's listener thread (agent/dormant-dir.ts LISTENER_THREAD) is wspy's, not the program's.
    if (thread === (globalThis as Record<symbol, unknown>)[LISTENER_THREAD]) return;
    this.send({ t: 'thread', pid: this.pid, thread, time: Date.now() });
    worker.once('exit', (code: number) =>
      guard(() => !this.finished && this.send({ t: 'exit', pid: this.pid, of: this.pid, thread, code, signal: null, time: Date.now() })),
    );
  }

  /** Marks a message as this worker thread's (no change on the main thread). */
  private stamp<T extends HelloMessage | ChunkMessage | ExitMessage | ByeMessage>(m: T): T {
    if (this.thread !== undefined) m.thread = this.thread;
    return m;
  }

  /** A worker thread's hello again, now naming its script, the first time it is known. */
  private entryHello(): HelloMessage | undefined {
    if (this.thread === undefined || this.entrySent || !this.hello) return undefined;
    const entry = threadEntry();
    if (!entry) return undefined;
    this.entrySent = true;
    this.hello = { ...this.hello, argv: [process.execPath, entry] };
    return this.hello;
  }

  private send(message: AgentMessage): void {
    const link = this.link;
    if (link) {
      this.unconfirmed.add(message);
      const sent = link.send(message, (ok) => {
        this.unconfirmed.delete(message);
        if (!ok) this.spool.append(message);
      });
      if (sent) return;
      this.unconfirmed.delete(message);
    }
    this.spool.append(message);
  }

  private flushAtExit(code: number): void {
    if (this.finished) return;
    this.finished = true;
    if (collectorGone(this.config)) return;
    const cpu0 = process.cpuUsage();
    // Handed to the socket already and most likely arrived: spooled again, but not counted if that fails.
    guard(() => this.spool.appendMaybeSent(...this.unconfirmed));
    const messages: AgentMessage[] = [];
    // Read before encoding the last chunk, so that the agent's own exit work is not counted as the program's.
    const readings = this.cpuReadings();
    guard(() => {
      const sampler = this.sampler;
      this.sampler = undefined;
      const end = Date.now();
      const chunk = sampler && encodeChunk(sampler.collect(false), { pid: this.pid, seq: this.seq, start: this.windowStart, end });
      const entry = this.entryHello();
      if (entry) messages.push(entry);
      if (chunk) messages.push(this.stamp({ ...chunk, ...readings, ...this.loss() }));
    });
    const exitCode = typeof code === 'number' ? code : null;
    this.unsampledCpuUs += cpuUsSince(cpu0);
    messages.push(this.stamp({ t: 'exit', pid: this.pid, of: this.pid, code: exitCode, signal: null, time: Date.now(), ...readings, ...this.agentCpu(), ...this.loss() }));
    // A failure here is counted and the loss marker written; one that failed earlier is tried again.
    guard(() => this.spool.append(...messages));
    guard(() => this.spool.retryMarker());
  }

  /**
   * The main thread's CPU readings (µs): now, when the profiler started, and what V8's profiler
   * thread used; with the IPC messages received so far. None from a worker thread:
   * process.cpuUsage() counts every thread.
   */
  private cpuReadings(): CpuReadings {
    if (this.thread !== undefined) return {};
    const profilerCpuUs = this.sampler?.profilerCpuUs();
    return {
      cpuUs: cpuNowUs(),
      ...(this.sampleCpuUs !== undefined ? { sampleCpuUs: this.sampleCpuUs } : {}),
      ...(profilerCpuUs !== undefined ? { profilerCpuUs: Math.round(profilerCpuUs) } : {}),
      messages: this.messages.count,
    };
  }

  /** `lost` for a chunk, exit or bye, once some spool write failed. */
  private loss(): ReportsLoss {
    const lost = this.spool.lost;
    return lost ? { lost } : {};
  }

  /** agentCpuMs for the exit or bye; the main thread's only, since process.cpuUsage() counts every thread. */
  private agentCpu(): { agentCpuMs?: number } {
    return this.thread === undefined ? { agentCpuMs: Math.round(this.unsampledCpuUs) / 1000 } : {};
  }

  /**
   * Launch mode: children inherit NODE_OPTIONS and WSPY_AGENT; without follow they must not.
   * Attach mode with follow: put them in place so that future children load the agent.
   */
  private prepareEnv(): void {
    if (!this.attached) {
      if (!this.config.follow) removeAgentFromOwnEnv(this.config.agent);
      return;
    }
    if (this.config.follow) this.envBefore = putAgentInOwnEnv(this.config);
  }

  private restoreEnv(): void {
    const before = this.envBefore;
    // Launch mode: children started after a stop have no collector to talk to.
    if (before) restoreAgentVariables(before);
    else removeAgentFromOwnEnv(this.config.agent);
  }

  private unhook(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    guard(() => this.blockingWait?.undo());
    this.blockingWait = undefined;
    guard(() => this.messages.undo());
    guard(() => this.follower?.undo());
    process.removeListener('exit', this.onExit);
    process.removeListener('worker', this.onWorker);
    if (this.thread === undefined) guard(() => this.restoreEnv());
    guard(() => this.link?.close());
    this.link = undefined;
    const g = globalThis as Global;
    if (g[RUNNING] === this) delete g[RUNNING];
  }
}

/** Starts sampling this process and streaming to the collector described by `config`. Never throws. */
export function start(config: AgentConfig, opts: StartOptions = {}): void {
  guard(() => {
    const g = globalThis as Global;
    if (g[RUNNING] || !isUsableConfig(config)) return;
    const agent = new Agent(config, opts.attached === true, workerThreadId());
    g[RUNNING] = agent;
    agent.begin();
  });
}

/** Stops sampling, sends the last chunk and a bye, and removes every hook the agent installed. */
export function stop(reason = 'stopped'): void {
  guard(() => (globalThis as Global)[RUNNING]?.finish(reason));
}

function isUsableConfig(c: AgentConfig): boolean {
  return (
    !!c &&
    typeof c === 'object' &&
    typeof c.spool === 'string' &&
    typeof c.bindings === 'string' &&
    typeof c.stream === 'string' &&
    typeof c.agent === 'string' &&
    c.intervalUs > 0 &&
    c.chunkMs > 0
  );
}

/** True only when the collector's wspy process certainly no longer exists (ESRCH; EPERM means it does). */
function collectorGone(config: AgentConfig): boolean {
  if (typeof config.collectorPid !== 'number') return false;
  try {
    process.kill(config.collectorPid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * What a SIGKILLed wspy left: its spool, socket and private directory. Only when they sit together
 * as the collector made them; rmdir refuses a directory that holds anything else.
 */
function removeDeadRecording(config: AgentConfig): void {
  const dir = recordingDirOf(config.socket, config.spool);
  if (!dir) return;
  fs.rmSync(config.spool, { recursive: true, force: true });
  fs.rmSync(config.socket, { force: true });
  fs.rmdirSync(dir);
}

/** User + system CPU of the whole process since `from`, in µs (the agent runs on the main thread). */
function cpuUsSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return d.user + d.system;
}

function safeCwd(): string {
  try {
    return process.cwd();
  } catch {
    return '';
  }
}

function guard(fn: () => unknown): void {
  try {
    fn();
  } catch {
    // The agent must never throw into the program it observes.
  }
}

// Launch mode: the CLI put the configuration in the environment (a worker thread gets it from its
// process's agent); start before the application's first line.
const fromEnv = configFromMainThread() ?? agentConfigFromEnv();
if (fromEnv) {
  guard(() => start(JSON.parse(fromEnv) as AgentConfig));
}
