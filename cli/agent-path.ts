// `wspy agent-path`: the absolute path of the dormant agent, for NODE_OPTIONS="--require <path>".
// A process started that way can be recorded later with no inspector, port or signal (README,
// "Running production workers prepared").

import { Command } from 'commander';
import * as fs from 'fs';
import { DORMANT_BUNDLE } from '../collector/ingest';
import { UserError } from '../collector/model';

export function agentPathCommand(): Command {
  return new Command('agent-path')
    .description('print the path of the dormant agent, to start workers with NODE_OPTIONS="--require <path>"')
    .option('--node-options', 'print the whole NODE_OPTIONS value (--require "<path>") instead')
    .addHelpText(
      'after',
      `
Examples:
  wspy agent-path                                              # the path, for scripts
  NODE_OPTIONS="--require $(wspy agent-path)" node worker.js   # start a worker prepared
  wspy record -p <worker pid> -s -d 10 -o profile.html         # later: no inspector, no signal`,
    )
    .action((raw: { nodeOptions?: boolean }) => {
      if (!fs.existsSync(DORMANT_BUNDLE)) throw new UserError(`the dormant agent is missing at ${DORMANT_BUNDLE}: reinstall wspy (or run npm run build)`);
      process.stdout.write((raw.nodeOptions ? `--require ${JSON.stringify(DORMANT_BUNDLE)}` : DORMANT_BUNDLE) + '\n');
    });
}
