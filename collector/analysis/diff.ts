// Differential call trees: before and after a change, per node, normalised so that recordings of
// different lengths compare. Pure.
//
// Processes are matched across the two recordings by their normalised command (pids differ), frames by
// their label (`function (file:line)`, paths shortened to package or project, so checkouts in
// different directories still match). Values are CPU milliseconds, divided according to `normalize`:
//   none     as recorded;
//   process  per process of that command (average child, average worker);
//   unit     per unit of work: per member of the recording's largest family (one fork per job means
//            one member per job), the same divisor for the whole recording.

import { addStacks, CallTreeNode, frameLabels, msByStack, ProcessRecord, Recording, StackIndex } from '../model';
import { diffCaveats } from './comparable';
import { findFamilies, normalisedCommand } from './families';
import { frameInclusiveMs } from './repeated';
import { round } from './stats';

export type Normalize = 'process' | 'unit' | 'none';

export interface DiffOptions {
  normalize?: Normalize;
}

export interface DiffNode extends CallTreeNode {
  /** The after value (what a flame graph sizes by), normalised ms. */
  value: number;
  before: number;
  after: number;
  /** after - before. */
  delta: number;
  children: DiffNode[];
}

export interface FunctionChange {
  /** `function (file:line)`. */
  name: string;
  /** Inclusive normalised ms, counted once per sample under recursion. */
  before: number;
  after: number;
  delta: number;
  /** delta / before; null when the function is new. */
  relative: number | null;
}

export interface DiffSide {
  cpuMs: number;
  processes: number;
  /** Divisor used for `unit` (members of the largest family, at least 1). */
  units: number;
}

export interface DiffResult {
  normalize: Normalize;
  before: DiffSide;
  after: DiffSide;
  tree: DiffNode;
  /** Largest changes by function, largest absolute delta first. */
  functions: FunctionChange[];
  /** Ways in which the two sides were not recorded alike (comparable.ts), one sentence each. */
  caveats: string[];
}

interface Side {
  tree: CallTreeNode;
  functions: Map<string, number>;
  info: DiffSide;
}

export function diffRecordings(before: Recording, after: Recording, opts: DiffOptions = {}): DiffResult {
  const normalize = opts.normalize ?? 'process';
  const b = side(before, normalize);
  const a = side(after, normalize);
  const names = new Set([...b.functions.keys(), ...a.functions.keys()]);
  const functions: FunctionChange[] = [...names]
    .map((name) => {
      const x = b.functions.get(name) ?? 0;
      const y = a.functions.get(name) ?? 0;
      return { name, before: round(x), after: round(y), delta: round(y - x), relative: x > 0 ? round((y - x) / x, 4) : null };
    })
    .filter((c) => c.delta !== 0)
    .sort((p, q) => Math.abs(q.delta) - Math.abs(p.delta) || p.name.localeCompare(q.name))
    .slice(0, 100);
  const caveats = diffCaveats(before, after, normalize);
  return { normalize, before: b.info, after: a.info, tree: mergeTrees(b.tree, a.tree), functions, caveats };
}

function side(r: Recording, normalize: Normalize): Side {
  const procs = r.processes.filter((p) => p.sampled);
  const units = Math.max(1, findFamilies(r)[0]?.members.length ?? 1);
  const groups = new Map<string, ProcessRecord[]>();
  for (const p of procs) {
    const k = normalisedCommand(p, r.meta.cwd);
    const g = groups.get(k);
    if (g) g.push(p);
    else groups.set(k, [p]);
  }
  const labels = frameLabels(r);
  const root: CallTreeNode = { name: 'all', value: 0, children: [] };
  const functions = new Map<string, number>();
  let cpuMs = 0;
  for (const [command, members] of groups) {
    const divisor = normalize === 'none' ? 1 : normalize === 'unit' ? units : members.length;
    const node: CallTreeNode = { name: command, value: 0, children: [], processes: members.map((p) => p.key) };
    // Stacks are interned across the recording's processes, so one map holds the whole group.
    const ms = new Map<StackIndex, number>();
    for (const p of members) {
      for (const [s, v] of msByStack(r, p)) {
        ms.set(s, (ms.get(s) ?? 0) + v);
        cpuMs += v;
      }
    }
    addStacks(r, node, ms, labels);
    for (const [f, v] of frameInclusiveMs(r, ms)) functions.set(labels[f], (functions.get(labels[f]) ?? 0) + v / divisor);
    scale(node, 1 / divisor);
    root.children.push(node);
    root.value += node.value;
  }
  return { tree: root, functions, info: { cpuMs: round(cpuMs), processes: procs.length, units } };
}

function scale(n: CallTreeNode, k: number): void {
  n.value *= k;
  for (const c of n.children) scale(c, k);
}

/** Merges two trees by node name; a node missing on one side counts 0 there. */
function mergeTrees(b: CallTreeNode | undefined, a: CallTreeNode | undefined): DiffNode {
  const before = b?.value ?? 0;
  const after = a?.value ?? 0;
  const node: DiffNode = {
    name: (a ?? b)!.name,
    value: round(after),
    before: round(before),
    after: round(after),
    delta: round(after - before),
    children: [],
  };
  // Frame indices belong to one recording: keep the after side's, which `value` describes.
  if (a?.frame !== undefined) node.frame = a.frame;
  const processes = a?.processes ?? b?.processes;
  if (processes) node.processes = processes;
  const byName = new Map<string, [CallTreeNode | undefined, CallTreeNode | undefined]>();
  for (const c of b?.children ?? []) byName.set(c.name, [c, undefined]);
  for (const c of a?.children ?? []) {
    const pair = byName.get(c.name);
    if (pair) pair[1] = c;
    else byName.set(c.name, [undefined, c]);
  }
  for (const [x, y] of byName.values()) node.children.push(mergeTrees(x, y));
  node.children.sort((p, q) => q.after + q.before - (p.after + p.before));
  return node;
}
