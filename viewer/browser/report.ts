// The report's browser code, bundled by esbuild into dist/bundles/report.js and inlined into every
// HTML report. It reads the embedded data, builds the call trees with the same code as the server
// (collector/tree.ts) and wires the controls. Panels are separate modules; a new one (such as the
// "repeated across forks" panel, whose place is <section id="repeated">) gets its own module and one
// line in main().
//
// Nothing here builds HTML from data: every string from the profile reaches the page through
// textContent or d3's .text()/.attr().

import { recordingTree } from '../../collector/model';
import { formatCount, formatPercent } from '../format';
import { frameKind } from '../palette';
import { readReportData } from './data';
import { familyTree, Repetition } from './families';
import { FlameView } from './flame';
import { findingPattern, wireRepeatedPanel } from './panel';
import { parseSearch, SearchTerm, watchSearchInput } from './search';
import { TimelineView } from './timeline';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the report page has no #${id}`);
  return el as T;
}

function main(): void {
  const data = readReportData(document);
  const r = data.recording;
  const searchInput = byId<HTMLInputElement>('search');
  const searchResult = byId('search-result');
  const merge = byId<HTMLInputElement>('merge');
  const families = data.analysis?.families ?? [];
  const repetition = families.length > 0 ? new Repetition(r, families) : undefined;

  const view = new FlameView(
    { chart: byId('chart'), tooltip: byId('tooltip'), details: byId('details') },
    {
      frameKinds: r.frames.file.map((f) => frameKind(r.strings[f])),
      intervalUsOf: new Map(r.processes.map((p) => [p.key, p.intervalUs])),
      defaultIntervalUs: r.meta.intervalUs,
      repetition,
    },
    (matched, total) => {
      searchResult.className = 'search-result';
      searchResult.textContent = `matched ${formatCount(matched)} of ${formatCount(total)} samples: ${formatPercent(matched, total)} of total`;
    },
  );
  // The merge switch is the family view: a family's members (forks of one program, whatever their
  // arguments) become one node; without families it merges processes that run the same command.
  const draw = (): void =>
    view.draw(merge.checked ? (families.length > 0 ? familyTree(r, families) : recordingTree(r, { groupByCommand: true })) : recordingTree(r));

  const applySearch = (term: SearchTerm): void => {
    if (term.kind === 'invalid') {
      searchResult.className = 'search-result invalid';
      searchResult.textContent = `not a valid regular expression: ${term.message}`;
      searchInput.setAttribute('aria-invalid', 'true');
      view.search(undefined);
      return;
    }
    searchInput.removeAttribute('aria-invalid');
    if (term.kind === 'empty') {
      searchResult.className = 'search-result';
      searchResult.textContent = '';
      view.search(undefined);
    } else view.search(term.re);
  };

  watchSearchInput(searchInput, applySearch);
  merge.addEventListener('change', draw);
  byId('reset').addEventListener('click', () => view.resetZoom());
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && e.target !== searchInput) view.resetZoom();
  });
  wireProcessTable(view);
  const timeline = data.timeline
    ? new TimelineView(byId('timeline-lanes'), byId('tooltip'), data.timeline, new Map(r.processes.map((p) => [p.key, p])), (key) => {
        if (merge.checked) {
          merge.checked = false;
          draw();
        }
        if (view.zoomToProcess(key)) byId('flame').scrollIntoView({ behavior: 'smooth', block: 'start' });
      })
    : undefined;
  wireColorMode(view);
  wireRepeatedPanel(document, data.analysis?.findings ?? [], (f) => {
    if (!merge.checked) {
      merge.checked = true;
      draw();
    }
    const pattern = findingPattern(f);
    searchInput.value = pattern;
    applySearch(parseSearch(pattern));
    view.zoomToFrame(new RegExp(pattern), families[f.family]?.keys);
    byId('flame').scrollIntoView({ behavior: 'smooth', block: 'start' });
  });
  let lastWidth = window.innerWidth;
  window.addEventListener('resize', debounce(() => {
    if (window.innerWidth === lastWidth) return;
    lastWidth = window.innerWidth;
    draw();
    timeline?.draw();
  }, 200));

  draw();
  timeline?.draw();
  applySearch(parseSearch(searchInput.value));
  document.body.dataset.ready = 'true';
}

/** A click on a row of the process table zooms the flame graph to that process. */
function wireProcessTable(view: FlameView): void {
  const table = document.getElementById('process-table');
  table?.addEventListener('click', (e) => {
    const row = (e.target as Element).closest('tr[data-process]');
    const key = row?.getAttribute('data-process');
    if (key && view.zoomToProcess(key)) byId('flame').scrollIntoView({ behavior: 'smooth', block: 'start' });
  });
}

/** The switch between colours by kind of code and colours by repetition across a family's members. */
function wireColorMode(view: FlameView): void {
  const toggle = document.getElementById('color-repeat') as HTMLInputElement | null;
  if (!toggle) return;
  const apply = (): void => {
    view.setColorMode(toggle.checked ? 'repetition' : 'kind');
    document.getElementById('legend-kind')?.toggleAttribute('hidden', toggle.checked);
    document.getElementById('legend-repeat')?.toggleAttribute('hidden', !toggle.checked);
  };
  toggle.addEventListener('change', apply);
  if (toggle.checked) apply();
}

function debounce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

function showFailure(e: unknown): void {
  const chart = document.getElementById('chart');
  if (!chart) return;
  const p = document.createElement('p');
  p.className = 'failure';
  p.textContent = `The flame graph could not be drawn: ${e instanceof Error ? e.message : String(e)}`;
  chart.replaceChildren(p);
}

try {
  main();
} catch (e) {
  showFailure(e);
  throw e;
}
