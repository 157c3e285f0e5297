// Launch mode: run a command with the agent preloaded and record it (and, with -s, its descendants)
// until it exits, the duration elapses, or wspy gets SIGINT/SIGTERM. The command's stdio, signals
// and exit code pass through; the recording is written whatever ends it.

import { ChildProcess, spawn } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { Collector, startCollector } from '../collector/ingest';
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
    // The first signal is passed on; a command that ignores it is killed by the next one.
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signals++ > 0) return forward(child, 'SIGKILL');
      if (state.endedBy === 'exit') {
        status.stop();
        log.info(`${signal}: stopping the recording and passing ${signal} on to ${path.basename(command[0])}`);
      }
      state.endedBy = 'signal';
      forward(child, signal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    status.start(collector, () => onSignal('SIGINT'));
    void exited.then(() => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
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
