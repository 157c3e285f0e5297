// Turns one sampled call tree into a self-contained chunk: frames deduplicated within the chunk,
// nodes in preorder as (parent, frame, hits) triples, subtrees without samples left out. Frames of
// code compiled in memory (tsx, ts-node) are placed at their TypeScript lines here (source-maps.ts).
//
// It runs in the exit handler of every profiled process, so it walks the tree once and allocates
// little: a node is written when it is reached and taken back (the arrays truncated) when its
// subtree turns out to hold no sample; frames are keyed by one string per node, and a frame
// interned only for a subtree that was taken back is taken back with it. Frames are placed once
// each, after the walk, so that only frames the chunk keeps pay for it.
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
  const out = new ChunkWriter();
  // V8's own "(root)" node carries no meaning of its own: its children are the wire's top level.
  let hits = 0;
  for (const c of root.children) hits += out.visit(c, -1);
  if (hits === 0) return undefined;
  const frames = out.frames;
  for (let i = 0; i < frames.length; i++) frames[i] = place(frames[i]);
  return { t: 'chunk', pid: window.pid, seq: window.seq, start: window.start, end: window.end, frames, nodes: out.nodes };
}

class ChunkWriter {
  readonly frames: WireFrame[] = [];
  readonly nodes: number[] = [];
  private readonly frameIndex = new Map<string, number>();
  /** frameKeys[i] is the key of frames[i], so that frames taken back leave the index too. */
  private readonly frameKeys: string[] = [];

  /** Writes `n`'s sampled subtree under node `parent`; returns the subtree's samples. */
  visit(n: ProfileNode, parent: number): number {
    const nodesMark = this.nodes.length;
    const framesMark = this.frames.length;
    const self = nodesMark / 3;
    this.nodes.push(parent, this.frameOf(n), n.hitCount);
    let hits = n.hitCount;
    const children = n.children;
    for (let i = 0; i < children.length; i++) hits += this.visit(children[i], self);
    if (hits === 0) this.takeBack(nodesMark, framesMark);
    return hits;
  }

  private frameOf(n: ProfileNode): number {
    const key = `${n.name}\0${n.scriptName}\0${n.lineNumber}\0${n.columnNumber}`;
    let i = this.frameIndex.get(key);
    if (i === undefined) {
      i = this.frames.length;
      this.frames.push([n.name, n.scriptName, n.lineNumber, n.columnNumber]);
      this.frameKeys.push(key);
      this.frameIndex.set(key, i);
    }
    return i;
  }

  private takeBack(nodesMark: number, framesMark: number): void {
    this.nodes.length = nodesMark;
    for (let i = framesMark; i < this.frameKeys.length; i++) this.frameIndex.delete(this.frameKeys[i]);
    this.frames.length = framesMark;
    this.frameKeys.length = framesMark;
  }
}
