// Turns a Recording into call trees (what flame graphs draw). Pure.

import { framesOf, IDLE_FRAME_NAME, ProcessRecord, Recording, ROOT_STACK, samplesToMs, StackIndex } from './recording';
import { frameLabel, processLabel } from './names';
import { baseKey } from './keys';
import { parentLookup } from './process-forest';

export interface CallTreeNode {
  name: string;
  /** Samples in this node and below. */
  value: number;
  children: CallTreeNode[];
  /** Set on process nodes: the process key(s) they stand for. */
  processes?: string[];
  /** Set on frame nodes: index into the recording's frame table. */
  frame?: number;
}

export interface TreeOptions {
  /** Keep samples whose leaf is V8's (idle) frame. */
  idle?: boolean;
  /** Merge processes that run the same command into one node. */
  groupByCommand?: boolean;
  /** Nest child processes under their parent's node (py-spy --subprocesses style). Default true. */
  nestChildren?: boolean;
}

/** Sample counts per stack of one process, idle samples dropped unless asked for. */
export function countsByStack(r: Recording, p: ProcessRecord, idle = r.meta.idle): Map<StackIndex, number> {
  const counts = new Map<StackIndex, number>();
  forEachCounted(r, p, idle, (s, c) => counts.set(s, (counts.get(s) ?? 0) + c));
  return counts;
}

/** CPU ms per stack of one process: countsByStack() weighted by the process's sampling interval. */
export function msByStack(r: Recording, p: ProcessRecord, idle = r.meta.idle): Map<StackIndex, number> {
  const ms = new Map<StackIndex, number>();
  for (const [s, c] of countsByStack(r, p, idle)) ms.set(s, samplesToMs(p, c));
  return ms;
}

/** The number of samples countsByStack() counts, without building its Map. */
export function countedSamples(r: Recording, p: ProcessRecord, idle = r.meta.idle): number {
  let n = 0;
  forEachCounted(r, p, idle, (_, c) => (n += c));
  return n;
}

function forEachCounted(r: Recording, p: ProcessRecord, idle: boolean, visit: (s: StackIndex, count: number) => void): void {
  const idleFrames = idle ? undefined : idleFrameSet(r);
  const { stack, count } = p.samples;
  for (let i = 0; i < stack.length; i++) {
    const s = stack[i];
    if (idleFrames && s !== ROOT_STACK && idleFrames.has(r.stacks.frame[s])) continue;
    visit(s, count[i]);
  }
}

/** Frames that are V8's (idle) frame: a sample whose leaf is one of them is idle time. */
function idleFrameSet(r: Recording): Set<number> {
  const set = new Set<number>();
  r.frames.name.forEach((n, f) => {
    if (r.strings[n] === IDLE_FRAME_NAME) set.add(f);
  });
  return set;
}

/** Adds the samples of `counts` below `node`, one child per frame. */
export function addStacks(r: Recording, node: CallTreeNode, counts: Map<StackIndex, number>, labels = frameLabels(r)): void {
  const nodeOfStack = new Map<StackIndex, CallTreeNode>();
  nodeOfStack.set(ROOT_STACK, node);
  const nodeFor = (s: StackIndex): CallTreeNode => {
    let n = nodeOfStack.get(s);
    if (n) return n;
    const parent = nodeFor(r.stacks.parent[s]);
    const f = r.stacks.frame[s];
    const name = labels[f];
    n = parent.children.find((c) => c.frame === f && c.name === name);
    if (!n) {
      n = { name, value: 0, children: [], frame: f };
      parent.children.push(n);
    }
    nodeOfStack.set(s, n);
    return n;
  };
  for (const [s, c] of counts) {
    if (c <= 0) continue;
    for (let n: CallTreeNode | undefined = nodeFor(s), t = s; ; t = r.stacks.parent[t]) {
      n!.value += c;
      if (t === ROOT_STACK) break;
      n = nodeOfStack.get(r.stacks.parent[t]);
    }
  }
}

export function frameLabels(r: Recording): string[] {
  return r.frames.name.map((_, f) => frameLabel(r, f));
}

/**
 * The whole recording as one tree: root, then one node per process (nested under its parent process
 * unless nestChildren is false), then that process's stacks.
 */
export function recordingTree(r: Recording, opts: TreeOptions = {}): CallTreeNode {
  const labels = frameLabels(r);
  const root: CallTreeNode = { name: 'all', value: 0, children: [] };
  const nest = opts.nestChildren !== false;
  const parentInRecording = processParents(r);
  const parentOf = (p: ProcessRecord): ProcessRecord | undefined => (nest ? parentInRecording(p) : undefined);

  const nodes = new Map<string, CallTreeNode>();
  const nodeOf = (p: ProcessRecord, seen = new Set<string>()): CallTreeNode => {
    const groupKey = opts.groupByCommand ? `${parentGroupKey(p)}\u0000${p.command}` : p.key;
    let n = nodes.get(groupKey);
    if (n) {
      if (!n.processes!.includes(p.key)) n.processes!.push(p.key);
      return n;
    }
    seen.add(p.key);
    const parentProcess = parentOf(p);
    const parent = parentProcess && !seen.has(parentProcess.key) ? nodeOf(parentProcess, seen) : root;
    n = { name: processLabel(p), value: 0, children: [], processes: [p.key] };
    nodes.set(groupKey, n);
    parent.children.push(n);
    return n;
  };
  const parentGroupKey = (p: ProcessRecord): string => {
    const q = parentOf(p);
    return q ? `${parentGroupKey(q)}/${q.command}` : '';
  };

  for (const p of r.processes) nodeOf(p);
  // Frames are added per process; values then bubble up through process nodes.
  for (const p of r.processes) {
    const n = nodeOf(p);
    addStacks(r, n, countsByStack(r, p, opts.idle ?? r.meta.idle), labels);
  }
  if (opts.groupByCommand) {
    for (const n of nodes.values()) {
      if (n.processes!.length > 1) n.name = `${n.processes!.length} x ${n.name.replace(/^.*?pid \d+: /, '')}`;
    }
  }
  sumProcessNodes(root);
  return root;
}

/** Process nodes got only their own frames' values: add their child processes' totals. */
function sumProcessNodes(n: CallTreeNode): number {
  if (n.frame !== undefined) return n.value;
  let own = 0;
  let fromChildProcesses = 0;
  for (const c of n.children) {
    if (c.frame !== undefined) own += c.value;
    else fromChildProcesses += sumProcessNodes(c);
  }
  n.value = own + fromChildProcesses;
  return n.value;
}

/** Finds a process's parent in the recording, by host and pid; a worker thread's is its process. */
export function processParents(r: Recording): (p: ProcessRecord) => ProcessRecord | undefined {
  return parentLookup(
    r.processes,
    (p) => `${p.host ?? ''}:${baseKey(p.pid, undefined, p.thread)}`,
    (p) => `${p.host ?? ''}:${p.thread === undefined ? p.ppid : p.pid}`,
  );
}

/** Every root-to-leaf path of a process with its sample count (for folded output and tests). */
export function foldedStacks(r: Recording, p: ProcessRecord, idle = r.meta.idle): Array<{ frames: number[]; count: number }> {
  const out: Array<{ frames: number[]; count: number }> = [];
  for (const [s, count] of countsByStack(r, p, idle)) out.push({ frames: framesOf(r, s), count });
  return out;
}
