// Launch mode: run a command with the agent preloaded and record it (and, with -s, its descendants)
// until it exits, the duration elapses, or wspy gets SIGINT/SIGTERM. The command's stdio, signals
// and exit code pass through; the recording is written whatever ends it.

import { ChildProcess, spawn } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { Collector, startCollector } from '../collector/ingest';
import { warnIfSpoolDiskLow } from './data-lost';
import { processGroupsOf } from '../collector/proc';
import { Recording, UserError } from '../collector/model';
import { RecordSettings } from './record-config';
import { LiveView, StatusLine } from './status';
import * as log from './log';

export interface LaunchResult {
  recording: Recording;
  /** What wspy should exit with once the command is done: its exit code, or 128 + signal. */
  exitCode: Promise<number>;
  /** Why the recording ended, for the summary line. */
  endedBy: 'exit' | 'duration' | 'signal';
  /** The command still runs (after -d, or when it ignored the signal). */
  running(): boolean;
}

/** Signals that end the recording and are passed on to the command. */
const HANDLED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
/**
 * Signals a terminal sends to the whole foreground process group (Ctrl-C, Ctrl-\), as does `kill
 * -INT -<pgid>`, the usual way to stop a job: when the command is in that group it has its own copy,
 * and a second would read as "force quit". SIGTERM and SIGHUP usually come to wspy alone (kill, a
 * closing terminal's session leader), so they are always passed on.
 */
const GROUP_SIGNALS = new Set<NodeJS.Signals>(['SIGINT', 'SIGQUIT']);

/**
 * True when a SIGINT or SIGQUIT wspy got most likely reached the command too: the command is still in
 * wspy's process group, and that group is a job, either the terminal's foreground group or one wspy
 * leads (a shell makes each job's first process its group leader). wspy started as a plain child of
 * another program (a test, a supervisor) is not its group's leader: a signal then came to wspy alone.
 */
function groupGotIt(child: ChildProcess): boolean {
  const ours = processGroupsOf(process.pid);
  const theirs = child.pid === undefined ? undefined : processGroupsOf(child.pid);
  if (!ours || !theirs || theirs.group !== ours.group) return false;
  return ours.group === process.pid || ours.foreground === ours.group;
}

/** How long the launched process gets to exit after a forwarded signal before recording stops anyway. */
const SIGNAL_GRACE_MS = 3000;
/** How long descendants still streaming get, once the root has exited, to send their last chunk. */
const DESCENDANT_GRACE_MS = 1500;

/** Where the command runs; the recording's paths are shown relative to it. Default: wspy's own. */
export interface LaunchPlace {
  cwd?: string;
}

/** `view` replaces the status line (wspy top); its requestStop ends the recording as a SIGINT to wspy would. */
export async function recordLaunch(command: string[], config: RecordSettings, place: LaunchPlace = {}, view?: LiveView): Promise<LaunchResult> {
  const collector = await startCollector({
    cwd: place.cwd,
    intervalUs: Math.round(1e6 / config.rateHz),
    follow: config.subprocesses,
    idle: config.idle,
    title: config.title ?? command.join(' '),
    command,
    source: 'record',
  });
  warnIfSpoolDiskLow(collector);

  let child: ChildProcess;
  try {
    child = spawn(command[0], command.slice(1), { stdio: 'inherit', env: collector.agentEnv(), cwd: place.cwd });
  } catch (err) {
    await collector.finish();
    throw new UserError(`cannot run ${command[0]}: ${(err as Error).message}`);
  }
  const status = view ?? new StatusLine(collector, config.durationS);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));

  // Set from callbacks, so kept in an object that the compiler does not narrow.
  const state: { endedBy: LaunchResult['endedBy'] } = { endedBy: 'exit' };
  const stopRequested = new Promise<void>((resolve) => {
    // The first signal is passed on, unless the command got it already; a command that ignores it
    // is killed by the next one.
    let signals = 0;
    // `requested`: the view's own stop key (wspy top's q), which no process group received.
    const stop = (signal: NodeJS.Signals, requested: boolean) => {
      if (signals++ > 0) return forward(child, 'SIGKILL');
      const already = !requested && GROUP_SIGNALS.has(signal) && groupGotIt(child);
      if (state.endedBy === 'exit') {
        status.stop();
        const name = path.basename(command[0]);
        log.info(`${signal}: stopping the recording and ${already ? `letting ${name} handle the ${signal} it got too` : `passing ${signal} on to ${name}`}`);
      }
      state.endedBy = 'signal';
      if (!already) forward(child, signal);
      resolve();
    };
    const onSignal = (signal: NodeJS.Signals) => stop(signal, false);
    for (const signal of HANDLED_SIGNALS) process.on(signal, onSignal);
    status.start(collector, () => stop('SIGINT', true));
    void exited.then(() => {
      for (const signal of HANDLED_SIGNALS) process.off(signal, onSignal);
    });
    if (config.durationS !== undefined) {
      setTimeout(() => {
        if (state.endedBy === 'exit') state.endedBy = 'duration';
        resolve();
      }, config.durationS * 1000).unref();
    }
  });

  const first = await Promise.race([
    exited.then(() => 'exit' as const),
    stopRequested.then(() => 'stop' as const),
    spawnFailed.then((err) => err),
  ]);
  if (first instanceof Error) {
    status.stop();
    await collector.finish();
    const code = (first as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT' ? `command not found: ${command[0]} (check the spelling and your PATH)` : `cannot run ${command[0]}: ${first.message}`,
    );
  }
  if (first === 'stop' && state.endedBy === 'signal') await Promise.race([exited, sleep(SIGNAL_GRACE_MS)]);
  status.stop();

  // Long-lived agents (the root if it runs on, descendants) send their last chunk and unhook.
  await collector.stopAgents(first === 'exit' ? DESCENDANT_GRACE_MS : SIGNAL_GRACE_MS);
  const recording = await finishWithRoot(collector, child);

  const exitCode = exited.then(({ code, signal }) => (code !== null ? code : 128 + signalNumber(signal)));
  const running = () => child.exitCode === null && child.signalCode === null;
  return { recording, exitCode, endedBy: first === 'exit' ? 'exit' : state.endedBy, running };
}

/** Closes the recording, adding what wspy itself saw of the launched process's end. */
async function finishWithRoot(collector: Collector, child: ChildProcess): Promise<Recording> {
  const recording = await collector.finish();
  const root = recording.processes.find((p) => p.pid === child.pid);
  if (root && child.exitCode !== null) root.exitCode = child.exitCode;
  if (root && child.signalCode !== null) root.signal = child.signalCode;
  return recording;
}

function forward(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  } catch {
    // The child is already gone: nothing to pass on.
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const n = signal ? os.constants.signals[signal] : undefined;
  return n ?? 1;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
