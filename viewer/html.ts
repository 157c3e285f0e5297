// The HTML report: one self-contained page (styles, script and data inlined, nothing fetched) that opens
// from file://. The server renders the header and the process table; the browser code
// (viewer/browser/report.ts, bundled at build time) draws the flame graph from the embedded data.

import { analyze, ReportAnalysis, reportAnalysis, startupCpuMs } from '../collector/analysis';
import type { Analysis } from '../collector/analysis';
import { countedSamples, forestOrder, lossSentence, lossTally, processParents, ProcessRecord, Recording, samplesToMs, treePrefixes } from '../collector/model';
import { DATA_ELEMENT_ID } from './browser/data';
import { EmbedOptions, ReportData, reportData } from './embed';
import { escapeHtml as h } from './escape';
import { renderPage } from './page';
import { formatCount, formatDate, formatDuration, formatPercent, formatRate } from './format';
import { FrameKind, KIND_LABELS, kindColor, NO_FAMILY_COLOR, repetitionColor, TIMELINE_COLORS } from './palette';
import { renderRepeatedPanel } from './repeated-panel';
import { timelineData } from './timeline-data';

export interface HtmlOptions extends EmbedOptions {
  title?: string;
  /** The recording's analysis when the caller ran it already (null: it failed, so no panel). */
  analysis?: Analysis | null;
}

export function renderHtml(r: Recording, opts: HtmlOptions = {}): string {
  const title = opts.title ?? r.meta.title;
  // The analysis runs on the full recording (the embedded copy is pruned); the panel is rendered here,
  // and the browser gets the families and findings for the family view, the colours and the clicks.
  const analysis = opts.analysis === undefined ? analyzeSafely(r) : opts.analysis ?? undefined;
  const ra = analysis ? reportAnalysis(analysis) : undefined;
  const data: ReportData = { ...reportData(r, opts), ...(ra ? { analysis: ra } : {}), timeline: timelineData(r, analysis ? startupCpuMs(r) : new Map()) };
  const stats = processStats(r);
  const folded = data.pruning.foldedStacks;
  return renderPage({
    title,
    bundle: 'report',
    generator: `wspy ${r.meta.wspyVersion}`,
    dataElementId: DATA_ELEMENT_ID,
    data,
    body: `${renderHeader(r, title, stats)}
<main>
<section id="repeated" class="panel" aria-label="Work repeated across forks">${analysis && ra ? renderRepeatedPanel(analysis, ra) : ''}</section>
<section id="flame" class="panel" aria-label="Flame graph">
<h2>Where the time goes<small>one block per process under the root, its callees below; click to zoom</small></h2>
<div class="toolbar">
<label>Search <input id="search" type="search" placeholder="regular expression, e.g. require|sequelize" spellcheck="false" autocomplete="off"></label>
${renderViewSwitches(ra)}
<button id="reset" type="button">Reset zoom</button>
${renderLegend()}${ra && ra.families.length > 0 ? renderRepetitionLegend(ra) : ''}
</div>
<div id="search-result" class="search-result" role="status" aria-live="polite"></div>
<div id="chart"><noscript><p class="failure">The flame graph needs JavaScript.</p></noscript></div>
<p id="details" class="details"></p>
${folded > 0 ? `<p class="note">Stacks with fewer than ${h(formatCount(Math.ceil(data.pruning.minSamples)))} samples (${h(formatPercent(data.pruning.fraction, 1))} of all; ${h(formatCount(folded))} of them) are folded into their callers.</p>` : ''}
</section>
${renderTimeline()}
${renderProcessTable(r, stats)}
</main>
<footer>Recorded with wspy ${h(r.meta.wspyVersion)} · source: ${h(r.meta.source)}</footer>`,
  });
}

interface ProcessStats {
  samples: Map<ProcessRecord, number>;
  totalSamples: number;
  totalMs: number;
}

function processStats(r: Recording): ProcessStats {
  const samples = new Map<ProcessRecord, number>();
  let totalSamples = 0;
  let totalMs = 0;
  for (const p of r.processes) {
    const n = countedSamples(r, p);
    samples.set(p, n);
    totalSamples += n;
    totalMs += samplesToMs(p, n);
  }
  return { samples, totalSamples, totalMs };
}

