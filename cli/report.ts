// `wspy report`: turns saved recordings and foreign profiles (Node's --cpu-prof output, .cpuprofile,
// pprof, collapsed, speedscope) into the same report, with the same cross-process analysis.

import { Command } from 'commander';
import { analyze } from '../collector/analysis';
import { extensionFor, OUTPUT_FORMATS } from '../viewer/outputs';
import { loadInputs } from './inputs';
import { checkOutputWritable, writeAndSummarise } from './output';
import { resolveFormat } from './record-config';
import { terminalSafeJson } from './terminal-text';

interface ReportOptions {
  output?: string;
  format?: string;
  json?: boolean;
  title?: string;
  idle?: boolean;
  open?: boolean;
  mergeProcesses?: boolean;
}

export function reportCommand(): Command {
  return new Command('report')
    .description('make a report from saved recordings or other profilers\' files (directories are searched)')
    .argument('<inputs...>', 'wspy .json[.gz] recordings, .cpuprofile files, pprof .pb.gz, folded stacks, speedscope .json, or directories of them')
    .option('-o, --output <file>', 'where to write the report (default: wspy-report.<ext>)')
    .option('-f, --format <format>', `output format: ${OUTPUT_FORMATS.join(', ')} (default: from the output's extension, else html)`)
    .option('--json', 'print the cross-process analysis as JSON on stdout (docs/ANALYSIS.md); with -o, write the report too')
    .option('--merge-processes', 'with -f collapsed: no `pid N: command` frame per process; the same stack of several processes is one line')
    .option('--title <title>', 'title of the report')
    .option('--idle', 'keep samples taken while the event loop is idle')
    .option('--open', 'open the report in the default browser when done')
    .addHelpText(
      'after',
      `
Examples:
  wspy report ./cpu-profiles/ -o report.html              # a directory of node --cpu-prof output
  wspy report a.cpuprofile b.pb.gz -o report.html
  wspy report host1.json.gz host2.json.gz -o fleet.html   # processes keyed by host and pid
  wspy report rec.json --json                             # the cross-process analysis as JSON
  wspy report rec.json -o out.speedscope.json             # convert: the format follows the extension`,
    )
    .action(async (inputs: string[], opts: ReportOptions) => {
      if (opts.output !== undefined) {
        checkOutputWritable(opts.output, resolveFormat(opts.format, opts.output));
      }
      const recording = loadInputs(inputs);
      if (opts.idle) recording.meta.idle = true;
      if (opts.title) recording.meta.title = opts.title;
      const analysis = opts.json ? analyze(recording) : undefined;
      if (analysis) {
        process.stdout.write(terminalSafeJson(JSON.stringify(analysis, null, 2)) + '\n');
        if (!opts.output) return;
      }
      const format = resolveFormat(opts.format, opts.output);
      const output = opts.output ?? `wspy-report${extensionFor(format)}`;
      await writeAndSummarise(recording, { output, format, title: opts.title, open: Boolean(opts.open), mergeProcesses: Boolean(opts.mergeProcesses) }, analysis);
    });
}
