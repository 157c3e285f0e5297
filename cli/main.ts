// wspy's command line: one commander file per command; user errors become one line and exit 2.

import { Command, CommanderError } from 'commander';
import { wspyVersion } from '../collector/ingest';
import { UserError } from '../collector/model';
import { agentPathCommand } from './agent-path';
import { demoCommand } from './demo';
import { diffCommand } from './diff';
import { dumpCommand } from './dump';
import * as log from './log';
import { psCommand } from './ps';
import { recordCommand } from './record';
import { reportCommand } from './report';
import { topCommand } from './top';
import { terminalSafe } from './terminal-text';

export function buildProgram(): Command {
  const program = new Command('wspy')
    .description('Sampling CPU profiler and flame graphs for Node.js workers that run as many processes')
    .version(wspyVersion(), '-V, --version')
    .enablePositionalOptions()
    .addHelpText(
      'after',
      `
Examples:
  wspy demo                                              # record the bundled fork-per-job worker
  wspy record -s -o profile.html -- node worker.js       # launch and record, children included
  wspy record -p 1234 -d 10 -s -o profile.html           # attach to a running worker
  wspy report ./cpu-profiles/ -o report.html             # other profilers' files
  wspy <command> --help                                  # the options of one command`,
    )
    .showSuggestionAfterError()
    .addCommand(recordCommand())
    .addCommand(reportCommand())
    .addCommand(diffCommand())
    .addCommand(psCommand())
    .addCommand(dumpCommand())
    .addCommand(topCommand())
    .addCommand(demoCommand())
    .addCommand(agentPathCommand());
  // Commander's own usage errors (a missing argument, an unknown command or option, a bad choice)
  // read like wspy's: `wspy: error: ...`, exit 2. Set on every command: addCommand() does not pass
  // the parent's settings on.
  // commander echoes argv in its errors and help: through the same escape as every other printer.
  for (const command of [program, ...program.commands]) {
    command
      .configureOutput({
        writeOut: (text: string) => process.stdout.write(terminalSafe(text, { keepNewlines: true })),
        writeErr: (text: string) => process.stderr.write(terminalSafe(text, { keepNewlines: true })),
        outputError: (message, write) => write(usageError(message, command)),
      })
      .exitOverride();
  }
  return program;
}

/** `error: unknown option '--bogus'` → `wspy: error: unknown option '--bogus' (see wspy record --help)`. */
function usageError(message: string, command: Command): string {
  const text = message.trim().replace(/^error: /, '');
  const name = command.parent ? `wspy ${command.name()}` : 'wspy';
  return `wspy: error: ${text} (see \`${name} --help\`)\n`;
}

/** Every usage error, wspy's own (UserError) and commander's alike. */
const USAGE_EXIT_CODE = 2;

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
  }
}

function exitCodeFor(err: unknown): number {
  // Commander printed its one line already (or the help, or the version, which exit 0).
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
  if (err instanceof UserError) {
    log.error(err.message);
    return err.exitCode;
  }
  // The one multi-line message: a stack keeps its lines (escaped like every other message).
  process.stderr.write(`wspy: error: internal error, please report it: ${terminalSafe(String((err as Error)?.stack ?? err), { keepNewlines: true })}\n`);
  return 70;
}
