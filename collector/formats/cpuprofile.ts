// Chrome DevTools / Node `--cpu-prof` .cpuprofile files: a tree of call frames (`nodes`, or `head` in
// the pre-2017 format) and one node id per sample with the time since the previous one. Node names the
// files `CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile`, which is the only place the pid is written.
// The exporter writes one such file per sampled process, named the way Node names them.

import * as path from 'node:path';
import {
  commandLabel, emptyRecording, emptySamples, IDLE_FRAME_NAME, ProcessRecord, Recording, RecordingBuilder, ROOT_STACK, StackIndex, UserError,
} from '../model';
import { ExportFiles, ExportOptions, Exporter, Importer } from './format';
import { jsonOf, objectOf } from './sniff';

interface CallFrame {
  functionName: string;
  url: string;
  /** 1-based, 0 when unknown. */
  line: number;
  column: number;
}

interface ProfileNode {
  id: number;
  frame: CallFrame;
  children: number[];
}

const NODE_FILE_NAME = /^CPU\.\d+\.\d+\.(\d+)\.(\d+)\.(\d+)\.cpuprofile$/;

function fail(what: string): never {
  throw new UserError(`broken .cpuprofile: ${what}`);
}

function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

function callFrameOf(o: Record<string, unknown>, zeroBased: boolean): CallFrame {
  const line = typeof o.lineNumber === 'number' && o.lineNumber >= 0 ? o.lineNumber + (zeroBased ? 1 : 0) : 0;
  const column = typeof o.columnNumber === 'number' && o.columnNumber >= 0 ? o.columnNumber + (zeroBased ? 1 : 0) : 0;
  return {
    functionName: typeof o.functionName === 'string' ? o.functionName : '',
    url: typeof o.url === 'string' ? o.url : '',
    line,
    column,
  };
}

/** The modern format: a flat node list whose children are ids. */
function flatNodes(nodes: unknown[]): ProfileNode[] {
  return nodes.map((n, i) => {
    const o = objectOf(n);
    const id = int(o?.id);
    const cf = objectOf(o?.callFrame);
    if (!o || id === undefined || !cf) fail(`nodes[${i}] has no id or callFrame`);
    const children = Array.isArray(o.children) ? o.children.map((c) => int(c) ?? fail(`nodes[${i}].children holds a non-id`)) : [];
    return { id, frame: callFrameOf(cf, true), children };
  });
}

/** The old format: a nested tree under `head`, flattened without recursion (trees can be deep). */
function nestedNodes(head: Record<string, unknown>): ProfileNode[] {
  const out: ProfileNode[] = [];
  const todo: Record<string, unknown>[] = [head];
  while (todo.length > 0) {
    const o = todo.pop()!;
    const id = int(o.id) ?? fail('a node in "head" has no id');
    const kids = Array.isArray(o.children) ? o.children.map((c) => objectOf(c) ?? fail(`node ${id} has a child that is not a node`)) : [];
    out.push({ id, frame: callFrameOf(o, false), children: kids.map((k) => int(k.id) ?? fail(`a child of node ${id} has no id`)) });
    todo.push(...kids);
  }
  return out;
}

function median(values: number[]): number {
  const v = values.filter((x) => x > 0).sort((a, b) => a - b);
  return v.length === 0 ? 0 : v[Math.floor(v.length / 2)];
}

