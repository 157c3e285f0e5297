// `wspy demo`: records the bundled example, a worker that forks one child per job whose every child
// repeats a heavy model configuration, and writes wspy-demo.html.

import { Command } from 'commander';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UserError } from '../collector/model';
import { recordExitCode } from './data-lost';
import { recordLaunch } from './launch';
import * as log from './log';
import { checkOutputWritable, writeAndSummarise } from './output';
import { TREE_RATE_HZ, RecordSettings, resolveFormat } from './record-config';

export const DEMO_DIR = path.resolve(__dirname, '..', '..', 'examples', 'demo');

export function demoCommand(): Command {
  return new Command('demo')
    .description('record a bundled example worker that forks one child per job, and write a report')
    .option('-o, --output <file>', 'where to write the report', 'wspy-demo.html')
    .option('--jobs <n>', 'jobs the example worker runs, one forked child each', '16')
    .option('--open', 'open the report in the default browser when done')
    .addHelpText('after', '\nExamples:\n  wspy demo                      # 16 jobs, writes wspy-demo.html\n  wspy demo --jobs 40 --open     # more forks, and open the report\n')
    .action(async (opts: { output: string; jobs: string; open?: boolean }) => {
      const n = Number(opts.jobs);
      if (!/^\d+$/.test(opts.jobs.trim()) || n < 1 || n > 500) throw new UserError(`--jobs needs a number of jobs from 1 to 500, not "${opts.jobs}"`);
      const jobs = String(n);
      const format = resolveFormat(undefined, opts.output);
      checkOutputWritable(opts.output, format);
      log.info(`recording the demo worker (${jobs} jobs, one forked child each): node examples/demo/worker.js`);
      const settings: RecordSettings = {
        rateHz: TREE_RATE_HZ,
        subprocesses: true,
        idle: false,
        title: 'wspy demo: a worker that forks one child per job',
      };
      // The worker runs from a copy: installed, the example lives under node_modules/wspy/, and its
      // frames would read as the loading of a package named wspy rather than as the user's own code.
      const place = fs.mkdtempSync(path.join(os.tmpdir(), 'wspy-demo-'));
      try {
        fs.cpSync(DEMO_DIR, path.join(place, 'examples', 'demo'), { recursive: true });
        const worker = path.join(place, 'examples', 'demo', 'worker.js');
        const result = await recordLaunch([process.execPath, worker, jobs, '2'], settings, { cwd: place });
        await writeAndSummarise(result.recording, { output: opts.output, format, title: settings.title, open: Boolean(opts.open) });
        process.exitCode = recordExitCode(result.recording, await result.exitCode);
      } finally {
        fs.rmSync(place, { recursive: true, force: true });
      }
    });
}
