// Writes a Recording in the format the user asked for. A recording is never lost: when the output
// cannot be written (unwritable path, full disk), the recording is saved as wspy JSON in the temp
// directory and the user is told how to make the report from it later.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UserError } from '../collector/errors';
import { exporterFor } from '../collector/formats/index';
import { Recording } from '../collector/model';
import { renderHtml } from '../viewer/html';
import { renderSvg } from '../viewer/svg';
import { OutputFormat } from './record-config';

export interface OutputOptions {
  format: OutputFormat;
  title?: string;
}

export function render(r: Recording, opts: OutputOptions, file: string): string | Buffer {
  switch (opts.format) {
    case 'html':
      return renderHtml(r, { title: opts.title });
    case 'svg':
      return renderSvg(r, { title: opts.title });
    default:
      return exporterFor(opts.format).write(r, { fileName: file });
  }
}

/** Writes the output; on failure saves the recording elsewhere and throws a UserError saying where. */
export function writeOutput(r: Recording, file: string, opts: OutputOptions): void {
  let data: string | Buffer;
  try {
    data = render(r, opts, file);
  } catch (err) {
    throw rescue(r, file, err);
  }
  try {
    fs.writeFileSync(file, data);
  } catch (err) {
    throw rescue(r, file, err);
  }
}

function rescue(r: Recording, file: string, cause: unknown): UserError {
  const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message ?? String(cause);
  const saved = path.join(os.tmpdir(), `wspy-rescued-${process.pid}-${Date.now()}.json.gz`);
  try {
    fs.writeFileSync(saved, exporterFor('json').write(r, { fileName: saved }));
  } catch (err) {
    return new UserError(`could not write ${file} (${reason}), nor save the recording to ${saved} (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  return new UserError(
    `could not write ${file} (${reason}); the recording was saved to ${saved}: run \`wspy report ${saved} -o <file>\` once fixed`,
  );
}