export function readCpuProfile(bytes: Buffer, fileName: string): Recording | undefined {
  const doc = objectOf(jsonOf(bytes));
  if (!doc) return undefined;
  const flat = Array.isArray(doc.nodes);
  const head = objectOf(doc.head);
  if (!flat && !head) return undefined;
  if (flat && !(doc.nodes as unknown[]).some((n) => objectOf(objectOf(n)?.callFrame))) return undefined;
  const nodes = flat ? flatNodes(doc.nodes as unknown[]) : nestedNodes(head!);
  if (nodes.length === 0) fail('it has no nodes');
  const samples = Array.isArray(doc.samples) ? doc.samples : fail('"samples" is missing');

  // Sample times in µs: `timeDeltas` (modern) or absolute `timestamps` (old).
  // Old profiles give start and end in whole seconds and exact absolute timestamps in µs.
  const oldTimestamps = !Array.isArray(doc.timeDeltas) && Array.isArray(doc.timestamps) && typeof doc.timestamps[0] === 'number';
  const startUs = oldTimestamps ? (doc.timestamps as number[])[0] : typeof doc.startTime === 'number' ? doc.startTime * (flat ? 1 : 1e6) : 0;
  let deltas: number[];
  if (Array.isArray(doc.timeDeltas)) {
    deltas = doc.timeDeltas.map((d) => (typeof d === 'number' && Number.isFinite(d) ? d : fail('"timeDeltas" holds a non-number')));
  } else if (Array.isArray(doc.timestamps)) {
    const ts = doc.timestamps.map((d) => (typeof d === 'number' && Number.isFinite(d) ? d : fail('"timestamps" holds a non-number')));
    // Old profiles may carry one timestamp more than samples (the end); extra ones are dropped.
    deltas = ts.slice(0, samples.length).map((t, i) => t - (i === 0 ? startUs || t : ts[i - 1]));
  } else {
    deltas = samples.map(() => 0);
  }
  if (deltas.length !== samples.length) fail(`it has ${samples.length} samples but ${deltas.length} time deltas; is it truncated?`);

  const byId = new Map<number, ProfileNode>();
  const parentOf = new Map<number, number>();
  for (const n of nodes) byId.set(n.id, n);
  for (const n of nodes) for (const c of n.children) if (!parentOf.has(c)) parentOf.set(c, n.id);

  const fileMatch = NODE_FILE_NAME.exec(path.basename(fileName));
  const pid = int(doc.pid) ?? (fileMatch ? Number(fileMatch[1]) : 0);
  const ppid = int(doc.ppid) ?? 0;
  const durationUs = deltas.reduce((a, b) => a + Math.max(0, b), 0);
  const endUs = Math.max(typeof doc.endTime === 'number' ? doc.endTime * (flat ? 1 : 1e6) : 0, startUs + durationUs);
  const intervalUs = median(deltas) || (samples.length > 0 ? Math.max(1, Math.round((endUs - startUs) / samples.length)) : 1000);

  const b = new RecordingBuilder(
    emptyRecording({ title: path.basename(fileName), source: 'cpuprofile', startTime: startUs / 1000, endTime: endUs / 1000, intervalUs }),
  );
  // A .cpuprofile has no command line; the script Node ran first names the process well enough for
  // families to form (`node child.js` for every child of a forking program).
  const entry = entryScript(nodes, byId);
  const argv = entry ? ['node', entry] : [];
  const p = b.upsertProcess(String(pid), () => ({
    pid, ppid, argv, command: entry ? commandLabel(argv) : path.basename(fileName), startTime: startUs / 1000, endTime: endUs / 1000,
    sampled: true, intervalUs, samples: emptySamples(), errors: [],
  }));

  const stackOfNode = new Map<number, StackIndex>();
  const stackOf = (id: number): StackIndex => {
    const known = stackOfNode.get(id);
    if (known !== undefined) return known;
    // Walk up to a node whose stack is known, then intern downwards: no recursion on deep trees.
    const chain: ProfileNode[] = [];
    const seen = new Set<number>();
    let parentStack: StackIndex = ROOT_STACK;
    for (let cur: number | undefined = id; cur !== undefined; cur = parentOf.get(cur)) {
      const s = stackOfNode.get(cur);
      if (s !== undefined) {
        parentStack = s;
        break;
      }
      if (seen.has(cur)) fail(`node ${cur} is its own ancestor`);
      seen.add(cur);
      chain.push(byId.get(cur) ?? fail(`a sample refers to node ${cur}, which is not in the profile`));
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const n = chain[i];
      // V8's synthetic root is not a frame anyone called.
      if (n.frame.functionName !== '(root)' || parentOf.has(n.id)) {
        const f = b.frame(n.frame.functionName, n.frame.url, n.frame.line, n.frame.column);
        parentStack = b.stack(f, parentStack);
      }
      stackOfNode.set(n.id, parentStack);
    }
    return parentStack;
  };

  let t = 0;
  samples.forEach((id, i) => {
    const nodeId = int(id) ?? fail(`samples[${i}] is not a node id`);
    t += Math.max(0, deltas[i]);
    b.addSamples(p, stackOf(nodeId), 1, t / 1000);
  });
  return b.recording;
}

/** The first script below the profile's root (breadth first) that is neither Node's own nor a package. */
function entryScript(nodes: ProfileNode[], byId: Map<number, ProfileNode>): string | undefined {
  const children = new Set(nodes.flatMap((n) => n.children));
  const queue = nodes.filter((n) => !children.has(n.id));
  for (let i = 0; i < queue.length && i < 10_000; i++) {
    const url = queue[i].frame.url;
    if (url && !url.startsWith('node:') && !url.includes('/node_modules/') && !url.startsWith('internal/')) {
      return url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url;
    }
    for (const c of queue[i].children) {
      const n = byId.get(c);
      if (n) queue.push(n);
    }
  }
  return undefined;
}

export const cpuProfileImporter: Importer = { name: 'cpuprofile', read: readCpuProfile };

