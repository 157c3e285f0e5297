// What kind of code a frame is: Node's own runtime, Node's module loader, a package, or the project.
// The analysis needs this to keep Node's bootstrap apart (no user can remove it) and to find module
// loading. Pure.

import { FrameIndex, packageOf, Recording } from '../model';

export type FrameKind = 'runtime' | 'loader' | 'package' | 'project';

// Loader frames by name, for recordings whose frames lost their file (some foreign formats).
const LOADER_NAMES = new Set([
  'Module._load',
  'Module._compile',
  'Module.require',
  'Module.load',
  'Module._extensions..js',
  'Module._extensions..json',
  'Module._resolveFilename',
  'wrapModuleLoad',
  'require',
  'compileFunctionForCJSLoader',
  'wrapSafe',
  'loadESM',
  'loadESMFromCJS',
  'ModuleLoader.import',
  'ModuleJob.run',
]);

/** One kind per frame of the recording, computed once. */
export function frameKinds(r: Recording): FrameKind[] {
  return r.frames.name.map((_, f) => kindOf(r, f));
}

function kindOf(r: Recording, f: FrameIndex): FrameKind {
  const name = r.strings[r.frames.name[f]];
  const file = r.strings[r.frames.file[f]];
  // CommonJS and ESM loaders both live under node:internal/modules/ (cjs/loader, esm/*, helpers' require).
  if (file.startsWith('node:internal/modules/')) return 'loader';
  if (!file || file.startsWith('node:') || file.startsWith('internal/')) {
    return !file && LOADER_NAMES.has(name) ? 'loader' : 'runtime';
  }
  return packageOf(file) !== undefined ? 'package' : 'project';
}

/** True for frames a user can change: project and package code. */
export function isUserCode(kind: FrameKind): boolean {
  return kind === 'package' || kind === 'project';
}

/**
 * Frames that are a module's top-level code: anonymous user frames called straight from the module
 * loader. Their cost is module loading, which the start-up and package accounting reports; listing
 * them as repeated functions would only repeat the sum of what they load and call.
 */
export function moduleTopLevelFrames(r: Recording, kinds: FrameKind[]): Set<FrameIndex> {
  const out = new Set<FrameIndex>();
  const { frame, parent } = r.stacks;
  for (let s = 0; s < frame.length; s++) {
    const f = frame[s];
    if (parent[s] < 0 || !isUserCode(kinds[f]) || r.strings[r.frames.name[f]] !== '') continue;
    if (kinds[frame[parent[s]]] === 'loader') out.add(f);
  }
  return out;
}
