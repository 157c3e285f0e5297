// The report's timeline in real headless Chromium: lanes drawn in start-up and job colours, a click on
// a lane zooms the flame graph to that process, and a thousand processes keep the page usable.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { Recording } from '../../collector/model';
import { renderHtml } from '../../viewer/html';
import { TIMELINE_COLORS } from '../../viewer/palette';
import { launchChromium, LaunchedChromium } from '../helpers/chromium';
import { manyForksRecording } from '../helpers/viewer-fixture';
import { tempDir } from '../helpers/wspy';

let browser: LaunchedChromium | undefined;
let dir = '';

before(async () => {
  browser = await launchChromium();
  dir = tempDir('wspy-timeline-');
});
after(async () => {
  await browser?.close();
});

async function open(r: Recording, name: string): Promise<{ page: Page; problems: string[] }> {
  const file = path.join(dir, `${name}.html`);
  writeFileSync(file, renderHtml(r));
  const page = await browser!.context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  return { page, problems };
}

/** How many canvas pixels have each of the timeline's colours. */
async function colourCounts(page: Page): Promise<Record<string, number>> {
  return page.$eval(
    '#timeline-lanes canvas',
    (c, colours) => {
      const canvas = c as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const want = Object.entries(colours as Record<string, string>).map(([k, hex]) => [k, parseInt(hex.slice(1), 16)] as const);
      const counts: Record<string, number> = Object.fromEntries(want.map(([k]) => [k, 0]));
      for (let i = 0; i < data.length; i += 4) {
        const rgb = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
        for (const [k, v] of want) if (data[i + 3] === 255 && rgb === v) counts[k]++;
      }
      return counts;
    },
    TIMELINE_COLORS,
  );
}

test('lanes show start-up and the job, and a click on a lane zooms to that process', async (t) => {
  if (!browser) return t.skip('no Chromium');
  const { page, problems } = await open(manyForksRecording(8), 'few');
  const counts = await colourCounts(page);
  assert.ok(counts.startup > 0, 'start-up drawn');
  assert.ok(counts.job > 0, 'job drawn');
  assert.ok(counts.alive > 0, 'lifetimes drawn');
  assert.equal(counts.selected, 0, 'nothing selected yet');

  // The sixth child's lane (lanes: the parent, then the children in start order; 16 px each under a 20 px axis).
  const box = (await page.$('#timeline-lanes canvas'))!;
  await box.click({ position: { x: 200, y: 20 + 6 * 16 + 4 } });
  await page.waitForTimeout(600);
  assert.ok((await colourCounts(page)).selected > 0, 'the clicked lane is marked');
  const widths = await page.$$eval('#chart svg g.frame', (gs) =>
    Object.fromEntries(gs.map((g) => [(g.getAttribute('name') ?? '').split(':')[0], Number(g.querySelector('rect')!.getAttribute('width'))])),
  );
  const chartWidth = await page.$eval('#chart', (el) => el.clientWidth);
  assert.ok(widths['pid 1005'] > chartWidth * 0.9, `the clicked process fills the graph (${widths['pid 1005']} of ${chartWidth} px)`);
  assert.ok(!(widths['pid 1004'] > 1), 'its siblings are zoomed away');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a thousand processes: every lane drawn, the timeline scrolls instead of growing the page', async (t) => {
  if (!browser) return t.skip('no Chromium');
  const { page, problems } = await open(manyForksRecording(1000), 'thousand');
  const size = await page.$eval('#timeline-lanes', (el) => ({ box: el.clientHeight, canvas: (el.firstElementChild as HTMLCanvasElement).clientHeight }));
  assert.ok(size.box <= 360, `the box is ${size.box} px tall`);
  assert.ok(size.canvas >= 1001 * 3, `every lane has its row (${size.canvas} px)`);
  assert.ok((await colourCounts(page)).job > 1000, 'job bars drawn');
  // The tooltip names the process under the pointer.
  const canvas = (await page.$('#timeline-lanes canvas'))!;
  await canvas.hover({ position: { x: 300, y: 20 + 500 * 3 + 1 } });
  assert.match((await page.textContent('#tooltip')) ?? '', /pid 1\d{3}: node child\.js/);
  assert.deepEqual(problems, []);
  await page.close();
});