interface ExportNode {
  id: number;
  callFrame: { functionName: string; scriptId: string; url: string; lineNumber: number; columnNumber: number };
  hitCount: number;
  children: number[];
}

/** One process as Chrome DevTools reads it: V8's `(root)`, a node per distinct stack, samples and deltas in µs. */
function processProfile(r: Recording, p: ProcessRecord, idle: boolean): object {
  const root: ExportNode = { id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, hitCount: 0, children: [] };
  const nodes: ExportNode[] = [root];
  const nodeOfStack = new Map<StackIndex, ExportNode>([[ROOT_STACK, root]]);
  const nodeOf = (s: StackIndex): ExportNode => {
    const known = nodeOfStack.get(s);
    if (known) return known;
    // Up to a stack that has its node, then down: no recursion on deep stacks.
    const chain: StackIndex[] = [];
    let cur = s;
    while (!nodeOfStack.has(cur)) {
      chain.push(cur);
      cur = r.stacks.parent[cur];
    }
    let parent = nodeOfStack.get(cur)!;
    for (let i = chain.length - 1; i >= 0; i--) {
      const f = r.stacks.frame[chain[i]];
      const node: ExportNode = {
        id: nodes.length + 1,
        callFrame: {
          functionName: r.strings[r.frames.name[f]],
          scriptId: '0',
          url: r.strings[r.frames.file[f]],
          // 0-based in .cpuprofile, -1 when unknown; 1-based (0 unknown) in wspy.
          lineNumber: r.frames.line[f] - 1,
          columnNumber: r.frames.column[f] - 1,
        },
        hitCount: 0,
        children: [],
      };
      nodes.push(node);
      parent.children.push(node.id);
      nodeOfStack.set(chain[i], node);
      parent = node;
    }
    return parent;
  };
  const isIdle = (s: StackIndex) => s !== ROOT_STACK && r.strings[r.frames.name[r.stacks.frame[s]]] === IDLE_FRAME_NAME;

  // The profile starts one interval before its first sample: readers take the typical delta for the
  // sampling interval, and a process with one sample has no other delta than the first.
  const first = p.samples.count.findIndex((c, i) => c > 0 && (idle || !isIdle(p.samples.stack[i])));
  const firstUs = first < 0 ? 0 : Math.round((r.meta.startTime + p.samples.time[first]) * 1000) - (p.samples.count[first] - 1) * p.intervalUs;
  const startUs = first < 0 ? Math.round((p.startTime ?? r.meta.startTime) * 1000) : Math.max(firstUs, Math.round((p.startTime ?? 0) * 1000) + p.intervalUs) - p.intervalUs;
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  let last = startUs;
  for (let i = 0; i < p.samples.stack.length; i++) {
    const s = p.samples.stack[i];
    const c = p.samples.count[i];
    if (c <= 0 || (!idle && isIdle(s))) continue;
    const node = nodeOf(s);
    node.hitCount += c;
    // The entry's samples ended at its time, one interval apart; never closer than an interval, as
    // readers take the typical delta for the sampling interval (and times may be unknown, all 0).
    const endUs = Math.round((r.meta.startTime + p.samples.time[i]) * 1000);
    for (let k = c - 1; k >= 0; k--) {
      const at = Math.max(last + p.intervalUs, endUs - k * p.intervalUs);
      samples.push(node.id);
      timeDeltas.push(at - last);
      last = at;
    }
  }
  const endUs = Math.max(last, p.endTime !== undefined ? Math.round(p.endTime * 1000) : last);
  return { nodes, startTime: startUs, endTime: endUs, samples, timeDeltas };
}

/** `CPU.20261123.192824.16827.0.001.cpuprofile`, as Node's --cpu-prof names them (the pid is read back from it). */
function profileName(r: Recording, p: ProcessRecord, seq: number): string {
  const d = new Date(r.meta.startTime > 0 ? r.meta.startTime : Date.now());
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}`;
  const time = `${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
  return `CPU.${date}.${time}.${p.pid}.0.${String(seq).padStart(3, '0')}.cpuprofile`;
}

export function writeCpuProfiles(r: Recording, opts: ExportOptions = {}): ExportFiles {
  const idle = opts.idle ?? r.meta.idle;
  const sampled = r.processes.filter((p) => p.samples.count.some((c) => c > 0));
  return {
    files: sampled.map((p, i) => ({ name: profileName(r, p, i + 1), data: JSON.stringify(processProfile(r, p, idle)) })),
  };
}

export const cpuProfileExporter: Exporter = {
  name: 'cpuprofile',
  // A directory of files: no file name ending asks for it; `-f cpuprofile -o <dir>` does.
  extension: '-cpuprofiles',
  endings: [],
  write: writeCpuProfiles,
};
