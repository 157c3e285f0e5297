// wspy's command line: one commander file per command; user errors become one line and exit 2.

import { Command, CommanderError } from 'commander';
import { wspyVersion } from '../collector/ingest';
import { UserError } from '../collector/model';
import { agentPathCommand } from './agent-path';
import { demoCommand } from './demo';
import { diffCommand } from './diff';
import * as log from './log';
import { psCommand } from './ps';
import { recordCommand } from './record';
import { reportCommand } from './report';

export function buildProgram(): Command {
  return new Command('wspy')
    .description('Sampling CPU profiler and flame graphs for Node.js workers that run as many processes')
    .version(wspyVersion(), '-V, --version')
    .enablePositionalOptions()
    .showSuggestionAfterError()
    .addCommand(recordCommand())
    .addCommand(reportCommand())
    .addCommand(diffCommand())
    .addCommand(psCommand())
    .addCommand(demoCommand())
    .addCommand(agentPathCommand());
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
  log.error(`internal error, please report it: ${(err as Error)?.stack ?? err}`);
  return 70;
}
