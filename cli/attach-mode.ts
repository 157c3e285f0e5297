// Attach mode: record a process that is already running (and with -s its descendants, those
// running now and those it starts while recording) until the duration elapses, wspy gets
// SIGINT/SIGTERM, or the target exits. Then the agents detach and the target runs on as before.
// Signals are never passed to the target: it is not ours.

import { attachProcess, attachTree, Attached, AttachOptions, INSPECTOR_WINDOW_MS, RouteOutcome } from '../collector/attach';
import { describeProcess, isAlive } from '../collector/proc';
import { startCollector } from '../collector/ingest';
import { warnIfSpoolDiskLow } from './data-lost';
import { Recording } from '../collector/model';
import { RecordSettings } from './record-config';
import { LiveView, StatusLine } from './status';
import * as log from './log';

export interface AttachModeResult {
  recording: Recording;
  endedBy: 'duration' | 'signal' | 'exit';
}

const TARGET_POLL_MS = 200;
const STOP_GRACE_MS = 3000;

/** `view` replaces the status line (wspy top); its requestStop ends the recording like SIGINT. */
export async function recordAttached(pids: number[], config: RecordSettings, view?: LiveView): Promise<AttachModeResult> {
  const started = Date.now();
  const described = pids.map(describeProcess).join(', ');
  const collector = await startCollector({
    intervalUs: Math.round(1e6 / config.rateHz),
    follow: config.subprocesses,
    idle: config.idle,
    title: config.title ?? `pid ${described}`,
    source: 'attach',
  });
  warnIfSpoolDiskLow(collector);

  const stopWaiting = new AbortController();
  const opts = { ...attachOptions(config), stopWaiting: stopWaiting.signal };
  const pending: Array<Promise<RouteOutcome[]>> = [];
  const note = (outcome: RouteOutcome, results: Attached[], skipped: Array<{ pid: number; skipped: string }>): void => {
    if ('result' in outcome) results.push(outcome.result);
    else if ('error' in outcome) collector.addError(outcome.pid, `not attached: ${outcome.error.message}`);
    else skipped.push(outcome);
  };
  try {
    const results: Attached[] = [];
    const skipped: Array<{ pid: number; skipped: string }> = [];
    for (const pid of pids) {
      if (config.subprocesses) {
        const tree = await attachTree(pid, collector.agentConfig, opts);
        for (const outcome of tree.outcomes) note(outcome, results, skipped);
        pending.push(tree.pending);
      } else {
        results.push(await attachProcess(pid, collector.agentConfig, opts));
      }
    }
    if (skipped.length > 0) {
      log.info(`not signalled: ${skipped.length} process${skipped.length === 1 ? '' : 'es'} (${skipped.map((s) => s.pid).join(', ')}): ${skipped[0].skipped}`);
    }
    log.info(`attached to ${results.length} process${results.length === 1 ? '' : 'es'} in ${Date.now() - started} ms ${howAttached(results)}: ${described}`);
  } catch (err) {
    // Nothing was recorded if the first target could not be attached; detach what was.
    stopWaiting.abort();
    await collector.stopAgents(STOP_GRACE_MS);
    await collector.finish();
    throw err;
  }

  const status = view ?? new StatusLine(collector, config.durationS);
  const endedBy = await new Promise<AttachModeResult['endedBy']>((resolve) => {
    status.start(collector, () => resolve('signal'));
    // Kept installed until wspy exits: a second Ctrl-C must not kill wspy while it writes the report.
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) return log.info('still detaching and writing the report...');
      signalled = true;
      status.stop();
      log.info(`${signal}: stopping the recording and detaching (the target keeps running)`);
      resolve('signal');
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (config.durationS !== undefined) setTimeout(() => resolve('duration'), config.durationS * 1000).unref();
    const poll = setInterval(() => {
      if (!pids.some(isAlive)) resolve('exit');
    }, TARGET_POLL_MS);
    poll.unref();
  });
  status.stop();
  // Prepared children that were still too young to listen: stop waiting, and say what became of them.
  stopWaiting.abort();
  const late: Attached[] = [];
  for (const outcome of (await Promise.all(pending)).flat()) note(outcome, late, []);
  if (late.length > 0) log.info(`also activated ${late.length} prepared child process${late.length === 1 ? '' : 'es'} that ran when wspy attached`);
  if (endedBy === 'exit') log.info(`the target exited; writing what was recorded`);

  await collector.stopAgents(STOP_GRACE_MS);
  const recording = await collector.finish();
  recording.meta.command = pids.length === 1 ? recording.processes.find((p) => p.pid === pids[0])?.argv : undefined;
  if (!config.title) recording.meta.title = titleFor(recording, pids);
  return { recording, endedBy };
}

/** Said once, before the first SIGUSR1: what opening an inspector exposes, and for how long. */
function attachOptions(config: RecordSettings): AttachOptions {
  let said = false;
  return {
    allowRemoteInspector: config.allowRemoteInspector,
    onOpening: (pid, where) => {
      if (said) return;
      said = true;
      log.info(
        `process ${pid} is not prepared: opening its inspector on ${where.host}:${where.port === 0 ? '<random port>' : where.port}, ` +
          `where any local user can reach it for about ${INSPECTOR_WINDOW_MS} ms (prepare workers to avoid this: wspy agent-path)`,
      );
    },
  };
}

/** "(2 prepared, no inspector)" or "(inspector open 120 ms at most)", or both. */
function howAttached(results: Attached[]): string {
  const prepared = results.filter((r) => r.via === 'dormant').length;
  const opened = results.flatMap((r) => (r.via === 'inspector' ? [r.inspectorOpenMs] : []));
  const parts: string[] = [];
  if (prepared > 0) parts.push(`${prepared} prepared, no inspector`);
  if (opened.length > 0) parts.push(`inspector open ${Math.round(Math.max(...opened))} ms at most`);
  return `(${parts.join('; ')})`;
}

function titleFor(r: Recording, pids: number[]): string {
  const roots = pids.map((pid) => r.processes.find((p) => p.pid === pid)).filter((p) => p !== undefined);
  return roots.length > 0 ? roots.map((p) => `pid ${p!.pid}: ${p!.command}`).join(', ') : `pid ${pids.join(', ')}`;
}
