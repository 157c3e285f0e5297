// Frames moved to where their code was written: a source map (or any other knowledge) says that the
// function at `dist/app.js:3:10` is really `src/app.ts:2:1`, and the Recording is rebuilt with the
// frame at its new place. Frames that land on the same place become one frame, and stacks that then
// coincide become one stack, so every output sees one function once. Pure.

import { emptyRecording, FrameIndex, Recording, RecordingBuilder, ROOT_STACK, StackIndex } from './recording';

/** Where a frame's function really is: its file (path or URL), 1-based line and column (0 unknown). */
export interface FramePlace {
  file: string;
  line: number;
  column: number;
  /** The function's original name, when it differs (a minified bundle's map names it). */
  name?: string;
}

/**
 * The recording with each frame for which `placeOf` answers moved there (its name kept unless the place names another); the same
 * recording, untouched, when no frame moves. Sample times, counts and processes are unchanged.
 */
export function relocateFrames(r: Recording, placeOf: (f: FrameIndex) => FramePlace | undefined): Recording {
  const places = r.frames.name.map((_, f) => placeOf(f));
  if (places.every((p) => p === undefined)) return r;
  const b = new RecordingBuilder(emptyRecording({ ...r.meta }));
  const t = r.frames;
  const frames = places.map((p, f) =>
    p ? b.frame(p.name ?? r.strings[t.name[f]], p.file, p.line, p.column) : b.frame(r.strings[t.name[f]], r.strings[t.file[f]], t.line[f], t.column[f]),
  );
  // Stacks are stored parent-before-child, so one pass translates them all.
  const stacks = new Array<StackIndex>(r.stacks.frame.length);
  for (let s = 0; s < stacks.length; s++) {
    const parent = r.stacks.parent[s];
    stacks[s] = b.stack(frames[r.stacks.frame[s]], parent === ROOT_STACK ? ROOT_STACK : stacks[parent]);
  }
  b.recording.processes = r.processes.map((p) => ({ ...p, samples: { ...p.samples, stack: p.samples.stack.map((s) => stacks[s]) } }));
  return b.recording;
}
