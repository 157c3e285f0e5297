// Which call a user would change for a repeated function. Pure.

import type { FamilyAnalysis } from './types';

/**
 * The caller of a repeated function on its family's costliest repeated call path. The analysis lists
 * the deepest function that carries the cost; its caller is often the call a user would change
 * (configureModels over the defineModel it calls), so sentences name it too. A module's top-level
 * code (an anonymous caller) says nothing a user can act on, so it is not named.
 */
export function callerOf(f: FamilyAnalysis, label: string): string | undefined {
  const path = f.paths.find((p) => p.frames.length > 1 && p.frames[p.frames.length - 1] === label);
  const caller = path?.frames[path.frames.length - 2];
  return caller === undefined || caller.startsWith('(anonymous)') ? undefined : caller;
}
