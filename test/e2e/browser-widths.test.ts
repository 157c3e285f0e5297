// The report of a real recording (`wspy demo`) in real headless Chromium at a narrow (800 px) and a
// wide (1400 px) window: nothing sticks out to the right, the findings table included, and the
// Processes table draws the tree.

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { launchChromium, LaunchedChromium } from '../helpers/chromium';
import { runWspy, tempDir } from '../helpers/wspy';

let browser: LaunchedChromium | undefined;
let report = '';

before(async () => {
  browser = await launchChromium();
  report = path.join(tempDir('wspy-widths-'), 'demo.html');
  const r = await runWspy(['demo', '--jobs', '6', '-o', report]);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => {
  await browser?.close();
});

interface Overflow {
  page: { scrollWidth: number; clientWidth: number };
  /** Elements whose right edge is past the window's, or whose own content scrolls sideways. */
  sticking: string[];
  findingsRows: number;
  /** The narrowest function cell of the findings table, in px. */
  narrowestFunction: number;
  treeCells: string[];
}

for (const width of [800, 1400]) {
  test(`at ${width} px nothing overflows horizontally`, async (t) => {
    if (!browser) return t.skip('no Chromium');
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.setViewportSize({ width, height: 900 });
    await page.goto(pathToFileURL(report).href);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
    await page.waitForTimeout(700);
    const seen = await page.evaluate((): Overflow => {
      const doc = document.documentElement;
      const sticking: string[] = [];
      const name = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''}`;
      for (const el of Array.from(document.querySelectorAll('section, table, header, .panel, #chart, #timeline-lanes'))) {
        const box = el.getBoundingClientRect();
        if (box.width === 0) continue;
        if (box.right > doc.clientWidth + 1) sticking.push(`${name(el)} ends at ${Math.round(box.right)} px`);
        if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible') {
          sticking.push(`${name(el)} scrolls sideways (${el.scrollWidth} > ${el.clientWidth})`);
        }
      }
      const tree = Array.from(document.querySelectorAll('#process-table td.pid')).map((td) => td.textContent ?? '');
      return {
        page: { scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth },
        sticking,
        findingsRows: document.querySelectorAll('#repeated-table tbody tr').length,
        narrowestFunction: Math.min(...Array.from(document.querySelectorAll('#repeated-table td.fn')).map((td) => td.getBoundingClientRect().width)),
        treeCells: tree,
      };
    });
    assert.deepEqual(problems, []);
    assert.ok(seen.findingsRows > 0, 'the demo has findings, so the findings table is there to be measured');
    assert.ok(seen.page.scrollWidth <= seen.page.clientWidth, `the page scrolls sideways: ${seen.page.scrollWidth} > ${seen.page.clientWidth}`);
    assert.deepEqual(seen.sticking, []);
    // Fitting is not enough: the function column keeps room for a name to be read, not a letter a line.
    assert.ok(seen.narrowestFunction >= 180, `the function column is ${Math.round(seen.narrowestFunction)} px wide`);
    // The worker and its six children: the first child with ├, the last with └.
    assert.equal(seen.treeCells.length, 7);
    assert.match(seen.treeCells[0], /^\d+$/);
    assert.match(seen.treeCells[1], /^├ \d+$/);
    assert.match(seen.treeCells[6], /^└ \d+$/);
    await page.close();
  });
}
