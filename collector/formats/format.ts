// The small interface every data format implements, in the spirit of speedscope's importers: an
// exporter turns a Recording into bytes; an importer looks at bytes and answers either "not mine"
// (undefined) or a Recording, and throws a UserError naming what is wrong when the file is its format
// but broken.

import { Recording } from '../model';

export interface ExportOptions {
  /** The title of a report (html, svg); defaults to the recording's. */
  title?: string;
  /** The file being written; wspy json is gzipped when it ends in `.gz`. */
  fileName?: string;
  /** Gzip the output (wspy json only; pprof is always gzipped). */
  gzip?: boolean;
  /** Keep samples whose leaf is V8's (idle) frame; defaults to the recording's meta.idle. */
  idle?: boolean;
  /**
   * collapsed: leave out the `pid N: command` frame that starts every line, so that the same stack
   * in several processes is one line (py-spy's output without --subprocesses reads that way).
   */
  mergeProcesses?: boolean;
  /** speedscope: the unit of weights and start values. */
  timeUnit?: 'milliseconds' | 'microseconds';
}

/** An export that is several files (one per process), written into the directory the output names. */
export interface ExportFiles {
  files: Array<{ name: string; data: string | Buffer }>;
}

export interface Exporter {
  name: string;
  /** The ending of a file name wspy makes up for this format (`wspy-report.pb.gz`). */
  extension: string;
  /** Every file name ending this format is chosen for (the extension among them). */
  endings: string[];
  write(r: Recording, opts?: ExportOptions): string | Buffer | ExportFiles;
}

export interface Importer {
  name: string;
  /**
   * Returns undefined when the bytes are not this format. `warn` receives one line per problem that
   * did not stop the import (e.g. a few lines that are not folded stacks).
   */
  read(bytes: Buffer, fileName: string, warn?: (message: string) => void): Recording | undefined;
}
