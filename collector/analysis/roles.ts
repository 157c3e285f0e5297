// Set-up or the job, from structure rather than timing alone, and what an item's GC is. Pure.
//
// - Work during module loading is set-up, unless the children do nothing after loading: then each
//   child's job ran at load (its input came in argv), and the costliest project work that is not
//   spent in a library is the job.
// - Work after start-up is the job (it may be what every job must do), unless it is compile-type:
//   template and schema compilers (ajv, pug, handlebars) memoise on the first job, so their work is
//   set-up that a precompiled build removes.
// - GC: V8 samples the collector with no JS stack under it, so each member's GC samples are shared
//   over the JS that ran in the same window (start-up or after) in proportion to its CPU: an item
//   with 60 % of a child's start-up JS gets 60 % of its start-up GC. Allocation-heavy work (schema
//   compilation, ORM set-up) causes more than its share and so is still under-counted somewhat.

import { packageOf, Recording, ROOT_STACK } from '../model';
import { FrameKind, isUserCode } from './classify';
import { checkParentsFirst, MemberSamples, StackMs } from './member';

/** Function names of compilers (ajv's compile/compileSchema, pug's compile/compileBody, handlebars' precompile). */
const COMPILE_NAME = /compil/i;
/** Packages that only ever run to compile (pug's pipeline). */
const COMPILE_PACKAGES = /^(pug-(lexer|parser|code-gen|linker|load|filters|strip-comments|walk|attrs)|@babel\/(parser|generator|traverse)|acorn|uglify-js|terser|esprima)$/;

export interface StackFlags {
  /** A compiler frame (package code) is on the stack. */
  compile: Uint8Array;
  /** The deepest user frame on the stack is package code: the time is spent in a library. */
  inLibrary: Uint8Array;
}

export function stackFlags(r: Recording, kinds: FrameKind[]): StackFlags {
  checkParentsFirst(r);
  const { frame, parent } = r.stacks;
  const compileFrame = kinds.map((k, f) => {
    if (k !== 'package') return false;
    if (COMPILE_NAME.test(r.strings[r.frames.name[f]])) return true;
    return COMPILE_PACKAGES.test(packageOf(r.strings[r.frames.file[f]]) ?? '');
  });
  const compile = new Uint8Array(frame.length);
  const inLibrary = new Uint8Array(frame.length);
  for (let s = 0; s < frame.length; s++) {
    const p = parent[s];
    const f = frame[s];
    compile[s] = (p !== ROOT_STACK && compile[p]) || compileFrame[f] ? 1 : 0;
    inLibrary[s] = isUserCode(kinds[f]) ? (kinds[f] === 'package' ? 1 : 0) : p === ROOT_STACK ? 0 : inLibrary[p];
  }
  return { compile, inLibrary };
}

/** Ms of a member's stacks that carry a flag. */
export function flaggedMs(m: StackMs, flag: Uint8Array): number {
  let t = 0;
  for (let i = 0; i < m.stacks.length; i++) if (m.stacks[i] !== ROOT_STACK && flag[m.stacks[i]]) t += m.ms[i];
  return t;
}

/** The GC a member's item causes by the rule above, given its ms in the start-up window and in all. */
export function gcShare(m: MemberSamples, startupMs: number, allMs: number): number {
  const workMs = Math.max(0, allMs - startupMs);
  const early = m.jsMs.startup > 0 ? (m.gcMs.startup * Math.min(startupMs, m.jsMs.startup)) / m.jsMs.startup : 0;
  const late = m.jsMs.work > 0 ? (m.gcMs.work * Math.min(workMs, m.jsMs.work)) / m.jsMs.work : 0;
  return early + late;
}

/** Share of a (nearly) constant cost: how much the item's cost varies between members (IQR / median). */
export function relativeSpread(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length < 4) return 0;
  const q = (x: number): number => s[Math.min(s.length - 1, Math.max(0, Math.round((s.length - 1) * x)))];
  const median = q(0.5);
  return median > 0 ? (q(0.75) - q(0.25)) / median : 0;
}
