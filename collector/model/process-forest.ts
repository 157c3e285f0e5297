// Processes as a forest, children under their parents: the one place that links a process to its
// parent, for the flame graph's process nodes, the report's process table and `wspy ps`. Pure and
// generic, because recordings key processes by host and pid while `wspy ps` has bare pids.

/** A function that finds an item's parent among `items` (undefined for a root, and for an item that names itself). */
export function parentLookup<T>(items: readonly T[], idOf: (item: T) => string | number, parentIdOf: (item: T) => string | number): (item: T) => T | undefined {
  // The last item with an id wins, as a later process with a reused pid is the live one.
  const byId = new Map<string | number, T>();
  for (const item of items) byId.set(idOf(item), item);
  return (item) => {
    const parent = byId.get(parentIdOf(item));
    return parent !== undefined && parent !== item ? parent : undefined;
  };
}

export interface ForestEntry<T> {
  item: T;
  /** 0 for a root. */
  depth: number;
}

/**
 * Depth-first order: every parent followed by its children, which keep the order of `items`.
 * Items whose parent links loop (pid reuse) are listed at the top level, so none is lost.
 */
export function forestOrder<T>(items: readonly T[], parentOf: (item: T) => T | undefined): Array<ForestEntry<T>> {
  const children = new Map<T, T[]>();
  const roots: T[] = [];
  for (const item of items) {
    const parent = parentOf(item);
    if (parent === undefined) roots.push(item);
    else {
      const list = children.get(parent);
      if (list) list.push(item);
      else children.set(parent, [item]);
    }
  }
  const out: Array<ForestEntry<T>> = [];
  const seen = new Set<T>();
  const visit = (item: T, depth: number): void => {
    if (seen.has(item)) return;
    seen.add(item);
    out.push({ item, depth });
    for (const child of children.get(item) ?? []) visit(child, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  for (const item of items) visit(item, 0);
  return out;
}

/**
 * The tree drawing in front of each entry of forestOrder's output: `├ ` for a child with siblings
 * after it, `└ ` for the last, and `│ ` or blanks for each ancestor level, as `tree` draws it. Roots
 * get none.
 */
export function treePrefixes<T>(entries: ReadonlyArray<ForestEntry<T>>): string[] {
  const prefixes = new Array<string>(entries.length);
  // Read backwards: more[k] says whether an entry at depth k follows, before any shallower one, which
  // for the entry at hand means a later sibling of its ancestor at depth k (or of itself, at its depth).
  const more: boolean[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const d = entries[i].depth;
    let prefix = '';
    for (let k = 1; k < d; k++) prefix += more[k] ? '│ ' : '  ';
    if (d > 0) prefix += more[d] ? '├ ' : '└ ';
    prefixes[i] = prefix;
    more[d] = true;
    more.length = d + 1;
  }
  return prefixes;
}
