// Frames of generated JavaScript moved to the code they were generated from, through the source
// maps on disk (tsc --sourceMap, inline maps, esbuild and other bundles), before any output or the
// analysis sees the recording. Each file that frames name is looked at once; a file without a map,
// or a map without an answer for a frame, leaves that frame as it was.

import { FlattenMap, GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND, originalPositionFor, TraceMap, traceSegment } from '@jridgewell/trace-mapping';
import { pathToFileURL } from 'node:url';
import { FrameIndex, FramePlace, Recording, relocateFrames } from '../model';
import { findSourceMap, localPath } from './source-map-files';

export interface SourceMapResult {
  recording: Recording;
  /** Frames moved to their original place. */
  mapped: number;
  /** Scripts whose maps were used. */
  maps: number;
  /** Maps that scripts of the project (not of node_modules) name but that could not be used. */
  problems: string[];
}

/**
 * The recording with its frames at their original places, where the files they name have source
 * maps. Never throws: a broken map only leaves its frames unmapped (and, for project files, says so).
 */
export function applySourceMaps(r: Recording): SourceMapResult {
  try {
    return relocateThroughMaps(r);
  } catch (e) {
    // A bug here must not cost the recording: it is kept as it was recorded.
    return { recording: r, mapped: 0, maps: 0, problems: [`source maps were not applied: ${(e as Error).message}`] };
  }
}

/** A frame at a place in a file, as `wspy dump` prints it (agent/stack-dump.ts StackFrame). */
export interface PlacedFrame {
  name: string;
  file: string;
  line: number;
  column: number;
}

/**
 * `wspy dump`'s frames moved to where their code was written, through the same maps as a
 * recording's. A dump's line and column are where the frame is executing (not where its function
 * starts), so the mapped line is that statement's. `maps` caches each file's map across calls
 * (one per command). Never throws: a frame without an answer stays as it was.
 */
export function placeFramesThroughMaps<F extends PlacedFrame>(frames: F[], maps: Map<string, TraceMap | undefined> = new Map()): F[] {
  return frames.map((frame) => {
    try {
      if (!frame.file || frame.line <= 0) return frame;
      if (!maps.has(frame.file)) maps.set(frame.file, loadMap(frame.file, [])); // a dump says nothing of broken maps: it is for a hang
      const map = maps.get(frame.file);
      const place = map && originalPlace(map, frame.file, frame.name, frame.line, frame.column);
      return place ? { ...frame, file: place.file, line: place.line, column: place.column, name: place.name ?? frame.name } : frame;
    } catch {
      return frame;
    }
  });
}

function relocateThroughMaps(r: Recording): SourceMapResult {
  const problems: string[] = [];
  const mapsByFile = new Map<number, TraceMap | undefined>();
  const places = new Map<FrameIndex, FramePlace>();
  const t = r.frames;
  for (let f = 0; f < t.name.length; f++) {
    const fileIndex = t.file[f];
    if (!mapsByFile.has(fileIndex)) mapsByFile.set(fileIndex, loadMap(r.strings[fileIndex], problems));
    const map = mapsByFile.get(fileIndex);
    if (!map || t.line[f] <= 0) continue;
    try {
      const place = originalPlace(map, r.strings[fileIndex], r.strings[t.name[f]], t.line[f], t.column[f]);
      if (place) places.set(f, place);
    } catch {
      // A map that parses but cannot answer (inconsistent segments) leaves the frame where it is.
    }
  }
  const maps = [...mapsByFile.values()].filter(Boolean).length;
  return { recording: relocateFrames(r, (f) => places.get(f)), mapped: places.size, maps, problems };
}

function loadMap(file: string, problems: string[]): TraceMap | undefined {
  const inProject = !/[\\/]node_modules[\\/]/.test(file);
  const problem = (m: string) => {
    if (inProject) problems.push(m);
  };
  const found = findSourceMap(file, problem);
  if (!found) return undefined;
  try {
    // FlattenMap reads plain maps and sectioned (index) maps alike.
    return new FlattenMap(found.json, found.url);
  } catch (e) {
    problem(`${localPath(file) ?? file}: its source map is broken (${(e as Error).message})`);
    return undefined;
  }
}

/**
 * Where a function that starts at (line, column) of the generated file was written. V8 gives the
 * function's start; the nearest mapping at or before it on that line (else the first after it) is
 * the function's first token. V8 puts a function's start just after its name (`function u(`): a
 * minifier's short name is replaced by the original one when the map names the identifier that
 * ends exactly there.
 */
function originalPlace(map: TraceMap, file: string, name: string, line: number, column: number): FramePlace | undefined {
  const needle = { line, column: Math.max(0, column - 1) };
  let pos = originalPositionFor(map, { ...needle, bias: GREATEST_LOWER_BOUND });
  if (pos.source === null) pos = originalPositionFor(map, { ...needle, bias: LEAST_UPPER_BOUND });
  if (pos.source === null || pos.line === null) return moduleBody(map, file, line, column);
  const place: FramePlace = { file: sameForm(pos.source, file), line: pos.line, column: (pos.column ?? -1) + 1 };
  const segment = traceSegment(map, line - 1, needle.column);
  if (pos.name && pos.name !== name && segment?.length === 5 && segment[0] + name.length === needle.column) place.name = pos.name;
  return place;
}

/**
 * A module's top-level code starts at 1:1, before the first mapping (tsc maps no `"use strict"`):
 * it is the top of the one source the script was compiled from. A bundle's top level stays where it is.
 */
function moduleBody(map: TraceMap, file: string, line: number, column: number): FramePlace | undefined {
  const sources = map.resolvedSources;
  if (line !== 1 || column > 1 || sources.length !== 1 || sources[0] === null) return undefined;
  return { file: sameForm(sources[0], file), line: 1, column: 1 };
}

/** A source named as the frame's file was: a path for a path, a file: URL for a URL. */
function sameForm(source: string, file: string): string {
  if (file.startsWith('file://')) return source.startsWith('/') ? pathToFileURL(source).href : source;
  return localPath(source) ?? source;
}
