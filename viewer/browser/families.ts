// Families of processes in the browser: the family view (a family's members merged into one node,
// `8 x node job.js`) and, per frame, in how many members of its family it runs (for the colouring by
// repetition and the tooltips). Computed from the embedded recording, so that what the tooltip says
// matches what the graph draws.

import { frameInclusiveMs, quantile } from '../../collector/analysis';
import { CallTreeNode, FrameIndex, msByStack, processLabel, Recording, recordingTree } from '../../collector/model';
import type { ReportFamily } from '../../collector/analysis';

/** How a frame repeats across the members of its family. */
export interface FrameRepetition {
  members: number;
  of: number;
  /** Median over the members it ran in. */
  msPerMember: number;
  totalMs: number;
}

export class Repetition {
  private readonly familyOfKey = new Map<string, number>();
  private readonly byFamily: Array<Map<FrameIndex, FrameRepetition>>;

  constructor(
    r: Recording,
    readonly families: ReportFamily[],
  ) {
    families.forEach((f, i) => f.keys.forEach((k) => this.familyOfKey.set(k, i)));
    const byKey = new Map(r.processes.map((p) => [p.key, p]));
    this.byFamily = families.map((f) => {
      const perMember: Array<Map<FrameIndex, number>> = [];
      for (const key of f.keys) {
        const p = byKey.get(key);
        if (!p) continue;
        perMember.push(frameInclusiveMs(r, msByStack(r, p)));
      }
      const values = new Map<FrameIndex, number[]>();
      for (const m of perMember) {
        for (const [frame, v] of m) {
          if (v <= 0) continue;
          const list = values.get(frame);
          if (list) list.push(v);
          else values.set(frame, [v]);
        }
      }
      const out = new Map<FrameIndex, FrameRepetition>();
      for (const [frame, list] of values) {
        let total = 0;
        for (const v of list) total += v;
        out.set(frame, { members: list.length, of: f.keys.length, msPerMember: quantile(list.sort((a, b) => a - b), 0.5), totalMs: total });
      }
      return out;
    });
  }

  /** The family a process belongs to, if any. */
  familyOf(processKey: string): number | undefined {
    return this.familyOfKey.get(processKey);
  }

  /** How a frame repeats in the family of the processes a node is drawn under. */
  of(frame: FrameIndex, processKeys: string[] | undefined): { family: ReportFamily; repetition: FrameRepetition } | undefined {
    const i = processKeys && processKeys.length > 0 ? this.familyOf(processKeys[0]) : undefined;
    if (i === undefined) return undefined;
    const repetition = this.byFamily[i].get(frame);
    return repetition ? { family: this.families[i], repetition } : undefined;
  }
}

/**
 * The recording with every family merged into one node per parent node (`8 x node job.js`), other
 * processes that run the same command merged too: the tree of the merge switch, keyed by family.
 */
export function familyTree(r: Recording, families: ReportFamily[]): CallTreeNode {
  const familyOf = new Map<string, number>();
  families.forEach((f, i) => f.keys.forEach((k) => familyOf.set(k, i)));
  // recordingTree merges processes by command: give a family's members one command, then name the node.
  const marker = (i: number): string => `\u0000family ${i}`;
  const renamed: Recording = {
    ...r,
    processes: r.processes.map((p) => {
      const i = familyOf.get(p.key);
      return i === undefined ? p : { ...p, command: marker(i) };
    }),
  };
  const tree = recordingTree(renamed, { groupByCommand: true });
  const name = (n: CallTreeNode): void => {
    if (n.frame !== undefined) return;
    const i = n.processes ? familyOf.get(n.processes[0]) : undefined;
    if (i !== undefined) {
      const f = families[i];
      const count = n.processes!.length;
      const single = r.processes.find((p) => p.key === n.processes![0]);
      n.name = count > 1 || !single ? `${count} x ${f.entry}` : processLabel(single);
    }
    n.children.forEach(name);
  };
  name(tree);
  return tree;
}
