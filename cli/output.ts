// Writes a Recording in the format the user asked for, then says what was written and what repeats
// across processes. The analysis runs once here, for both the report and the terminal summary.
// A recording is never lost: when the output cannot be written (unwritable path, full disk), the
// recording is saved as wspy JSON in the temp directory and the user is told how to make the report
// from it later.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Analysis, summaryLines } from '../collector/analysis';
import { countedSamples, lossTally, Recording, UserError } from '../collector/model';
import { plural } from '../viewer/format';
import { analyzeSafely } from '../viewer/html';
import type { ExportFiles } from '../collector/formats';
import { isDirectoryOutput, isFileSet, OutputFormat, outputFor } from '../viewer/outputs';
import { reportLostData } from './data-lost';
import * as log from './log';
import { openInBrowser } from './open';

export interface OutputConfig {
  output: string;
  format: OutputFormat;
  title?: string;
  open: boolean;
  /** collapsed: no `pid N: command` frame, the same stack of several processes on one line. */
  mergeProcesses?: boolean;
}

/**
 * Refuses, before anything is recorded, an output that cannot be written: a directory that does not
 * exist or is not writable, or a path that is a directory. (A disk that fills up meanwhile is still
 * caught when writing, and the recording rescued.)
 */
export function checkOutputWritable(file: string, format?: OutputFormat): void {
  const dir = path.dirname(path.resolve(file));
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file);
  } catch {
    // Not there yet: its directory decides.
  }
  if (format !== undefined && isDirectoryOutput(format)) {
    // A directory of files: an existing directory, or a new one in a directory that exists.
    if (stat && !stat.isDirectory()) throw new UserError(`-f ${format} writes a directory of files, and ${file} is a file: give a directory name`);
  } else if (stat?.isDirectory()) throw new UserError(`-o ${file} is a directory: give a file name, such as ${path.join(file, 'profile.html')}`);
  try {
    fs.accessSync(stat ? file : dir, fs.constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`-o ${file}: the directory ${dir} does not exist; create it or choose another -o path`);
    throw new UserError(`-o ${file} cannot be written (${code ?? err}): choose another -o path`);
  }
}

/** Writes the output; on failure saves the recording elsewhere and throws a UserError saying where. */
export function writeOutput(
  r: Recording,
  file: string,
  opts: { format: OutputFormat; title?: string; analysis?: Analysis | null; mergeProcesses?: boolean },
): void {
  let data: string | Buffer | ExportFiles;
  try {
    data = outputFor(opts.format).write(r, { fileName: file, title: opts.title, analysis: opts.analysis, mergeProcesses: opts.mergeProcesses });
  } catch (err) {
    throw rescue(r, file, err);
  }
  try {
    if (isFileSet(data)) {
      fs.mkdirSync(file, { recursive: true });
      for (const f of data.files) fs.writeFileSync(path.join(file, f.name), f.data);
    } else {
      fs.writeFileSync(file, data);
    }
  } catch (err) {
    throw rescue(r, file, err);
  }
}

/** Writes the output, says so, lists the work repeated across processes, and opens the report if asked. */
export async function writeAndSummarise(recording: Recording, config: OutputConfig, analysis = analyzeSafely(recording)): Promise<void> {
  writeOutput(recording, config.output, { format: config.format, title: config.title, analysis: analysis ?? null, mergeProcesses: config.mergeProcesses });
  log.info(`Wrote ${config.output}: ${summary(recording)}`);
  reportLostData(recording);
  if (analysis) printRepeatedWork(analysis);
  if (config.open) await openInBrowser(config.output);
}

/** The top five items of work repeated across forks, one line each (nothing when there are none). */
function printRepeatedWork(analysis: Analysis): void {
  const lines = summaryLines(analysis, 5);
  if (lines.length === 0) return;
  log.info('repeated across processes:');
  for (const line of lines) log.info(`  ${line}`);
}

/** `N processes, M samples, E errors[, L with lost data]`; idle samples count only when they are kept in the report. */
export function summary(r: Recording): string {
  let samples = 0;
  for (const p of r.processes) samples += countedSamples(r, p);
  const errors = r.processes.reduce((n, p) => n + p.errors.length, 0);
  const lost = lossTally(r);
  // "0 errors" alone would hide that data went missing: the line after this one says what and why.
  const lostPart = lost ? `, ${lost.processes} with lost data` : '';
  return `${plural(r.processes.length, 'process', 'processes')}, ${plural(samples, 'sample')}, ${plural(errors, 'error')}${lostPart}`;
}

function rescue(r: Recording, file: string, cause: unknown): UserError {
  const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message ?? String(cause);
  const saved = path.join(os.tmpdir(), `wspy-rescued-${process.pid}-${Date.now()}.json.gz`);
  try {
    fs.writeFileSync(saved, outputFor('json').write(r, { fileName: saved }) as Buffer);
  } catch (err) {
    return new UserError(`could not write ${file} (${reason}), nor save the recording to ${saved} (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  return new UserError(
    `could not write ${file} (${reason}); the recording was saved to ${saved}: run \`wspy report ${saved} -o <file>\` once fixed`,
  );
}
