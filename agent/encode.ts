// Turns one sampled call tree into a self-contained chunk: frames deduplicated within the chunk,
// nodes in preorder as (parent, frame, hits) triples, subtrees without samples left out. Frames of
// code compiled in memory (tsx, ts-node) are placed at their TypeScript lines here (source-maps.ts).
import type { ChunkMessage, WireFrame } from './protocol';
import type { ProfileNode } from './sampler';
import { placeFrame } from './source-maps';

export interface ChunkWindow {
  pid: number;
  seq: number;
  start: number;
  end: number;
}

/** The chunk for `root`, or undefined when the tree holds no sample at all. */
export function encodeChunk(
  root: ProfileNode,
  window: ChunkWindow,
  place: (frame: WireFrame) => WireFrame = placeFrame,
): ChunkMessage | undefined {
  const totals = new Map<ProfileNode, number>();
  if (subtreeHits(root, totals) === 0) return undefined;
  const frames: WireFrame[] = [];
  const frameIndex = new Map<string, number>();
  const nodes: number[] = [];

  const frameOf = (n: ProfileNode): number => {
    const frame: WireFrame = [n.name, n.scriptName, n.lineNumber, n.columnNumber];
    const key = frame.join('\0');
    let i = frameIndex.get(key);
    if (i === undefined) {
      i = frames.length;
      frames.push(place(frame));
      frameIndex.set(key, i);
    }
    return i;
  };
  const visit = (n: ProfileNode, parent: number): void => {
    if (!totals.get(n)) return;
    const self = nodes.length / 3;
    nodes.push(parent, frameOf(n), n.hitCount);
    for (const c of n.children) visit(c, self);
  };
  // V8's own "(root)" node carries no meaning of its own: its children are the wire's top level.
  for (const c of root.children) visit(c, -1);
  return { t: 'chunk', pid: window.pid, seq: window.seq, start: window.start, end: window.end, frames, nodes };
}

function subtreeHits(n: ProfileNode, totals: Map<ProfileNode, number>): number {
  let sum = n.hitCount;
  for (const c of n.children) sum += subtreeHits(c, totals);
  totals.set(n, sum);
  return sum;
}
