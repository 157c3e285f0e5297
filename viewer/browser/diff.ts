// The diff page's browser code, bundled by esbuild into dist/bundles/diff.js: the differential flame
// graph of viewer/diff-html.ts, sized by the after (or before) recording and coloured by change. Every
// string from a profile reaches the page through textContent or d3's .text()/.attr().

import flamegraph, { FlameGraph, FlameNode } from 'd3-flame-graph';
import { select } from 'd3-selection';
import { DIFF_DATA_ELEMENT_ID, DIFF_DATA_VERSION, DiffPageData, DiffPageNode } from '../diff-data';
import { ms } from '../../collector/analysis';
import { diffColor, HIGHLIGHT_COLOR } from '../palette';
import { createTooltip, TooltipLine } from './tooltip';

type Node = FlameNode<DiffPageNode>;
type Side = 'before' | 'after';

function readDiffData(doc: Document): DiffPageData {
  const el = doc.getElementById(DIFF_DATA_ELEMENT_ID);
  if (!el || !el.textContent) throw new Error('this page carries no diff data');
  const data = JSON.parse(el.textContent) as DiffPageData;
  if (data.version !== DIFF_DATA_VERSION) throw new Error(`this page's data has version ${data.version}; this viewer reads version ${DIFF_DATA_VERSION}`);
  return data;
}

/** A copy of the tree whose `value` (what d3-flame-graph sizes frames by) is one side's. */
function sizedBy(n: DiffPageNode, side: Side): DiffPageNode {
  return { ...n, value: n[side], children: n.children.filter((c) => c[side] > 0).map((c) => sizedBy(c, side)) };
}

function describe(d: Node, data: DiffPageData): TooltipLine[] {
  const { before, after, delta } = d.data;
  const rel = before > 0 ? ` (${delta >= 0 ? '+' : '−'}${Math.abs(Math.round((1000 * delta) / before) / 10)} %)` : after > 0 ? ' (new)' : '';
  return [
    { text: d.data.name, className: 'tip-name' },
    { text: `before ${ms(before)} · after ${ms(after)} · change ${delta >= 0 ? '+' : '−'}${ms(Math.abs(delta))}${rel}` },
    { text: `CPU time ${data.unit}`, className: 'tip-process' },
  ];
}

function main(): void {
  const data = readDiffData(document);
  const chartEl = document.getElementById('chart')!;
  const sizeBy = document.getElementById('size-by') as HTMLSelectElement;
  let chart: FlameGraph<DiffPageNode> | undefined;

  const draw = (): void => {
    chart?.destroy();
    chartEl.replaceChildren();
    const side: Side = sizeBy.value === 'before' ? 'before' : 'after';
    chart = flamegraph<DiffPageNode>()
      .width(Math.max(320, chartEl.clientWidth))
      .cellHeight(18)
      .minFrameSize(1)
      .transitionDuration(250)
      .inverted(true)
      .sort(false)
      .title('')
      .tooltip(createTooltip<DiffPageNode>(document.getElementById('tooltip')!, (d) => describe(d, data)))
      .setDetailsElement(document.getElementById('details'))
      .setLabelHandler((d) => describe(d, data).slice(0, 2).map((l) => l.text).join('  ·  '))
      .setColorMapper((d) => (d.highlight ? HIGHLIGHT_COLOR : diffColor(d.data.before, d.data.after)));
    select(chartEl).datum(sizedBy(data.tree, side)).call(chart);
  };

  sizeBy.addEventListener('change', draw);
  document.getElementById('reset')!.addEventListener('click', () => chart?.resetZoom());
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') chart?.resetZoom();
  });
  let lastWidth = window.innerWidth;
  let timer: ReturnType<typeof setTimeout> | undefined;
  window.addEventListener('resize', () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      if (window.innerWidth === lastWidth) return;
      lastWidth = window.innerWidth;
      draw();
    }, 200);
  });
  draw();
  document.body.dataset.ready = 'true';
}

try {
  main();
} catch (e) {
  const chart = document.getElementById('chart');
  if (chart) {
    const p = document.createElement('p');
    p.className = 'failure';
    p.textContent = `The flame graph could not be drawn: ${e instanceof Error ? e.message : String(e)}`;
    chart.replaceChildren(p);
  }
  throw e;
}