function renderHeader(r: Recording, title: string, stats: ProcessStats): string {
  const m = r.meta;
  const sampled = r.processes.filter((p) => p.sampled).length;
  const facts: Array<[string, string]> = [
    ['Recorded', formatDate(m.startTime)],
    ['Duration', formatDuration(m.endTime - m.startTime)],
    ['Processes', sampled === r.processes.length ? formatCount(sampled) : `${formatCount(sampled)} sampled of ${formatCount(r.processes.length)}`],
    ['Samples', formatCount(stats.totalSamples)],
    ['CPU time', formatDuration(stats.totalMs)],
    ['Rate', formatRate(m.intervalUs)],
    ['Idle', m.idle ? 'kept' : 'dropped'],
  ];
  if (m.host) facts.push(['Host', m.host]);
  const command = m.command && m.command.length > 0 ? `<p class="command">$ ${h(m.command.join(' '))}</p>` : '';
  // Lost data changes what every figure below means: said first, in the header.
  const tally = lossTally(r);
  const lost = tally ? `<p id="data-lost" class="failure">Data lost: ${h(lossSentence(tally))}. The figures below count only what arrived.</p>` : '';
  return `<header class="top">
<h1>${h(title)}</h1>
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${h(k)}</dt><dd>${h(v)}</dd></div>`).join('')}</dl>
${command}${lost}
</header>`;
}

/** The analysis, or undefined with a warning when it fails: a report is worth having without its panel. */
export function analyzeSafely(r: Recording): Analysis | undefined {
  try {
    return analyze(r);
  } catch (e) {
    // The flame graph is worth having without the analysis; say so rather than lose the report.
    process.emitWarning(`wspy: the cross-process analysis failed, the report has no "repeated across forks" panel: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

/** A report whose largest family has this many members opens in the family view (one click from per process). */
export const FAMILY_VIEW_FROM = 20;

/** The family view (merge switch) and the colouring by repetition, named after the largest family. */
function renderViewSwitches(ra: ReportAnalysis | undefined): string {
  const family = ra?.families[0];
  if (!family) {
    return `<label title="One block for all processes that run the same command"><input id="merge" type="checkbox"> Merge processes with the same command</label>`;
  }
  const example = `${family.keys.length} x ${family.entry}`;
  const noun = family.threads ? 'threads' : family.forked ? 'forks' : 'processes';
  // Hundreds of forks side by side draw a barcode of slivers: such a report opens in the family view.
  const checked = family.keys.length >= FAMILY_VIEW_FROM ? ' checked' : '';
  return `<label title="One block per family of processes (the same program, whatever its arguments), e.g. ${h(example)}"><input id="merge" type="checkbox"${checked}> Family view: merge ${noun} into one block (${h(example)})</label>
<label title="Red: the frame runs in every member of its family; grey: in one"><input id="color-repeat" type="checkbox"> Colour by repetition across ${noun}</label>`;
}

function renderLegend(): string {
  const kinds: FrameKind[] = ['process', 'project', 'package', 'node', 'vm'];
  const items = kinds.map((k) => `<span style="--swatch: ${kindColor(k, 'legend')}">${h(KIND_LABELS[k])}</span>`);
  return `<div class="legend" id="legend-kind" aria-label="Colours">${items.join('')}</div>`;
}

function renderRepetitionLegend(ra: ReportAnalysis): string {
  const n = ra.families[0].keys.length;
  const noun = ra.families[0].threads ? 'threads' : ra.families[0].forked ? 'forks' : 'members';
  const steps = [n, Math.max(1, Math.round(n / 2)), 1].filter((v, i, a) => a.indexOf(v) === i);
  const items = steps.map((m) => `<span style="--swatch: ${repetitionColor(m, n)}">in ${m} of ${n} ${noun}</span>`);
  return `<div class="legend" id="legend-repeat" aria-label="Colours by repetition" hidden>${items.join('')}<span style="--swatch: ${NO_FAMILY_COLOR}">no family</span></div>`;
}

