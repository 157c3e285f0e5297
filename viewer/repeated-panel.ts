// The "repeated across forks" panel at the top of the HTML report, rendered on the server: the top
// finding in words, then a ranked table. The browser (viewer/browser/panel.ts) makes its rows zoom the
// flame graph. Every string from a profile goes through escapeHtml.

import type { Analysis } from '../collector/analysis';
import { escapeHtml as h } from './escape';
import { Finding, findingSentence, membersNoun, ms, percent, ReportAnalysis, times } from '../collector/analysis';

export function renderRepeatedPanel(a: Analysis, ra: ReportAnalysis): string {
  if (ra.families.length === 0) return '';
  const top = ra.findings[0];
  const title = '<h2>Repeated across forks<small>work that every member of a family of processes does again; click a row to see it in the flame graph</small></h2>';
  if (!top) {
    const f = ra.families[0];
    return `${title}<p class="finding">No function or package load repeats in most ${h(membersNoun(f))} (${h(String(f.keys.length))} x ${h(f.entry)}) at more than 1 % of their CPU.</p>`;
  }
  const family = ra.families[top.family];
  const startup = a.families[top.family]?.startup;
  const startupLine = startup
    ? `<p class="finding-note">Start-up, until the first job or timer: ${h(ms(startup.cpuMs.median))} of CPU per member, of which ${h(ms(startup.loadingMs.median))} loading modules and running their top-level code, and ${h(ms(startup.runtimeMs.median))} in Node's own runtime (bootstrap, GC), which no change to the program avoids.</p>`
    : '';
  const rows = ra.findings.map((f, i) => row(f, i, ra));
  return `${title}
<p class="finding" id="top-finding">${h(findingSentence(top, family))}</p>
${startupLine}
<table id="repeated-table" class="findings">
<thead><tr><th>function or package</th><th class="family">family</th><th class="num">in</th><th class="num">per member</th><th class="num">total</th><th class="num">share</th><th class="num">if it ran once</th><th>advice</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
<p class="note">Estimates assume the family is CPU-bound and each member is one unit of work; "if it ran once" is the throughput factor if the item ran in one long-lived process instead of in every member. See docs/ANALYSIS.md.</p>`;
}

function row(f: Finding, i: number, ra: ReportAnalysis): string {
  const family = ra.families[f.family];
  const name = f.what === 'package' ? `loading ${f.label}` : f.label;
  const within = f.within ? `<small class="within">inside ${h(shortName(f.within))}</small>` : '';
  const called = f.calledFrom && !f.within ? `<small class="within">called from ${h(shortName(f.calledFrom))}</small>` : '';
  const once = f.phase === 'work' ? '<small>the job itself?</small>' : `${h(ms(f.savedMs))} less, ${h(times(f.speedup))}`;
  // The family is repeated under the name for narrow windows, where its own column is hidden.
  const familyText = `${family.keys.length} x ${family.entry}`;
  return `<tr data-finding="${i}"${f.within ? ' class="nested"' : ''} tabindex="0">
<td class="fn">${h(name)}${within}${called}<small class="family-inline">in ${h(familyText)}</small></td>
<td class="family">${h(familyText)}</td>
<td class="num">${h(`${f.members} of ${f.of}`)}</td>
<td class="num">${h(ms(f.msPerMember))}</td>
<td class="num">${h(ms(f.totalMs))}</td>
<td class="num"><span class="bar" style="--share: ${Math.min(100, Math.max(0, f.share * 100)).toFixed(1)}%"></span>${h(percent(f.share))}</td>
<td class="num once">${once}</td>
<td class="advice" title="${h(f.advice)}">${h(f.shortAdvice)}</td>
</tr>`;
}

/** `defineModel` from `defineModel (examples/demo/models.js:19)`. */
function shortName(label: string): string {
  const m = /^(.*?) \(/.exec(label);
  return m ? m[1] : label;
}
