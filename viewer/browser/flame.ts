// The flame graph (drawn as an icicle: the root and the processes on top, callees below) on
// d3-flame-graph. Rebuilt from scratch when the view changes (merge switch, window width), which keeps
// d3-flame-graph's zoom flags, stored on the data, from leaking between views.

import flamegraph, { FlameGraph, FlameNode } from 'd3-flame-graph';
import { select } from 'd3-selection';
import type { CallTreeNode } from '../../collector/model';
import { formatCount, formatDuration, formatPercent } from '../format';
import { FrameKind, HIGHLIGHT_COLOR, kindColor, NO_FAMILY_COLOR, repetitionColor } from '../palette';
import { ms as shortMs } from '../../collector/analysis';
import type { Repetition } from './families';
import { createTooltip, TooltipLine } from './tooltip';

type Node = FlameNode<CallTreeNode>;

export interface FlameContext {
  /** Kind of each frame of the embedded recording, by frame index. */
  frameKinds: FrameKind[];
  /** Sampling interval of each process, by key. */
  intervalUsOf: Map<string, number>;
  /** Used where a node spans processes sampled at different rates. */
  defaultIntervalUs: number;
  /** How frames repeat across their family's members; absent when the recording has no family. */
  repetition?: Repetition;
}

/** What a frame's colour says: its kind of code, or in how many members of its family it runs. */
export type ColorMode = 'kind' | 'repetition';

export interface FlameElements {
  chart: HTMLElement;
  tooltip: HTMLElement;
  details: HTMLElement;
}

/** Frames narrower than this many pixels are not drawn (they stay in the data, and appear on zoom). */
const MIN_FRAME_PX = 1;
const CELL_HEIGHT = 18;
const TRANSITION_MS = 250;

export class FlameView {
  private chart: FlameGraph<CallTreeNode> | undefined;
  private matcher: RegExp | undefined;
  private colorMode: ColorMode = 'kind';

  constructor(
    private readonly el: FlameElements,
    private readonly ctx: FlameContext,
    private readonly onSearchResult: (matched: number, total: number) => void,
  ) {}

  /** Draws a tree, replacing what was drawn, and re-applies the current search. */
  draw(tree: CallTreeNode): void {
    this.chart?.destroy();
    this.el.chart.replaceChildren();
    const chart = flamegraph<CallTreeNode>()
      .width(Math.max(320, this.el.chart.clientWidth))
      .cellHeight(CELL_HEIGHT)
      .minFrameSize(MIN_FRAME_PX)
      .transitionDuration(TRANSITION_MS)
      .inverted(true)
      .sort(false)
      .title('')
      .tooltip(createTooltip<CallTreeNode>(this.el.tooltip, (d) => this.describe(d)))
      .setDetailsElement(this.el.details)
      .setLabelHandler((d) => this.describe(d).map((l) => l.text).join('  ·  '))
      .setColorMapper((d) => (d.highlight ? HIGHLIGHT_COLOR : this.colorOf(d)))
      .setSearchMatch((d) => this.matcher !== undefined && this.matcher.test(d.data.name))
      .setSearchHandler((results) => this.onSearchResult(matchedSamples(results), this.root()?.data.value ?? 0));
    this.chart = chart;
    select(this.el.chart).datum(tree).call(chart);
    if (this.matcher) chart.search('search');
  }

  search(re: RegExp | undefined): void {
    this.matcher = re;
    if (!this.chart) return;
    if (re) this.chart.search('search');
    else this.chart.clear();
  }

  resetZoom(): void {
    this.chart?.resetZoom();
  }

  setColorMode(mode: ColorMode): void {
    this.colorMode = mode;
    this.chart?.update();
  }

