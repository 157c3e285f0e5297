// A standalone flame graph in one SVG file, in the manner of flamegraph.pl and py-spy: one rect and one
// text per frame (root at the bottom), a <title> and a details line on hover, click to zoom, and a
// regex search, all by an inline script. Every name is XML-escaped; nothing outside the file is referenced.

import { CallTreeNode, Recording, recordingTree } from '../collector/model';
import { escapeXml as x } from './escape';
import { formatCount, formatDuration, formatPercent, formatRate, noun } from './format';
import { FrameKind, frameKind, HIGHLIGHT_COLOR, kindColor } from './palette';

export interface SvgOptions {
  title?: string;
  /** Image width in pixels (default 1200). */
  width?: number;
  /** Frames narrower than this many pixels are left out (their time stays in their caller). */
  minWidthPx?: number;
}

const FRAME_HEIGHT = 16;
const FONT_SIZE = 11;
/** Average advance of a Verdana character at FONT_SIZE, used to cut labels to their frame. */
const CHAR_WIDTH = FONT_SIZE * 0.6;
const PAD = 10;
const TOP = 54;
const BOTTOM = 34;

export function renderSvg(r: Recording, opts: SvgOptions = {}): string {
  const width = Math.max(200, Math.round(opts.width ?? 1200));
  const minWidth = opts.minWidthPx ?? 0.3;
  const title = opts.title ?? r.meta.title;
  const tree = recordingTree(r);
  const total = tree.value;
  const innerWidth = width - 2 * PAD;
  const scale = total > 0 ? innerWidth / total : 0;

  // Lay the tree out first (to know the height), then draw bottom-up.
  const placed: Array<{ node: CallTreeNode; x: number; w: number; depth: number; ms: number }> = [];
  const intervalOf = new Map(r.processes.map((p) => [p.key, p.intervalUs]));
  const kinds = r.frames.file.map((f) => frameKind(r.strings[f]));
  let maxDepth = 0;
  const visit = (node: CallTreeNode, x0: number, depth: number, intervalUs: number): void => {
    const w = node.value * scale;
    if (w < minWidth) return;
    const own = node.processes ? intervalOf.get(node.processes[0]) ?? intervalUs : intervalUs;
    placed.push({ node, x: x0, w, depth, ms: (node.value * own) / 1000 });
    maxDepth = Math.max(maxDepth, depth);
    let cx = x0;
    for (const c of node.children) {
      visit(c, cx, depth + 1, own);
      cx += c.value * scale;
    }
  };
  if (total > 0) visit(tree, PAD, 0, r.meta.intervalUs);

  const height = TOP + (maxDepth + 1) * FRAME_HEIGHT + BOTTOM;
  const base = height - BOTTOM;
  const kindOf = (n: CallTreeNode): FrameKind => (n.frame !== undefined ? kinds[n.frame] : n.processes ? 'process' : 'root');
  const frames = placed.map(({ node, x: fx, w, depth, ms }) => {
    const y = base - (depth + 1) * FRAME_HEIGHT;
    const info = `${formatCount(node.value)} ${noun(node.value, 'sample')}, ${formatDuration(ms)}, ${formatPercent(node.value, total)}`;
    const label = fitLabel(node.name, w);
    return (
      `<g class="f"><title>${x(node.name)}\n${x(info)}</title>` +
      `<rect x="${fx.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${FRAME_HEIGHT - 1}" rx="2" fill="${kindColor(kindOf(node), node.name)}"/>` +
      `<text x="${(fx + 3).toFixed(2)}" y="${y + FRAME_HEIGHT - 4.5}">${x(label)}</text></g>`
    );
  });

  const m = r.meta;
  const subtitle = [
    `${formatCount(r.processes.length)} ${noun(r.processes.length, 'process', 'processes')}`,
    `${formatCount(total)} ${noun(total, 'sample')}`,
    `${formatDuration(m.endTime - m.startTime)}`,
    formatRate(m.intervalUs),
    m.idle ? 'idle kept' : 'idle dropped',
  ].join(' · ');
  const script = zoomScript({ width, pad: PAD, base, frameHeight: FRAME_HEIGHT, charWidth: CHAR_WIDTH, highlight: HIGHLIGHT_COLOR });
  if (script.includes(']]>')) throw new Error('the SVG script must not contain the CDATA end marker');

  return `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<style type="text/css"><![CDATA[
text { font-family: Verdana, "DejaVu Sans", sans-serif; font-size: ${FONT_SIZE}px; fill: #111; }
#title { font-size: 17px; text-anchor: middle; }
#subtitle { fill: #666; text-anchor: middle; }
.button { fill: #2f6fde; cursor: pointer; }
.button:hover { text-decoration: underline; }
#matched { text-anchor: end; }
g.f { cursor: pointer; }
g.f:hover rect { stroke: #000; stroke-width: 0.6; }
g.f.parent { opacity: 0.55; }
g.f.hidden { display: none; }
]]></style>
<rect x="0" y="0" width="${width}" height="${height}" fill="#fdfdfd"/>
<text id="title" x="${width / 2}" y="22">${x(title)}</text>
<text id="subtitle" x="${width / 2}" y="40">${x(subtitle)}</text>
<text id="unzoom" class="button" x="${PAD}" y="22" visibility="hidden">Reset zoom</text>
<text id="search" class="button" x="${width - PAD}" y="22" text-anchor="end">Search</text>
<text id="matched" x="${width - PAD}" y="${height - 12}"> </text>
<text id="details" x="${PAD}" y="${height - 12}"> </text>
<g id="frames">
${frames.join('\n')}
</g>
<script type="text/ecmascript"><![CDATA[
${script}
]]></script>
</svg>
`;
}

