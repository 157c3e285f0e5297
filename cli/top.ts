// `wspy top`: a live view of the functions taking the most CPU in a running process and its
// subprocesses (-p, -s), a queue's workers (--queue) or a launched command (-- <command>). It is a
// recording that shows itself every second instead of writing a report: the same agent, collector
// and model as `wspy record`, and it detaches (or passes Ctrl-C on to a launched command) the same way.

import { Command } from 'commander';
import { findQueueWorkers } from '../collector/queues';
import { describeProcess } from '../collector/proc';
import { recordAttached } from './attach-mode';
import { recordExitCode, reportLostData } from './data-lost';
import { recordLaunch } from './launch';
import * as log from './log';
import { DEFAULT_RATE_HELP, parseRecordConfig, RawRecordOptions } from './record-config';
import { TopView } from './top-view';

type RawTopOptions = Pick<RawRecordOptions, 'pid' | 'queue' | 'redis' | 'prefix' | 'rate' | 'subprocesses' | 'idle' | 'duration'>;

export function topCommand(): Command {
  return new Command('top')
    .description('live view of the functions taking the most CPU, across a process and its subprocesses')
    .usage('-p <pid> [-s] [options]   |   --queue <name> [options]   |   [options] -- <command> [args...]')
    .argument('[command...]', 'the command to launch, after --')
    .option('-p, --pid <pid>', 'watch this running process')
    .option('-s, --subprocesses', 'also watch every descendant process')
    .option('--queue <name>', 'watch the worker processes of this BullMQ/Bull queue, and their children')
    .option('--redis <url>', 'with --queue: the Redis the queue lives in (default: $REDIS_URL or redis://127.0.0.1:6379)')
    .option('--prefix <prefix>', 'with --queue: the queue prefix (default: bull)')
    .option('-r, --rate <hz>', `samples per second per process (${DEFAULT_RATE_HELP})`)
    .option('-d, --duration <seconds>', 'stop after this many seconds (default: until q, Ctrl-C, or the target exits)')
    .option('--idle', 'count samples taken while the event loop is idle')
    .passThroughOptions()
    .addHelpText(
      'after',
      `
Examples:
  wspy top -p 1234 -s               # a busy worker and its children, live (m: merged/per process, q: quit)
  wspy top --queue emails           # the workers of a BullMQ/Bull queue
  wspy top -- node worker.js        # launch a program and watch it`,
    )
    .action(async (command: string[], raw: RawTopOptions) => {
      const config = parseRecordConfig(raw, command);
      const target = config.target;
      if (target.kind === 'launch') {
        const result = await recordLaunch(target.command, config, {}, new TopView(target.command.join(' ')));
        reportLostData(result.recording);
        process.exitCode = recordExitCode(result.recording, await result.exitCode);
        return;
      }
      const found =
        target.kind === 'queue'
          ? await findQueueWorkers(target.name, { redisUrl: target.redisUrl, prefix: target.prefix })
          : { pids: [target.pid], notes: [] as string[] };
      for (const note of found.notes) log.info(note);
      const title = target.kind === 'queue' ? `queue ${target.name}` : `pid ${describeProcess(target.pid)}${config.subprocesses ? ' and subprocesses' : ''}`;
      const { recording } = await recordAttached(found.pids, config, new TopView(title));
      log.info(`detached from ${recording.processes.length} process${recording.processes.length === 1 ? '' : 'es'}`);
      reportLostData(recording);
      process.exitCode = recordExitCode(recording);
    });
}
