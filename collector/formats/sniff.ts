// Cheap looks at a file's bytes shared by the importers: gzip magic, text or binary, and JSON parsed
// at most once per buffer however many JSON importers ask for it.

import { gunzipSync } from 'node:zlib';
import { MAX_STACK_DEPTH, UserError } from '../model';

export function isGzip(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** What one gzip layer may decompress to (a gzip bomb is refused rather than filling memory). */
export const MAX_GUNZIPPED_BYTES = 512 * 1024 * 1024;

/**
 * One gzip layer removed, or undefined when it is corrupt, truncated or too large. For importers
 * called on data the dispatcher already unwrapped twice: a third layer is either not theirs or broken.
 */
export function gunzipOrUndefined(bytes: Buffer): Buffer | undefined {
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_GUNZIPPED_BYTES });
  } catch {
    return undefined;
  }
}

/** True when the first bytes look like JSON (after a byte-order mark and white space). */
export function looksLikeJson(bytes: Buffer): boolean {
  const n = Math.min(bytes.length, 64);
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
    if (i === 0 && b === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      i += 2;
      continue;
    }
    return b === 0x7b /* { */ || b === 0x5b /* [ */;
  }
  return false;
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };
const parsed = new WeakMap<Buffer, Parsed>();

/**
 * The buffer parsed as JSON, or undefined when it does not look like JSON at all. Throws a UserError
 * when it starts like JSON but does not parse (truncated, most often).
 */
export function jsonOf(bytes: Buffer, what = 'the JSON'): unknown {
  if (!looksLikeJson(bytes)) return undefined;
  let p = parsed.get(bytes);
  if (!p) {
    // JSON.parse builds every nested array: 400 MB of `[` (a 400 KB gzip) took 22 GB. Refuse first.
    if (nestingExceeds(bytes, MAX_JSON_DEPTH)) {
      throw new UserError(`${what} is nested deeper than ${MAX_JSON_DEPTH} levels, which no profile is`);
    }
    try {
      p = { ok: true, value: JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '')) };
    } catch (e) {
      // V8 quotes the text around the error: the file's own bytes, which may hold line breaks or
      // terminal escape sequences. The message must stay one harmless line.
      p = { ok: false, error: printable((e as Error).message) };
    }
    parsed.set(bytes, p);
  }
  if (!p.ok) throw new UserError(`${what} does not parse (${p.error}); is it truncated?`);
  return p.value;
}

/**
 * How deep JSON may nest. The deepest real layout is the old .cpuprofile's `head` tree, two levels
 * per frame, and the model holds at most MAX_STACK_DEPTH frames.
 */
export const MAX_JSON_DEPTH = 2 * MAX_STACK_DEPTH + 16;

/** True when brackets outside strings nest deeper than `max`: one pass over the bytes, no allocation. */
export function nestingExceeds(bytes: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === 0x5c /* \ */) i++;
      else if (b === 0x22 /* " */) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b /* [ */ || b === 0x7b /* { */) {
      if (++depth > max) return true;
    } else if (b === 0x5d /* ] */ || b === 0x7d /* } */) depth--;
  }
  return false;
}

/** Control characters (line breaks, ESC, C1) shown as \u escapes. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A plain object, or undefined. */
export function objectOf(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** True when the bytes hold no NUL and decode as UTF-8 text. */
export function isText(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 4096);
  if (head.includes(0)) return false;
  return !head.toString('utf8').includes('\uFFFD');
}
