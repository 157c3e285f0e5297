// Node's CommonJS Module class (`Module._load`, `Module._cache`), taken from this file's own module
// object. `require('module')` returns the same class but first loads Node's public module API (its
// ESM loader and SourceMap class, ~0.4 ms), which every followed child would pay at boot.

export interface CjsModuleClass {
  _load: (request: string, parent: unknown, isMain: boolean) => unknown;
  _cache?: Record<string, { exports?: unknown } | undefined>;
}

export function cjsModuleClass(): CjsModuleClass {
  return module.constructor as unknown as CjsModuleClass;
}