/** The label cut to what fits in a frame, as flamegraph.pl does (`name..`), or nothing. */
export function fitLabel(name: string, widthPx: number): string {
  const fits = Math.floor((widthPx - 6) / CHAR_WIDTH);
  if (fits < 3) return '';
  return name.length <= fits ? name : `${name.slice(0, fits - 2)}..`;
}

interface ScriptConstants {
  width: number;
  pad: number;
  base: number;
  frameHeight: number;
  charWidth: number;
  highlight: string;
}

/** The SVG's interactive part; plain ES5 so that any SVG viewer with scripting runs it. */
function zoomScript(c: ScriptConstants): string {
  return `(function () {
  'use strict';
  var W = ${c.width}, PAD = ${c.pad}, BASE = ${c.base}, FH = ${c.frameHeight}, CW = ${c.charWidth}, HL = '${c.highlight}';
  var doc = document;
  var details = doc.getElementById('details'), matched = doc.getElementById('matched');
  var unzoom = doc.getElementById('unzoom'), searchButton = doc.getElementById('search');
  var frames = [].slice.call(doc.querySelectorAll('g.f')).map(function (g) {
    var rect = g.querySelector('rect'), text = g.querySelector('text'), title = g.querySelector('title').textContent;
    var cut = title.lastIndexOf('\\n');
    return {
      g: g, rect: rect, text: text, name: title.slice(0, cut), info: title.slice(cut + 1),
      x: parseFloat(rect.getAttribute('x')), w: parseFloat(rect.getAttribute('width')),
      depth: Math.round((BASE - parseFloat(rect.getAttribute('y'))) / FH) - 1, fill: rect.getAttribute('fill')
    };
  });
  function fit(name, w) {
    var n = Math.floor((w - 6) / CW);
    if (n < 3) return '';
    return name.length <= n ? name : name.slice(0, n - 2) + '..';
  }
  function place(f, x, w) {
    f.rect.setAttribute('x', x.toFixed(2));
    f.rect.setAttribute('width', w.toFixed(2));
    f.text.setAttribute('x', (x + 3).toFixed(2));
    f.text.textContent = fit(f.name, w);
  }
  function setClass(f, cls) { f.g.setAttribute('class', cls ? 'f ' + cls : 'f'); }
  function zoom(z) {
    var scale = (W - 2 * PAD) / z.w, eps = 1e-6;
    frames.forEach(function (f) {
      var inside = f.x >= z.x - eps && f.x + f.w <= z.x + z.w + eps;
      if (f.depth < z.depth && f.x <= z.x + eps && f.x + f.w >= z.x + z.w - eps) {
        setClass(f, 'parent'); place(f, PAD, W - 2 * PAD);
      } else if (f.depth >= z.depth && inside) {
        setClass(f, ''); place(f, PAD + (f.x - z.x) * scale, f.w * scale);
      } else setClass(f, 'hidden');
    });
    unzoom.setAttribute('visibility', z.depth > 0 ? 'visible' : 'hidden');
  }
  function reset() { if (frames.length) zoom(frames[0]); }
  function search(text) {
    var re = null;
    if (text) {
      try { re = new RegExp(text, 'i'); } catch (e) { matched.textContent = 'not a valid regular expression'; return; }
    }
    var spans = [];
    frames.forEach(function (f) {
      var hit = re !== null && re.test(f.name);
      f.rect.setAttribute('fill', hit ? HL : f.fill);
      if (hit) spans.push([f.x, f.x + f.w]);
    });
    if (!re) { matched.textContent = ' '; return; }
    // Nested matches are inside an outer one: count each stretch of the x axis once.
    spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var sum = 0, end = -Infinity;
    spans.forEach(function (s) {
      if (s[0] >= end - 1e-6) { sum += s[1] - s[0]; end = s[1]; }
    });
    var share = frames.length ? (100 * sum) / frames[0].w : 0;
    matched.textContent = 'Matched: ' + share.toFixed(1) + ' %';
  }
  frames.forEach(function (f) {
    f.g.addEventListener('click', function () { zoom(f); });
    f.g.addEventListener('mouseover', function () { details.textContent = f.name + '  (' + f.info + ')'; });
    f.g.addEventListener('mouseout', function () { details.textContent = ' '; });
  });
  unzoom.addEventListener('click', reset);
  searchButton.addEventListener('click', function () {
    var text = window.prompt('Search frames (regular expression, case-insensitive); empty clears', '');
    if (text !== null) search(text);
  });
  doc.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') reset();
    if ((e.ctrlKey || e.metaKey) && e.key === 'f') { e.preventDefault(); searchButton.dispatchEvent(new MouseEvent('click')); }
  });
  window.wspyFlame = { zoom: function (i) { zoom(frames[i]); }, reset: reset, search: search };
})();`;
}
