// wspy's command line: one commander file per command; user errors become one line and exit 2.

import { Command, CommanderError } from 'commander';
import { wspyVersion } from '../collector/ingest';
import { UserError } from '../collector/model';
import { demoCommand } from './demo';
import { diffCommand } from './diff';
import * as log from './log';
import { psCommand } from './ps';
import { recordCommand } from './record';
import { reportCommand } from './report';
import { terminalSafe } from './terminal-text';

export function buildProgram(): Command {
  const program = new Command('wspy')
    .description('Sampling CPU profiler and flame graphs for Node.js workers that run as many processes')
    .version(wspyVersion(), '-V, --version')
    .enablePositionalOptions()
    .showSuggestionAfterError()
    .addCommand(recordCommand())
    .addCommand(reportCommand())
    .addCommand(diffCommand())
    .addCommand(psCommand())
    .addCommand(demoCommand());
  // commander echoes argv in its errors and help: through the same escape as every other printer.
  const output = {
    writeOut: (text: string) => process.stdout.write(terminalSafe(text, { keepNewlines: true })),
    writeErr: (text: string) => process.stderr.write(terminalSafe(text, { keepNewlines: true })),
  };
  for (const command of [program, ...program.commands]) command.configureOutput(output);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
  }
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode; // commander already printed its one line
  if (err instanceof UserError) {
    log.error(err.message);
    return err.exitCode;
  }
  // The one multi-line message: a stack keeps its lines (escaped like every other message).
  process.stderr.write(`wspy: error: internal error, please report it: ${terminalSafe(String((err as Error)?.stack ?? err), { keepNewlines: true })}\n`);
  return 70;
}
