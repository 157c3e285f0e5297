// The "repeated across forks" panel's rows (rendered on the server, viewer/repeated-panel.ts): a click
// or Enter on a row shows that finding in the flame graph.

import type { Finding } from '../../collector/analysis';

/** The regular expression (source) that matches a finding's frames in the flame graph's labels. */
export function findingPattern(f: Finding): string {
  if (f.what === 'package' && f.package) return `\\(${escapeRegExp(f.package)}/`;
  return (f.frames ?? [f.label]).map((l) => `^${escapeRegExp(l)}$`).join('|');
}

export function wireRepeatedPanel(doc: Document, findings: Finding[], show: (f: Finding) => void): void {
  const table = doc.getElementById('repeated-table');
  if (!table) return;
  const pick = (target: EventTarget | null): void => {
    const row = (target as Element | null)?.closest('tr[data-finding]');
    const f = row ? findings[Number(row.getAttribute('data-finding'))] : undefined;
    if (!f) return;
    table.querySelectorAll('tr.selected').forEach((r) => r.classList.remove('selected'));
    row!.classList.add('selected');
    show(f);
  };
  table.addEventListener('click', (e) => pick(e.target));
  table.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      pick(e.target);
    }
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
