// The registry of data formats: exporters by name, the output format a file name asks for, and the
// import dispatcher that turns any mix of saved recordings and foreign profiles into one Recording.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../errors';
import { emptyRecording, Recording, RecordingBuilder } from '../model';
import { collapsedExporter, collapsedImporter } from './collapsed';
import { cpuProfileImporter } from './cpuprofile';
import { Exporter, Importer } from './format';
import { baseKey, uniqueKey } from './keys';
import { pprofExporter, pprofImporter } from './pprof';
import { isGzip, isText, jsonOf, looksLikeJson } from './sniff';
import { speedscopeExporter, speedscopeImporter } from './speedscope';
import { wspyJsonExporter, wspyJsonImporter } from './wspy-json';

export type { ExportOptions, Exporter, Importer } from './format';

export const EXPORTERS: Exporter[] = [wspyJsonExporter, speedscopeExporter, pprofExporter, collapsedExporter];

/** Most specific first: wspy's own tag, then JSON shapes, then protobuf, then free text. */
export const IMPORTERS: Importer[] = [wspyJsonImporter, speedscopeImporter, cpuProfileImporter, pprofImporter, collapsedImporter];

export function exporterFor(name: string): Exporter {
  const e = EXPORTERS.find((x) => x.name === name);
  if (!e) throw new UserError(`unknown export format "${name}": use one of ${EXPORTERS.map((x) => x.name).join(', ')}`);
  return e;
}

export type FormatName = 'json' | 'speedscope' | 'pprof' | 'collapsed' | 'html' | 'svg';

/** The format an output path asks for by its ending, or undefined when the ending says nothing. */
export function formatFromPath(outputPath: string): FormatName | undefined {
  const name = path.basename(outputPath).toLowerCase();
  const endings: Array<[string, FormatName]> = [
    ['.speedscope.json', 'speedscope'],
    ['.json.gz', 'json'],
    ['.json', 'json'],
    ['.pb.gz', 'pprof'],
    ['.pprof', 'pprof'],
    ['.pb', 'pprof'],
    ['.folded', 'collapsed'],
    ['.collapsed', 'collapsed'],
    ['.txt', 'collapsed'],
    ['.html', 'html'],
    ['.htm', 'html'],
    ['.svg', 'svg'],
  ];
  return endings.find(([ending]) => name.endsWith(ending))?.[1];
}

/** Files larger than this are refused rather than read into memory. */
export const MAX_IMPORT_BYTES = 512 * 1024 * 1024;
/** Gzip bombs: a decompressed file may not exceed this either. */
const MAX_GUNZIPPED_BYTES = 512 * 1024 * 1024;

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

/**
 * Several recordings as one: processes keyed `host:pid` (or pid), made unique on clashes; times
 * shifted onto the earliest recording's clock.
 */
export function mergeRecordings(recordings: Recording[]): Recording {
  const first = recordings[0].meta;
  const unique = <T>(xs: T[]): T[] => [...new Set(xs)];
  const cwds = unique(recordings.map((r) => r.meta.cwd));
  const b = new RecordingBuilder(
    emptyRecording({
      title: unique(recordings.map((r) => r.meta.title)).join(' + '),
      startTime: Math.min(...recordings.map((r) => r.meta.startTime)),
      endTime: Math.max(...recordings.map((r) => r.meta.endTime)),
      intervalUs: first.intervalUs,
      idle: recordings.some((r) => r.meta.idle),
      source: unique(recordings.map((r) => r.meta.source)).join('+'),
      wspyVersion: first.wspyVersion,
      ...(cwds.length === 1 && cwds[0] !== undefined ? { cwd: cwds[0] } : {}),
    }),
  );
  const taken = new Set<string>();
  for (const r of recordings) {
    const host = r.meta.host;
    const before = b.recording.processes.length;
    b.merge(r, (p) => uniqueKey(taken, baseKey(p.pid, p.host ?? host)));
    // Parent links are found by host and pid, so a recording's host goes onto its processes.
    if (host) for (const p of b.recording.processes.slice(before)) p.host ??= host;
  }
  return b.recording;
}
