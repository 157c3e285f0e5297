// The diff page: two recordings compared (collector/analysis/diff.ts) as one self-contained HTML page,
// a differential flame graph (sized by the after recording, red where it got slower, blue where it got
// faster; drawn by viewer/browser/diff.ts) and a table of the largest changes by function. Like the
// report, nothing is fetched and every string from a profile is escaped.

import type { DiffNode, DiffResult, FunctionChange } from '../collector/analysis';
import { escapeHtml as h } from './escape';
import { plural } from './format';
import { renderPage } from './page';
import { DIFF_DATA_ELEMENT_ID, DIFF_DATA_VERSION, DiffPageData, DiffPageNode } from './diff-data';
import { ms } from '../collector/analysis';
import { diffColor } from './palette';

/** Nodes under this share of the larger root (before or after) are left out of the embedded tree. */
const PRUNE_FRACTION = 1 / 20_000;
/** Rows of the table of changes. */
const MAX_ROWS = 25;

export interface DiffHtmlOptions {
  title?: string;
  beforeName: string;
  afterName: string;
}

export function renderDiffHtml(diff: DiffResult, opts: DiffHtmlOptions): string {
  const title = opts.title ?? `wspy diff: ${opts.beforeName} → ${opts.afterName}`;
  const unit = unitWords(diff);
  const data: DiffPageData = {
    version: DIFF_DATA_VERSION,
    normalize: diff.normalize,
    unit,
    beforeName: opts.beforeName,
    afterName: opts.afterName,
    tree: prune(diff.tree, PRUNE_FRACTION * Math.max(diff.tree.before, diff.tree.after)),
  };
  return renderPage({
    title,
    bundle: 'diff',
    css: DIFF_CSS,
    dataElementId: DIFF_DATA_ELEMENT_ID,
    data,
    body: `${renderHeader(diff, opts, title, unit)}
<main>
<section id="flame" class="panel" aria-label="Differential flame graph">
<h2>What changed<small>sized by the selected recording; red: slower after, blue: faster after; click to zoom</small></h2>
<div class="toolbar">
<label>Size by <select id="size-by"><option value="after">after: ${h(opts.afterName)}</option><option value="before">before: ${h(opts.beforeName)}</option></select></label>
<button id="reset" type="button">Reset zoom</button>
<div class="legend" aria-label="Colours"><span style="--swatch: ${diffColor(0, 1)}">slower after</span><span style="--swatch: ${diffColor(1, 1)}">unchanged</span><span style="--swatch: ${diffColor(1, 0)}">faster after</span></div>
</div>
<div id="chart"><noscript><p class="failure">The flame graph needs JavaScript.</p></noscript></div>
<p id="details" class="details"></p>
</section>
${renderChanges(diff.functions, opts, unit)}
</main>
<footer>wspy diff · figures are CPU time ${h(unit)}</footer>`,
  });
}

function unitWords(diff: DiffResult): string {
  switch (diff.normalize) {
    case 'process':
      return 'per process of each command (the average child, the average worker)';
    case 'unit':
      return `per unit of work (divided by the members of each recording's largest family: ${diff.before.units} before, ${diff.after.units} after)`;
    case 'none':
      return 'as recorded (not normalised)';
  }
}

function renderHeader(diff: DiffResult, opts: DiffHtmlOptions, title: string, unit: string): string {
  const before = diff.tree.before;
  const after = diff.tree.after;
  const change = before > 0 ? (after - before) / before : 0;
  const verdict =
    before <= 0
      ? ''
      : Math.abs(change) < 0.005
        ? 'About the same CPU time.'
        : `${change < 0 ? 'Less' : 'More'} CPU time after: ${ms(before)} → ${ms(after)} (${signedPercent(change)}).`;
  const facts: Array<[string, string]> = [
    ['Before', `${opts.beforeName}: ${plural(diff.before.processes, 'process', 'processes')}, ${ms(diff.before.cpuMs)} CPU`],
    ['After', `${opts.afterName}: ${plural(diff.after.processes, 'process', 'processes')}, ${ms(diff.after.cpuMs)} CPU`],
    ['Normalised', unit],
  ];
  return `<header class="top">
<h1>${h(title)}</h1>
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${h(k)}</dt><dd>${h(v)}</dd></div>`).join('')}</dl>
<p class="verdict" id="verdict">${h(verdict)}</p>
${diff.caveats.map((c) => `<p class="note caveat">Not recorded alike: ${h(c)}.</p>`).join('\n')}
</header>`;
}

function renderChanges(functions: FunctionChange[], opts: DiffHtmlOptions, unit: string): string {
  const rows = functions.slice(0, MAX_ROWS).map((f) => {
    const cls = f.delta > 0 ? 'slower' : 'faster';
    const rel = f.relative === null ? 'new' : signedPercent(f.relative);
    return `<tr>
<td class="fn">${h(f.name)}</td>
<td class="num">${h(ms(f.before))}</td>
<td class="num">${h(ms(f.after))}</td>
<td class="num ${cls}">${h(signedMs(f.delta))}</td>
<td class="num ${cls}">${h(rel)}</td>
</tr>`;
  });
  const body = rows.length > 0 ? rows.join('\n') : '<tr><td colspan="5">No function changed.</td></tr>';
  return `<section id="changes" class="panel" aria-label="Largest changes">
<h2>Largest changes by function<small>inclusive CPU time ${h(unit)}</small></h2>
<table id="changes-table" class="processes">
<thead><tr><th>function</th><th class="num">before<br><small>${h(opts.beforeName)}</small></th><th class="num">after<br><small>${h(opts.afterName)}</small></th><th class="num">change</th><th class="num">relative</th></tr></thead>
<tbody>
${body}
</tbody>
</table>
</section>`;
}

function prune(n: DiffNode, minMs: number): DiffPageNode {
  return {
    name: n.name,
    value: n.value,
    before: n.before,
    after: n.after,
    delta: n.delta,
    children: n.children.filter((c) => Math.max(c.before, c.after) >= minMs).map((c) => prune(c, minMs)),
  };
}

function signedMs(x: number): string {
  return `${x > 0 ? '+' : x < 0 ? '−' : ''}${ms(Math.abs(x))}`;
}

function signedPercent(x: number): string {
  const p = Math.round(x * 1000) / 10;
  return `${p > 0 ? '+' : p < 0 ? '−' : ''}${Math.abs(p)} %`;
}

const DIFF_CSS = `
.verdict { margin: 8px 0 0; font-size: 15px; font-weight: 600; }
#changes-table td.fn { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
#changes-table tbody tr { cursor: default; }
#changes-table th small { text-transform: none; letter-spacing: 0; font-weight: 400; }
#changes-table .slower { color: #b3261e; font-weight: 600; }
#changes-table .faster { color: #1f4fbf; font-weight: 600; }
.toolbar select { padding: 4px 6px; border: 1px solid #c5ccd6; border-radius: 5px; font: inherit; background: #fff; }
`;
