// What a narrower require of a package still loads. Pure.
//
// The samples give the require tree (a node per chain of package modules being loaded, as
// PackageLoads builds it) and the files whose code runs in the jobs ("used": a package frame outside
// any package's loading). A narrower require replaces the require of the package's entry with a
// require of the part the jobs use, so it skips:
// - the entry itself, and each index it reaches that fans out to many parallel sub-modules of which
//   the jobs use few (aws-sdk's clients/all.js, requiring every client); their own loading work
//   (compiling and resolving what they require) is kept only in the share of their children that
//   is kept;
// - every sub-module of a skipped module that holds no used file.
// It still loads in full every used file and every other module that holds a used file (aws-sdk's
// lib/node_loader.js and lib/core.js: the core the S3 client requires), with all they require.
// A file that a skipped sub-module loaded first but that the jobs use (Node caches modules, so it
// shows under whichever module required it first) is kept, found by descending into skipped
// sub-modules that hold a used file.

/** An index fans out when it requires at least this many sub-modules... */
const FANOUT_MIN_CHILDREN = 8;
/** ...and those that hold a used file are at most this share of them, by count and by cost. */
const FANOUT_USED_SHARE = 0.25;

/** The require tree of a family's package loads: node 0 is "nothing being loaded". */
export interface LoadTree {
  /** Per node, its parent node (-1 for node 0). Parents come before their children. */
  parent: ArrayLike<number>;
  /** Per node, the file (string index) being loaded. */
  file: ArrayLike<number>;
  /** Per node, the family's ms with that node as the innermost module being loaded. */
  selfMs: ArrayLike<number>;
}

/** Ms a narrower require still loads, of the loads rooted at `roots` (the package's entry nodes). */
export function narrowNeededMs(tree: LoadTree, roots: number[], used: ReadonlySet<number>): number {
  const n = tree.parent.length;
  const children: number[][] = Array.from({ length: n }, () => []);
  for (let v = 1; v < n; v++) if (tree.parent[v] >= 0) children[tree.parent[v]].push(v);
  // Inclusive ms and "holds a used file", children before parents.
  const inclusive = Float64Array.from({ length: n }, (_, v) => tree.selfMs[v]);
  const holdsUsed = Uint8Array.from({ length: n }, (_, v) => (used.has(tree.file[v]) ? 1 : 0));
  for (let v = n - 1; v > 0; v--) {
    const p = tree.parent[v];
    if (p <= 0) continue;
    inclusive[p] += inclusive[v];
    if (holdsUsed[v]) holdsUsed[p] = 1;
  }
  const fansOut = (v: number): boolean => {
    const kids = children[v];
    if (kids.length < FANOUT_MIN_CHILDREN) return false;
    const usedKids = kids.filter((c) => holdsUsed[c]);
    const all = kids.reduce((t, c) => t + inclusive[c], 0);
    const usedMs = usedKids.reduce((t, c) => t + inclusive[c], 0);
    return usedKids.length <= FANOUT_USED_SHARE * kids.length && usedMs <= FANOUT_USED_SHARE * all;
  };
  // A module the narrower require skips: what of it is still loaded.
  const skipped = (v: number): number => {
    let kept = 0;
    let all = 0;
    for (const c of children[v]) {
      all += inclusive[c];
      kept += keptOf(c, v);
    }
    return kept + (all > 0 ? (tree.selfMs[v] * kept) / all : 0);
  };
  // A sub-module `c` of the skipped module `v`.
  const keptOf = (c: number, v: number): number => {
    if (used.has(tree.file[c])) return inclusive[c];
    if (!holdsUsed[c]) return 0;
    // A parallel sibling of a fan-out (a client the jobs do not use that loaded a shared file first),
    // or an index that fans out itself: skipped too, keeping the used files under it.
    if (fansOut(v) || fansOut(c)) return skipped(c);
    return inclusive[c];
  };
  return roots.reduce((t, root) => t + (used.has(tree.file[root]) ? inclusive[root] : skipped(root)), 0);
}
