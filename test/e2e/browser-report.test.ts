// The HTML report in real headless Chromium, opened from file:// as users open it.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { Recording } from '../../collector/model';
import { renderHtml } from '../../viewer/html';
import { launchChromium, LaunchedChromium } from '../helpers/chromium';
import { tempDir } from '../helpers/wspy';
import { forkWorkerRecording, HOSTILE_NAME, manyStacksRecording, screenshotRecording } from '../helpers/viewer-fixture';

let browser: LaunchedChromium | undefined;
let dir = '';

before(async () => {
  browser = await launchChromium();
  dir = tempDir('wspy-report-');
});
after(async () => {
  await browser?.close();
});

interface Opened {
  page: Page;
  problems: string[];
  requests: string[];
  dialogs: string[];
}

async function open(r: Recording, name: string): Promise<Opened> {
  const file = path.join(dir, `${name}.html`);
  writeFileSync(file, renderHtml(r));
  const page = await browser!.context.newPage();
  const opened: Opened = { page, problems: [], requests: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') opened.problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => opened.problems.push(`page error: ${e.message}`));
  page.on('request', (req) => opened.requests.push(req.url()));
  page.on('dialog', (d) => {
    opened.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
  // Let d3's entry transitions finish so that widths and labels are final.
  await page.waitForTimeout(700);
  return opened;
}

/** Drawn frames: name, depth (row) and width, from d3-flame-graph's SVG. */
async function frames(page: Page): Promise<Array<{ name: string; depth: number; width: number; fill: string }>> {
  return page.$$eval('#chart svg g.frame', (gs) =>
    gs.map((g) => {
      const m = /translate\(([-\d.e]+),\s*([-\d.e]+)\)/.exec(g.getAttribute('transform') ?? '');
      const rect = g.querySelector('rect')!;
      return {
        name: g.getAttribute('name') ?? '',
        depth: Math.round(Number(m ? m[2] : 0) / 18),
        width: Number(rect.getAttribute('width')),
        fill: rect.getAttribute('fill') ?? '',
      };
    }),
  );
}

test('the report opens from file:// with no errors and no network', async (t) => {
  if (!browser) return t.skip('no Chromium');
  const { page, problems, requests } = await open(forkWorkerRecording(), 'basic');
  assert.deepEqual(problems, []);
  assert.deepEqual(requests, [page.url()], 'the only request is the page itself');
  assert.equal(await page.textContent('h1'), 'node worker.js');
  await page.close();
});

test('one node per process, nested under its parent, and the processes under the root', async (t) => {
  if (!browser) return t.skip('no Chromium');
  const { page } = await open(forkWorkerRecording(), 'tree');
  const drawn = await frames(page);
  const processes = drawn.filter((f) => /^pid \d+: /.test(f.name));
  assert.deepEqual(processes.map((f) => [f.name, f.depth]).sort(), [
    ['pid 100: node worker.js', 1],
    ['pid 101: node child.js', 2],
    ['pid 102: node child.js', 2],
    ['pid 103: node child.js', 2],
  ]);
  assert.deepEqual(drawn.filter((f) => f.depth === 0).map((f) => f.name), ['all']);
  assert.ok(drawn.some((f) => f.name === 'Model.init (sequelize/lib/model.js:120)'));
  await page.close();
});

test('search highlights matches and shows their share; a bad regex shows a hint', async (t) => {
  if (!browser) return t.skip('no Chromium');
  const { page, problems } = await open(forkWorkerRecording(), 'search');
  await page.fill('#search', 'configureModels');
  await page.press('#search', 'Enter');
  // configureModels: 120 + 80/90/100 samples in the three children, of 895 non-idle samples.
  await page.waitForFunction(() => document.getElementById('search-result')!.textContent!.includes('matched'));
  assert.equal(await page.textContent('#search-result'), 'matched 630 of 895 samples: 70.4 % of total');
  const highlighted = (await frames(page)).filter((f) => f.fill === 'rgb(230,0,230)').map((f) => f.name);
  assert.deepEqual(highlighted, Array(3).fill('configureModels (src/models.js:12)'));

  await page.fill('#search', 'configure(');
  await page.press('#search', 'Enter');
  await page.waitForFunction(() => document.getElementById('search-result')!.classList.contains('invalid'));
  assert.match((await page.textContent('#search-result'))!, /^not a valid regular expression: /);
  assert.equal(await page.getAttribute('#search', 'aria-invalid'), 'true');
  assert.deepEqual((await frames(page)).filter((f) => f.fill === 'rgb(230,0,230)'), []);
  assert.deepEqual(problems, []);
  await page.close();
});

test('click zooms into a frame and reset restores the whole graph', async (t) => {
  if (!browser) return t.skip('no Chromium');
  const { page } = await open(forkWorkerRecording(), 'zoom');
  const full = await page.$eval('#chart svg', (s) => Number(s.getAttribute('width')));
  const widthOf = async (name: string): Promise<number> => (await frames(page)).find((f) => f.name === name)!.width;
  const before = await widthOf('pid 102: node child.js');
  assert.ok(before < full / 2);
  await page.click('#chart g.frame[name="pid 102: node child.js"]');
  await page.waitForTimeout(600);
  assert.ok(Math.abs((await widthOf('pid 102: node child.js')) - full) < 1, 'the zoomed frame spans the graph');
  assert.ok(!(await frames(page)).some((f) => f.name === 'pid 101: node child.js' && f.width > 0.5), 'siblings are gone');
  await page.click('#reset');
  await page.waitForTimeout(600);
  assert.ok(Math.abs((await widthOf('pid 102: node child.js')) - before) < 0.5);
  await page.close();
});

test('the merge switch merges processes that run the same command', async (t) => {
  if (!browser) return t.skip('no Chromium');
  const { page } = await open(forkWorkerRecording(), 'merge');
  await page.check('#merge');
  await page.waitForTimeout(700);
  const names = (await frames(page)).map((f) => f.name);
  assert.ok(names.includes('3 x node child.js'));
  assert.ok(!names.some((n) => /^pid 10[123]:/.test(n)));
  assert.ok(names.includes('pid 100: node worker.js'));
  await page.uncheck('#merge');
  await page.waitForTimeout(700);
  assert.ok((await frames(page)).some((f) => f.name === 'pid 101: node child.js'));
  await page.close();
});

test('a hostile frame name shows as text: no dialog, no img element', async (t) => {
  if (!browser) return t.skip('no Chromium');
  const { page, dialogs, problems } = await open(forkWorkerRecording(), 'hostile');
  const hostile = (await frames(page)).filter((f) => f.name.startsWith(HOSTILE_NAME));
  assert.equal(hostile.length, 3, 'drawn once per child');
  // Zoom into it so its label is drawn, then hover it for the tooltip.
  const selector = `#chart g.frame[name="${HOSTILE_NAME.replace(/"/g, '\\"')} (src/\\"<&'>/evil.js:7)"]`;
  await page.click(selector, { force: true });
  await page.waitForTimeout(1000);
  await page.hover(selector, { force: true });
  assert.ok((await page.textContent('#tooltip'))!.includes(HOSTILE_NAME));
  const label = await page.$eval(`${selector} .d3-flame-graph-label`, (d) => d.textContent);
  assert.equal(label, `${HOSTILE_NAME} (src/"<&'>/evil.js:7)`);
  assert.equal(await page.$$eval('img', (x) => x.length), 0);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a report of 100,000 distinct stacks draws', async (t) => {
  if (!browser) return t.skip('no Chromium');
  const { page, problems } = await open(manyStacksRecording(100_000), 'large');
  const drawn = await page.$$eval('#chart svg g.frame', (gs) => gs.length);
  // Figures for the record, not a threshold (timing belongs in benchmarks).
  const ready = await page.evaluate(() => performance.getEntriesByType('navigation')[0].duration);
  console.log(`# 100k stacks: drew ${drawn} frames; page load took ${Math.round(ready)} ms`);
  assert.ok(drawn > 100);
  assert.deepEqual(problems, []);
  await page.close();
});

// `WSPY_SCREENSHOT=docs/report.png node scripts/test.mjs browser-report` refreshes the README's picture.
test('screenshot of a realistic report', { skip: !process.env.WSPY_SCREENSHOT }, async (t) => {
  if (!browser) return t.skip('no Chromium');
  const { page, problems } = await open(screenshotRecording(), 'screenshot');
  await page.fill('#search', 'sequelize');
  await page.press('#search', 'Enter');
  await page.waitForTimeout(700);
  await page.hover('#chart g.frame[name="configureModels (src/models.js:12)"]', { force: true });
  await page.screenshot({ path: path.resolve(process.env.WSPY_SCREENSHOT!), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});
