// `wspy diff`: a differential flame graph of two recordings (the before and after of a fix), with a
// table of the largest changes, normalised per process, per unit of work, or not at all.

import { Command, Option } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import { diffRecordings } from '../collector/analysis';
import { Recording, UserError } from '../collector/model';
import { renderDiffHtml } from '../viewer/diff-html';
import { loadInputs } from './inputs';
import * as log from './log';

interface DiffOptions {
  output: string;
  normalize: 'process' | 'unit' | 'none';
  title?: string;
}

export function diffCommand(): Command {
  return new Command('diff')
    .description('compare two recordings (or profiles) in a differential flame graph: red is slower, blue is faster')
    .argument('<before>', 'recording or profile(s) before the change (a file or a directory)')
    .argument('<after>', 'recording or profile(s) after the change')
    .option('-o, --output <file>', 'where to write the diff report', 'wspy-diff.html')
    .addOption(
      new Option('--normalize <how>', 'compare ms per process, per unit of work (member of the largest family), or totals')
        .choices(['process', 'unit', 'none'])
        .default('process'),
    )
    .option('--title <title>', 'title of the diff report')
    .action((beforePath: string, afterPath: string, opts: DiffOptions) => {
      const before = load(beforePath);
      const after = load(afterPath);
      const diff = diffRecordings(before, after, { normalize: opts.normalize });
      const html = renderDiffHtml(diff, {
        title: opts.title,
        beforeName: path.basename(beforePath),
        afterName: path.basename(afterPath),
      });
      try {
        fs.writeFileSync(opts.output, html);
      } catch (err) {
        throw new UserError(`could not write ${opts.output} (${(err as NodeJS.ErrnoException).code ?? err}): choose another -o path`);
      }
      const unit = { process: 'ms per process', unit: 'ms per unit of work', none: 'ms in all' }[opts.normalize];
      log.info(`Wrote ${opts.output}: ${round(diff.before.cpuMs)} → ${round(diff.after.cpuMs)} ms of CPU; largest changes (${unit}):`);
      for (const f of diff.functions.slice(0, 5)) {
        const sign = f.delta > 0 ? '+' : '';
        log.info(`  ${sign}${round(f.delta)} ms  ${f.name}  (${round(f.before)} → ${round(f.after)})`);
      }
    });
}

function load(input: string): Recording {
  return loadInputs([input]);
}

function round(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}
