// The diff page's markup, without a browser: the table of changes, the normalisation in words, the
// embedded tree, and escaping of names from the profiles.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffRecordings } from '../../collector/analysis';
import { DiffPageData } from '../../viewer/diff-data';
import { renderDiffHtml } from '../../viewer/diff-html';
import { forkWorkerRecording, HOSTILE_NAME } from '../helpers/viewer-fixture';

function embedded(html: string): DiffPageData {
  return JSON.parse(/<script id="wspy-diff" type="application\/json">(.*?)<\/script>/s.exec(html)![1]) as DiffPageData;
}

test('the diff page lists the largest changes first and says how figures are normalised', () => {
  const before = forkWorkerRecording();
  const after = forkWorkerRecording();
  // After: the children's configureModels does half the work.
  for (const p of after.processes.slice(1)) p.samples.count = p.samples.count.map((c, i) => (i === 1 || i === 2 ? Math.round(c / 2) : c));
  const diff = diffRecordings(before, after, { normalize: 'process' });
  const html = renderDiffHtml(diff, { beforeName: 'before.json', afterName: '<after>.json' });
  const rows = [...html.matchAll(/<tr>\s*<td class="fn">(.*?)<\/td>/g)].map((m) => m[1]);
  assert.equal(rows[0], diff.functions[0].name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  assert.ok(rows.includes('configureModels (src/models.js:12)'));
  assert.ok(html.includes('per process of each command'));
  assert.ok(html.includes('&lt;after&gt;.json') && !html.includes('<after>'));
  assert.ok(!html.includes('<img'), 'the hostile frame name is escaped');
  const data = embedded(html);
  assert.equal(data.normalize, 'process');
  assert.equal(data.tree.before, diff.tree.before);
  const names = JSON.stringify(data.tree);
  assert.ok(names.includes(HOSTILE_NAME.replace(/"/g, '\\"')), 'the embedded data round-trips names unchanged');
});

test('every normalisation has its words; an unchanged pair says so', () => {
  const r = forkWorkerRecording();
  for (const [normalize, words] of [
    ['none', 'as recorded (not normalised)'],
    ['unit', 'per unit of work'],
  ] as const) {
    const html = renderDiffHtml(diffRecordings(r, r, { normalize }), { beforeName: 'a', afterName: 'b' });
    assert.ok(html.includes(words), normalize);
    assert.ok(html.includes('About the same CPU time.'));
    assert.ok(html.includes('No function changed.'));
  }
});
