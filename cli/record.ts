// `wspy record`: launch a command under wspy, or attach to a running process (-p), and write a report.

import { Command } from 'commander';
import * as path from 'path';
import { findQueueWorkers } from '../collector/queues';
import { OUTPUT_FORMATS } from '../viewer/outputs';
import { recordAttached } from './attach-mode';
import { recordLaunch } from './launch';
import { recordExitCode } from './data-lost';
import * as log from './log';
import { checkOutputWritable, writeAndSummarise } from './output';
import { DEFAULT_RATE_HELP, parseRecordConfig, RawRecordOptions, RecordConfig } from './record-config';

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
    .option('-r, --rate <hz>', `samples per second per process (${DEFAULT_RATE_HELP})`)
    .option('-s, --subprocesses', 'also record every descendant process (forks, spawns, cluster workers, ...)')
    .option('--allow-remote-inspector', 'with -p/--queue: also attach to an unprepared process whose inspector would listen on a non-loopback address')
    .option('--idle', 'keep samples taken while the event loop is idle (dropped by default)')
    .option('--merge-processes', 'with -f collapsed: no `pid N: command` frame per process; the same stack of several processes is one line')
    .option('--title <title>', 'title of the report')
    .option('--open', 'open the report in the default browser when done')
    .addHelpText(
      'after',
      `
Examples:
  wspy record -s -o profile.html -- node worker.js        # launch, with every child it forks
  wspy record -s -o profile.html -- npm run worker        # through npm: -s reaches the node it starts
  wspy record -p 1234 -d 10 -s -o profile.html            # attach to a running worker for 10 s
  wspy record --queue emails -d 30 -o emails.html         # the workers of a BullMQ/Bull queue
  wspy record -f collapsed -o out.folded -- node app.js   # folded stacks, a pid frame per process`,
    )
    .passThroughOptions()
    .action(async (command: string[], raw: RawRecordOptions) => {
      const config = parseRecordConfig(raw, command);
      await record(config);
    });
}

/** Commands that run the real program in a child: without -s only they would be recorded. */
const WRAPPERS = new Set(['npm', 'npx', 'yarn', 'pnpm', 'sh', 'bash', 'dash', 'zsh', 'tsx', 'nodemon']);

async function record(config: RecordConfig): Promise<void> {
  const target = config.target;
  checkOutputWritable(config.output, config.format);
  if (target.kind === 'launch' && !config.subprocesses && WRAPPERS.has(path.basename(target.command[0]))) {
    const name = path.basename(target.command[0]);
    log.warn(`${name} runs your program in a child process, and without -s only ${name} itself is recorded: add -s (wspy record -s -o ... -- ${target.command.join(' ')})`);
  }
  switch (target.kind) {
    case 'queue': {
      const found = await findQueueWorkers(target.name, { redisUrl: target.redisUrl, prefix: target.prefix });
      for (const note of found.notes) log.info(note);
      const { recording } = await recordAttached(found.pids, { ...config, title: config.title ?? `queue ${target.name}` });
      for (const p of recording.processes) {
        const queues = found.queuesByPid.get(p.pid);
        if (queues) p.queues = [...new Set([...(p.queues ?? []), ...queues])];
      }
      await writeAndSummarise(recording, config);
      process.exitCode = recordExitCode(recording);
      return;
    }
    case 'pid': {
      const { recording } = await recordAttached([target.pid], config);
      await writeAndSummarise(recording, config);
      process.exitCode = recordExitCode(recording);
      return;
    }
    case 'launch': {
      const result = await recordLaunch(target.command, config);
      await writeAndSummarise(result.recording, config);
      if (result.running()) {
        const name = path.basename(target.command[0]);
        log.info(
          result.endedBy === 'signal'
            ? `${name} is still running after the signal; send SIGINT again (Ctrl-C) to kill it`
            : `${name} keeps running; wspy passes its exit code on when it ends (Ctrl-C to stop it)`,
        );
      }
      process.exitCode = recordExitCode(result.recording, await result.exitCode);
    }
  }
}