/** The timeline's frame; the browser draws its lanes (browser/timeline.ts) from the embedded data. */
function renderTimeline(): string {
  return `<section id="timeline" class="panel" aria-label="Timeline">
<h2>Timeline<small>one lane per process, from its start to its exit; bar height is CPU use; click a lane for its flame graph</small></h2>
<div class="legend"><span style="--swatch: ${TIMELINE_COLORS.startup}">start-up</span><span style="--swatch: ${TIMELINE_COLORS.job}">after start-up (the job)</span><span style="--swatch: ${TIMELINE_COLORS.alive}">alive, no CPU sampled</span></div>
<div id="timeline-lanes" class="timeline-lanes"><noscript><p class="failure">The timeline needs JavaScript.</p></noscript></div>
</section>`;
}

function renderProcessTable(r: Recording, stats: ProcessStats): string {
  // Parents first, each followed by its children in the order they started, so that the table reads
  // as the process tree; processes that ran before the recording began come first.
  const byStart = r.processes
    .map((p, i) => ({ p, i }))
    .sort((x, y) => (x.p.startTime ?? -Infinity) - (y.p.startTime ?? -Infinity) || x.i - y.i)
    .map(({ p }) => p);
  const entries = forestOrder(byStart, processParents(r));
  const prefixes = treePrefixes(entries);
  const rows = entries.map(({ item: p }, i) => {
    const n = stats.samples.get(p) ?? 0;
    const ms = samplesToMs(p, n);
    const tree = prefixes[i] ? `<span class="tree" aria-hidden="true">${h(prefixes[i])}</span>` : '';
    return `<tr data-process="${h(p.key)}">
<td class="pid">${tree}${h(p.host ? `${p.host}:${p.pid}` : String(p.pid))}${p.thread === undefined ? '' : ` <small>thread ${h(String(p.thread))}</small>`}</td>
<td class="num">${h(String(p.ppid))}</td>
<td class="cmd">${h(p.command)}</td>
<td>${h(lifetime(r, p))}</td>
<td class="num">${p.sampled ? h(formatCount(n)) : 'not sampled'}</td>
<td class="num">${p.sampled ? `${h(formatDuration(ms))} <small>${h(formatPercent(ms, stats.totalMs))}</small>` : '–'}</td>
<td>${exitCell(p)}</td>
<td class="errors">${[...p.errors, ...lostNote(p)].map((e) => h(e)).join('<br>')}</td>
</tr>`;
  });
  return `<section id="processes" class="panel" aria-label="Processes">
<h2>Processes<small>click a row to zoom to it</small></h2>
<table id="process-table" class="processes">
<thead><tr><th>pid</th><th class="num">ppid</th><th>command</th><th>lifetime</th><th class="num">samples</th><th class="num">CPU time</th><th>exit</th><th>errors</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</section>`;
}


/** A process's losses, for its row: `lost 2 chunks (48 samples), 3 messages: disk full at /tmp`. */
function lostNote(p: ProcessRecord): string[] {
  const l = p.lost;
  if (!l) return [];
  return [`lost ${formatCount(l.chunks)} chunk${l.chunks === 1 ? '' : 's'} (${formatCount(l.samples)} samples), ${formatCount(l.messages)} message${l.messages === 1 ? '' : 's'}: ${l.reason}`];
}

function lifetime(r: Recording, p: ProcessRecord): string {
  const t0 = r.meta.startTime;
  const at = (t: number): string => (t <= t0 ? 'start' : `+${formatDuration(t - t0)}`);
  if (p.startTime === undefined && p.endTime === undefined) return '–';
  const from = p.startTime === undefined ? 'before start' : at(p.startTime);
  const to = p.endTime === undefined ? 'end' : at(p.endTime);
  const length = p.startTime !== undefined && p.endTime !== undefined ? ` (${formatDuration(p.endTime - p.startTime)})` : '';
  return `${from} → ${to}${length}`;
}

function exitCell(p: ProcessRecord): string {
  if (p.signal) return `<span class="exit-bad">${h(p.signal)}</span>`;
  if (p.exitCode === 0) return '0';
  if (typeof p.exitCode === 'number') return `<span class="exit-bad">code ${h(String(p.exitCode))}</span>`;
  return p.endTime === undefined ? 'running' : '–';
}