  /**
   * Zooms to the largest frame whose label matches, under the nodes of the given processes (all
   * processes when none is given); false when nothing matches.
   */
  zoomToFrame(re: RegExp, processKeys?: string[]): boolean {
    const root = this.root();
    if (!root || !this.chart) return false;
    const wanted = processKeys ? new Set(processKeys) : undefined;
    let best: Node | undefined;
    for (const n of root.descendants()) {
      if (n.data.frame === undefined || !re.test(n.data.name)) continue;
      if (wanted && !processNodeOf(n)?.data.processes?.some((k) => wanted.has(k))) continue;
      if (!best || n.data.value > best.data.value) best = n;
    }
    if (!best) return false;
    // A zoom only hides; starting from the whole graph keeps an earlier zoom from hiding the target.
    this.chart.resetZoom();
    this.chart.zoomTo(best);
    return true;
  }

  /** Zooms to the node of a process (or of the group it belongs to); false when it has none. */
  zoomToProcess(key: string): boolean {
    const node = this.root()?.descendants().find((n) => n.data.processes?.includes(key));
    if (!node || !this.chart) return false;
    this.chart.resetZoom();
    this.chart.zoomTo(node);
    return true;
  }

  private root(): Node | null {
    // d3-flame-graph numbers nodes depth-first from the root, which gets id 0.
    return this.chart ? this.chart.findById(0) : null;
  }

  private colorOf(d: Node): string {
    const kind = this.kindOf(d.data);
    if (this.colorMode === 'repetition' && d.data.frame !== undefined && this.ctx.repetition) {
      const found = this.ctx.repetition.of(d.data.frame, processNodeOf(d)?.data.processes);
      return found ? repetitionColor(found.repetition.members, found.repetition.of) : NO_FAMILY_COLOR;
    }
    return kindColor(kind, d.data.name);
  }

  private kindOf(n: CallTreeNode): FrameKind {
    if (n.frame !== undefined) return this.ctx.frameKinds[n.frame] ?? 'vm';
    return n.processes ? 'process' : 'root';
  }

  private describe(d: Node): TooltipLine[] {
    // d.value shrinks while zoomed (d3-flame-graph zeroes what is out of view); the data keeps the samples.
    const samples = d.data.value;
    const total = this.root()?.data.value || samples;
    const owner = processNodeOf(d);
    const ms = (samples * this.intervalUsOf(owner ?? d)) / 1000;
    const lines: TooltipLine[] = [
      { text: d.data.name, className: 'tip-name' },
      { text: `${formatCount(samples)} samples · ${formatDuration(ms)} · ${formatPercent(samples, total)} of total` },
    ];
    if (owner && owner !== d) lines.push({ text: `process: ${owner.data.name}`, className: 'tip-process' });
    const found = d.data.frame !== undefined ? this.ctx.repetition?.of(d.data.frame, owner?.data.processes) : undefined;
    if (found) {
      const { members, of, msPerMember, totalMs } = found.repetition;
      const noun = found.family.threads ? ['threads', 'thread'] : found.family.forked ? ['forks', 'fork'] : ['processes', 'process'];
      lines.push({
        text: `in ${members} of ${of} ${noun[0]}, ${shortMs(msPerMember)} per ${noun[1]}, ${shortMs(totalMs)} in all`,
        className: 'tip-repeat',
      });
    }
    return lines;
  }

  /** The interval of the processes a node stands for, when they agree. */
  private intervalUsOf(n: Node): number {
    const keys = n.data.processes;
    if (!keys) return this.ctx.defaultIntervalUs;
    const intervals = new Set(keys.map((k) => this.ctx.intervalUsOf.get(k) ?? this.ctx.defaultIntervalUs));
    return intervals.size === 1 ? [...intervals][0] : this.ctx.defaultIntervalUs;
  }
}

/** Samples of the matched nodes, each counted once: a match inside another match adds nothing. */
function matchedSamples(results: Node[]): number {
  let sum = 0;
  for (const d of results) {
    let nested = false;
    for (let a = d.parent; a && !nested; a = a.parent) nested = a.highlight === true;
    if (!nested) sum += d.data.value;
  }
  return sum;
}

/** The nearest process node at or above a node. */
function processNodeOf(d: Node): Node | undefined {
  for (let n: Node | null = d; n; n = n.parent) if (n.data.processes) return n;
  return undefined;
}
