// Frames of code compiled in memory (tsx, ts-node) moved to the TypeScript they came from. Such code
// has no map on disk: V8 names the .ts file but counts lines of the JavaScript the loader produced,
// which only this process has. Two places hold its map:
//  - Node's own source map cache (`module.findSourceMap`), filled when source maps are enabled
//    (tsx calls process.setSourceMapsEnabled(true); --enable-source-maps does it for anyone);
//  - ts-node's output cache, reached through the retrieveFile handlers that it registers with
//    @cspotcode/source-map-support on that library's versioned shared global; the compiled output
//    ends with an inline map.
// Only scripts that are not .js/.cjs/.mjs are looked up (generated JavaScript on disk is mapped by
// the collector, docs in collector/ingest), once per script, so plain JavaScript pays a regex test
// per distinct frame of a chunk and nothing else. Nothing here may throw into the program.
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import type { WireFrame } from './protocol';

interface Entry {
  originalSource?: string;
  originalLine?: number;
  originalColumn?: number;
}

/** Node's `module.SourceMap`: positions are 0-based. */
interface NodeSourceMap {
  findEntry(line: number, column: number): Entry;
}

interface SourceMapModule {
  findSourceMap?: (file: string) => NodeSourceMap | undefined;
  SourceMap?: new (payload: unknown) => NodeSourceMap;
}

/** JavaScript that may have a map on disk (the collector reads it there), or V8's own code: no lookup. */
function skipped(script: string): boolean {
  return script === '' || script.endsWith('.js') || script.endsWith('.mjs') || script.endsWith('.cjs') || script.startsWith('node:');
}
/** An inline map larger than this is not decoded. */
const MAX_INLINE_MAP_CHARS = 64 * 2 ** 20;

const maps = new Map<string, NodeSourceMap | null>();
/** Places already found (Node's findEntry costs a few µs), keyed by script, line and column. */
const placed = new Map<string, WireFrame>();

/**
 * The frame at its original place when this process holds a map of its script, else the frame as
 * it is. `line` and `column` are 1-based, as V8's CPU profiler gives them.
 */
export function placeFrame(frame: WireFrame): WireFrame {
  const script = frame[1];
  if (skipped(script) || frame[2] <= 0) return frame;
  const [name, , line, column] = frame;
  const key = `${name}\0${script}\0${line}\0${column}`;
  const known = placed.get(key);
  if (known) return known;
  try {
    let map = maps.get(script);
    if (map === undefined) {
      map = inMemoryMap(script) ?? null;
      maps.set(script, map);
    }
    let place = frame;
    if (map) {
      const e = map.findEntry(line - 1, Math.max(0, column - 1));
      if (typeof e.originalSource === 'string' && typeof e.originalLine === 'number') {
        place = [name, sameForm(e.originalSource, script), e.originalLine + 1, (e.originalColumn ?? -1) + 1];
      }
    }
    placed.set(key, place);
    return place;
  } catch {
    return frame;
  }
}

function inMemoryMap(script: string): NodeSourceMap | undefined {
  // Required here, not at the top: the public 'module' loads Node's ESM loader and SourceMap class
  // (~0.4 ms), which every forked child would pay at boot though few ever map a frame.
  const m = require('module') as SourceMapModule;
  const cached = m.findSourceMap?.(script);
  if (cached) return cached;
  return m.SourceMap ? tsNodeMap(script, m.SourceMap) : undefined;
}

/** The inline map at the end of ts-node's compiled output for `script`, if ts-node compiled it. */
function tsNodeMap(script: string, SourceMap: new (payload: unknown) => NodeSourceMap): NodeSourceMap | undefined {
  const shared = (globalThis as Record<symbol, unknown>)[Symbol.for('source-map-support/sharedData')] as
    | { retrieveFileHandlers?: unknown }
    | undefined;
  const handlers = shared?.retrieveFileHandlers;
  if (!Array.isArray(handlers)) return undefined;
  for (const handler of handlers) {
    if (typeof handler !== 'function') continue;
    const output: unknown = handler(script);
    if (typeof output !== 'string' || output === '') continue;
    const url = lastMappingUrl(output);
    const json = url?.startsWith('data:') ? decodeDataUrl(url) : undefined;
    if (json !== undefined) return new SourceMap(JSON.parse(json));
  }
  return undefined;
}

const MAPPING_URL = /\/[*/][#@][ \t]+sourceMappingURL=([^\s'"*]+)/g;

/** The URL of a script's last sourceMappingURL comment (the one that counts, as in V8 and Node). */
export function lastMappingUrl(text: string): string | undefined {
  let url: string | undefined;
  for (const m of text.matchAll(MAPPING_URL)) url = m[1];
  return url;
}

/** The JSON text of a `data:application/json[;charset=...][;base64],...` URL. */
export function decodeDataUrl(url: string): string | undefined {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0) return undefined;
  const header = url.slice(5, comma).toLowerCase();
  if (!header.startsWith('application/json')) return undefined;
  const body = url.slice(comma + 1);
  if (body.length > MAX_INLINE_MAP_CHARS) return undefined;
  try {
    return header.split(';').includes('base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
  } catch {
    return undefined;
  }
}

/** A source named as V8 named the script: a path for a path, a file: URL for a URL. */
function sameForm(source: string, script: string): string {
  const scriptIsUrl = script.startsWith('file://');
  const base = scriptIsUrl ? script : pathToFileURL(script).href;
  const url = path.isAbsolute(source) ? pathToFileURL(source).href : new URL(source, base).href;
  if (!url.startsWith('file://')) return source;
  return scriptIsUrl ? url : fileURLToPath(url);
}
