// Everything wspy writes, in one list: the reports people look at (html, svg) and the data formats
// other tools read (collector/formats). The names `-f` accepts, the extension of a file name wspy
// makes up, and the format a file name's ending asks for are all read from this list.

import * as path from 'node:path';
import type { Analysis } from '../collector/analysis';
import { ExportFiles, ExportOptions, Exporter, exporterFor } from '../collector/formats';
import { Recording } from '../collector/model';
import { renderHtml } from './html';
import { renderSvg } from './svg';

export interface OutputOptions extends ExportOptions {
  /** The recording's analysis, when the caller ran it already (null: it failed): the report does not run it again. */
  analysis?: Analysis | null;
}

export interface Output extends Exporter {
  write(r: Recording, opts?: OutputOptions): string | Buffer | ExportFiles;
}

const htmlOutput: Output = {
  name: 'html',
  extension: '.html',
  endings: ['.html', '.htm'],
  write: (r, opts = {}) => renderHtml(r, { title: opts.title, analysis: opts.analysis }),
};

const svgOutput: Output = {
  name: 'svg',
  extension: '.svg',
  endings: ['.svg'],
  write: (r, opts = {}) => renderSvg(r, { title: opts.title }),
};

/** In the order help texts list them; html is the default. */
export const OUTPUTS = {
  html: htmlOutput,
  svg: svgOutput,
  speedscope: exporterFor('speedscope'),
  pprof: exporterFor('pprof'),
  collapsed: exporterFor('collapsed'),
  json: exporterFor('json'),
  cpuprofile: exporterFor('cpuprofile'),
} satisfies Record<string, Output>;

export type OutputFormat = keyof typeof OUTPUTS;
export const OUTPUT_FORMATS = Object.keys(OUTPUTS) as OutputFormat[];
export const DEFAULT_FORMAT: OutputFormat = 'html';

export function isOutputFormat(name: string): name is OutputFormat {
  return Object.prototype.hasOwnProperty.call(OUTPUTS, name);
}

export function outputFor(format: OutputFormat): Output {
  return OUTPUTS[format];
}

/** The extension of a file name wspy makes up for the format (`.pb.gz`). */
export function extensionFor(format: OutputFormat): string {
  return OUTPUTS[format].extension;
}

/** Every ending, longest first, so that `.speedscope.json` wins over `.json`. */
const ENDINGS: Array<[string, OutputFormat]> = OUTPUT_FORMATS.flatMap((format) =>
  OUTPUTS[format].endings.map((ending): [string, OutputFormat] => [ending, format]),
).sort((a, b) => b[0].length - a[0].length);

/** The format an output path asks for by its ending, or undefined when the ending says nothing. */
export function formatFromPath(outputPath: string): OutputFormat | undefined {
  const name = path.basename(outputPath).toLowerCase();
  return ENDINGS.find(([ending]) => name.endsWith(ending))?.[1];
}

/** Every file name ending wspy chooses a format by, in the order of the formats. */
export function knownEndings(): string[] {
  return OUTPUT_FORMATS.flatMap((format) => OUTPUTS[format].endings);
}

/** Formats written as a directory of files (`-o` names the directory). */
export function isDirectoryOutput(format: OutputFormat): boolean {
  return OUTPUTS[format].endings.length === 0;
}

export function isFileSet(data: string | Buffer | ExportFiles): data is ExportFiles {
  return typeof data === 'object' && !Buffer.isBuffer(data);
}
