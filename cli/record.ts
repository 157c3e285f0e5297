// `wspy record`: launch a command under wspy, or attach to a running process (-p), and write a report.

import { Command } from 'commander';
import * as path from 'path';
import { Recording } from '../collector/model';
import { countsByStack } from '../collector/tree';
import { analyze, summaryLines } from '../collector/analysis/index';
import { recordAttached } from './attach-mode';
import { findQueueWorkers } from '../collector/queues/find-workers';
import { recordLaunch } from './launch';
import * as log from './log';
import { openInBrowser } from './open';
import { writeOutput } from './output';
import { OUTPUT_FORMATS, parseRecordConfig, RawRecordOptions, RecordConfig, DEFAULT_RATE_HZ } from './record-config';

export function recordCommand(): Command {
  return new Command('record')
    .description('record a command and its subprocesses (or a running process) and write a flame graph report')
    .usage('[options] -- <command> [args...]   |   -p <pid> [options]   |   --queue <name> [options]')
    .argument('[command...]', 'the command to launch, after --')
    .option('-p, --pid <pid>', 'attach to this running process instead of launching a command')
    .option('--queue <name>', 'attach to the worker processes of this BullMQ/Bull queue, and their children')
    .option('--redis <url>', 'with --queue: the Redis the queue lives in (default: $REDIS_URL or redis://127.0.0.1:6379)')
    .option('--prefix <prefix>', 'with --queue: the queue prefix (default: bull)')
    .option('-d, --duration <seconds>', 'stop after this many seconds (default: until the command exits or Ctrl-C)')
    .option('-o, --output <file>', 'where to write the report (default: wspy-<command>-<timestamp>.<ext>)')
    .option('-f, --format <format>', `output format: ${OUTPUT_FORMATS.join(', ')} (default: from the output's extension, else html)`)
    .option('-r, --rate <hz>', `samples per second per process (default: ${DEFAULT_RATE_HZ})`)
    .option('-s, --subprocesses', 'also record every descendant process (forks, spawns, cluster workers, ...)')
    .option('--idle', 'keep samples taken while the event loop is idle (dropped by default)')
    .option('--title <title>', 'title of the report')
    .option('--open', 'open the report in the default browser when done')
    .passThroughOptions()
    .action(async (command: string[], raw: RawRecordOptions) => {
      const config = parseRecordConfig(raw, command);
      await record(config);
    });
}

async function record(config: RecordConfig): Promise<void> {
  if (config.queue !== undefined) {
    const found = await findQueueWorkers(config.queue.name, { redisUrl: config.queue.redisUrl, prefix: config.queue.prefix });
    for (const note of found.notes) log.info(note);
    const { recording } = await recordAttached({ ...config, title: config.title ?? `queue ${config.queue.name}` }, found.pids);
    for (const p of recording.processes) {
      const queues = found.queuesByPid.get(p.pid);
      if (queues) p.queues = [...new Set([...(p.queues ?? []), ...queues])];
    }
    writeAndSummarise(recording, config);
    return;
  }
  if (config.pid !== undefined) {
    const { recording } = await recordAttached(config);
    writeAndSummarise(recording, config);
    return;
  }
  const result = await recordLaunch(config);
  writeAndSummarise(result.recording, config);
  if (result.running()) {
    const name = path.basename(config.command![0]);
    log.info(
      result.endedBy === 'signal'
        ? `${name} is still running after the signal; send SIGINT again (Ctrl-C) to kill it`
        : `${name} keeps running; wspy passes its exit code on when it ends (Ctrl-C to stop it)`,
    );
  }
  process.exitCode = await result.exitCode;
}

export function writeAndSummarise(recording: Recording, config: Pick<RecordConfig, 'output' | 'format' | 'title' | 'open'>): void {
  writeOutput(recording, config.output, { format: config.format, title: config.title });
  log.info(`Wrote ${config.output}: ${summary(recording)}`);
  printRepeatedWork(recording);
  if (config.open) openInBrowser(config.output);
}

/** The top five items of work repeated across forks, one line each (nothing when there are none). */
export function printRepeatedWork(recording: Recording): void {
  const lines = summaryLines(analyze(recording), 5);
  if (lines.length === 0) return;
  log.info('repeated across processes:');
  for (const line of lines) log.info(`  ${line}`);
}

/** `N processes, M samples, E errors`; idle samples count only when they are kept in the report. */
export function summary(r: Recording): string {
  let samples = 0;
  for (const p of r.processes) for (const c of countsByStack(r, p).values()) samples += c;
  const errors = r.processes.reduce((n, p) => n + p.errors.length, 0);
  return `${r.processes.length} processes, ${samples} samples, ${errors} errors`;
}
