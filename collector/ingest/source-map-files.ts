// Finds the source map of a generated JavaScript file on disk: the last `//# sourceMappingURL=` comment
// of the file (tsc --sourceMap, esbuild --sourcemap, webpack, ...) names a .map file beside it or
// carries the map inline as a data: URL. Files are only read, never run; every read is capped, and
// only regular files are opened, so a frame naming /dev/zero or a FIFO costs nothing.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { decodeDataUrl, lastMappingUrl } from '../../agent/source-maps';

/** A generated file larger than this is not searched for a map. */
export const MAX_SCRIPT_BYTES = 64 * 2 ** 20;
/** A .map file (or inline map) larger than this is not used. */
export const MAX_MAP_BYTES = 64 * 2 ** 20;
/** The tail of a script read first: the comment is on its last line, and usually short. */
const TAIL_BYTES = 16 * 1024;

/** Scripts whose maps are looked for on disk. TypeScript files run by tsx or ts-node are mapped by the agent. */
const GENERATED_SCRIPT = /\.(c|m)?jsx?$/i;

export interface FoundMap {
  /** The map's JSON text. */
  json: string;
  /** Where the map's relative `sources` are resolved from: the .map file, or the script for inline maps. */
  url: string;
}

/** The local path of a frame's file (`/abs/app.js` or `file:///abs/app.js`), or undefined for anything else. */
export function localPath(file: string): string | undefined {
  if (file.startsWith('file://')) {
    try {
      return fileURLToPath(file);
    } catch {
      return undefined;
    }
  }
  return path.isAbsolute(file) ? file : undefined;
}

/**
 * The source map of the script a frame names, or undefined when it has none, cannot be read, or is
 * not a generated JavaScript file. `problem` hears why a map that the script names was not used.
 */
export function findSourceMap(file: string, problem: (message: string) => void = () => {}): FoundMap | undefined {
  const script = localPath(file);
  if (!script || !GENERATED_SCRIPT.test(script)) return undefined;
  const comment = mappingUrlOf(script);
  if (!comment) return undefined;
  if (comment.startsWith('data:')) {
    const json = decodeDataUrl(comment);
    if (json === undefined) problem(`${script}: its inline source map is not a JSON data: URL`);
    return json === undefined ? undefined : { json, url: file };
  }
  let mapPath: string;
  try {
    mapPath = path.resolve(path.dirname(script), decodeURIComponent(comment.split(/[?#]/)[0]));
  } catch {
    return undefined;
  }
  const json = readCapped(mapPath, MAX_MAP_BYTES);
  if (json === undefined) {
    problem(`${script}: its source map ${mapPath} is missing, unreadable or larger than ${MAX_MAP_BYTES / 2 ** 20} MiB`);
    return undefined;
  }
  // Keep the frame's own form: a file: URL stays a URL, a path a path.
  return { json, url: file.startsWith('file://') ? pathToFileURL(mapPath).href : mapPath };
}

/** The URL of the script's last sourceMappingURL comment, reading its tail first and all of it only for a long last line. */
function mappingUrlOf(script: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(script, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size === 0 || st.size > MAX_SCRIPT_BYTES) return undefined;
    const tailStart = Math.max(0, st.size - TAIL_BYTES);
    let text = readAt(fd, tailStart, st.size - tailStart);
    // An inline map makes the last line longer than the tail: then the whole file is needed.
    const lastLine = text.trimEnd().lastIndexOf('\n');
    if (tailStart > 0 && lastLine < 0) text = readAt(fd, 0, st.size);
    return lastMappingUrl(text);
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

function readAt(fd: number, position: number, length: number): string {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buf.toString('utf8', 0, done);
}

function readCapped(file: string, maxBytes: number): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size > maxBytes) return undefined;
    return readAt(fd, 0, st.size);
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}
