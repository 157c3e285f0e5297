// The import dispatcher: turns any mix of saved recordings and foreign profiles (files or directories)
// into one Recording, each file tried against every importer, most specific first.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { mergeRecordings, Recording, UserError } from '../model';
import { IMPORTERS } from './registry';
import { isGzip, isText, jsonOf, looksLikeJson, MAX_GUNZIPPED_BYTES } from './sniff';

/** Files larger than this are refused rather than read into memory. */
export const MAX_IMPORT_BYTES = 512 * 1024 * 1024;

/**
 * One file's bytes to a Recording. Throws a UserError saying what is wrong (empty, truncated, not a
 * known format, broken); `warn` receives problems that did not stop the import.
 */
export function importBytes(bytes: Buffer, fileName: string, warn: (message: string) => void = () => {}): Recording {
  try {
    return dispatch(bytes, fileName, warn);
  } catch (e) {
    // Strings and arrays past V8's limits (a file near the size limit, a gzip bomb) are the input's fault.
    if (e instanceof RangeError || (e as NodeJS.ErrnoException).code === 'ERR_STRING_TOO_LONG') {
      throw new UserError(`too large to load (${(e as Error).message})`);
    }
    throw e;
  }
}

function dispatch(bytes: Buffer, fileName: string, warn: (message: string) => void): Recording {
  if (bytes.length === 0) throw new UserError('the file is empty');
  let data = bytes;
  // Gzip wraps any format: look inside, and say so when the wrapper itself is cut off.
  for (let depth = 0; isGzip(data) && depth < 2; depth++) {
    try {
      data = gunzipSync(data, { maxOutputLength: MAX_GUNZIPPED_BYTES });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') throw new UserError(`it decompresses to more than ${MAX_GUNZIPPED_BYTES / 2 ** 20} MiB`);
      throw new UserError(code === 'Z_BUF_ERROR' ? 'the gzip data is truncated' : `the gzip data is corrupt (${(e as Error).message})`);
    }
    if (data.length === 0) throw new UserError('the file is empty once decompressed');
  }
  const innerName = fileName.replace(/\.gz$/i, '');
  for (const importer of IMPORTERS) {
    const r = importer.read(data, innerName, warn);
    if (r) return r;
  }
  if (looksLikeJson(data)) {
    jsonOf(data); // throws the parse error for a truncated file
    throw new UserError('JSON, but not a format wspy reads (wspy recording, .cpuprofile, speedscope)');
  }
  if (isText(data)) throw new UserError('text, but not folded stacks ("a;b;c 12" per line)');
  throw new UserError('not a format wspy reads (wspy recording, .cpuprofile, pprof, speedscope, folded stacks)');
}

const PROFILE_FILE = /\.(json|cpuprofile|pb|pprof|prof|txt|folded|collapsed)(\.gz)?$/i;

/** Files named on the command line; directories expand to the profile files inside, recursively. */
function expand(paths: string[], problems: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e) {
      problems.push(`${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
      continue;
    }
    if (!st.isDirectory()) {
      out.push(p);
      continue;
    }
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const child = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(child);
        else if (PROFILE_FILE.test(entry.name)) found.push(child);
      }
    };
    walk(p);
    if (found.length === 0) problems.push(`${p}: directory holds no profile files`);
    out.push(...found);
  }
  return out;
}

export interface ImportOptions {
  /** Refuse files larger than this many bytes (default MAX_IMPORT_BYTES). */
  maxBytes?: number;
}

function readFile(file: string, maxBytes: number): Buffer {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  if (size > maxBytes) throw new UserError(`too large (${mib(size)}; the limit is ${mib(maxBytes)})`);
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'EACCES' ? 'permission denied' : (e as Error).message);
  }
}

function mib(bytes: number): string {
  return bytes >= 2 ** 20 ? `${Math.round(bytes / 2 ** 20)} MiB` : `${bytes} bytes`;
}

/**
 * Loads recordings and foreign profiles (files or directories) into one Recording. Each file that
 * cannot be used gives one problem line naming it, while the others are still used; a UserError is
 * thrown when nothing usable remains.
 */
export function importFiles(paths: string[], opts: ImportOptions = {}): { recording: Recording; problems: string[] } {
  const problems: string[] = [];
  const loaded: Array<{ file: string; recording: Recording }> = [];
  for (const file of expand(paths, problems)) {
    try {
      const recording = importBytes(readFile(file, opts.maxBytes ?? MAX_IMPORT_BYTES), path.basename(file), (m) => problems.push(`${file}: ${m}`));
      const samples = recording.processes.reduce((n, p) => n + p.samples.count.reduce((a, c) => a + c, 0), 0);
      if (recording.processes.length === 0 || samples === 0) problems.push(`${file}: holds no samples`);
      loaded.push({ file, recording });
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      problems.push(`${file}: ${e.message}`);
    }
  }
  if (loaded.length === 0) {
    throw new UserError(problems.length ? `nothing to load: ${problems.join('; ')}` : 'no files given');
  }
  if (loaded.length === 1) return { recording: loaded[0].recording, problems };
  return { recording: mergeRecordings(loaded.map((l) => l.recording)), problems };
}
