// Attach mode: record a process that is already running (and with -s its descendants, those
// running now and those it starts while recording) until the duration elapses, wspy gets
// SIGINT/SIGTERM, or the target exits. Then the agents detach and the target runs on as before.
// Signals are never passed to the target: it is not ours.

import { attach, attachWithDescendants, AttachResult } from '../collector/attach';
import { describeProcess, isAlive } from '../collector/proc';
import { startCollector } from '../collector/ingest';
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

  try {
    const results: AttachResult[] = [];
    for (const pid of pids) {
      if (config.subprocesses) {
        for (const outcome of await attachWithDescendants(pid, collector.agentConfig)) {
          if ('result' in outcome) results.push(outcome.result);
          else collector.addError(outcome.pid, `not attached: ${outcome.error.message}`);
        }
      } else {
        results.push(await attach(pid, collector.agentConfig));
      }
    }
    const slowest = Math.max(...results.map((r) => r.inspectorOpenMs));
    log.info(
      `attached to ${results.length} process${results.length === 1 ? '' : 'es'} in ${Date.now() - started} ms ` +
        `(inspector open ${Math.round(slowest)} ms at most): ${described}`,
    );
  } catch (err) {
    // Nothing was recorded if the first target could not be attached; detach what was.
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
  if (endedBy === 'exit') log.info(`the target exited; writing what was recorded`);

  await collector.stopAgents(STOP_GRACE_MS);
  const recording = await collector.finish();
  recording.meta.command = pids.length === 1 ? recording.processes.find((p) => p.pid === pids[0])?.argv : undefined;
  if (!config.title) recording.meta.title = titleFor(recording, pids);
  return { recording, endedBy };
}

function titleFor(r: Recording, pids: number[]): string {
  const roots = pids.map((pid) => r.processes.find((p) => p.pid === pid)).filter((p) => p !== undefined);
  return roots.length > 0 ? roots.map((p) => `pid ${p!.pid}: ${p!.command}`).join(', ') : `pid ${pids.join(', ')}`;
}
