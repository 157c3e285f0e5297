// The "repeated across forks" panel, the family view, the colouring by repetition and the tooltips, on
// the real report of the demo (a worker that forks one child per job), in headless Chromium.

import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import type { ReportData } from '../../viewer/embed';
import { NO_FAMILY_COLOR, repetitionColor } from '../../viewer/palette';
import { launchChromium, LaunchedChromium } from '../helpers/chromium';
import { runWspy, tempDir } from '../helpers/wspy';

let browser: LaunchedChromium | undefined;
let dir = '';
let report = '';
let embedded: ReportData | undefined;

before(async () => {
  browser = await launchChromium();
  dir = tempDir('wspy-browser-analysis-');
  report = path.join(dir, 'demo.html');
  const run = await runWspy(['demo', '-o', report, '--jobs', '8']);
  assert.equal(run.code, 0, run.stderr);
  const html = readFileSync(report, 'utf8');
  embedded = JSON.parse(/<script id="wspy-data" type="application\/json">(.*?)<\/script>/s.exec(html)![1]) as ReportData;
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  problems: string[];
  requests: string[];
}

async function open(): Promise<Opened> {
  const page = await browser!.context.newPage();
  const opened: Opened = { page, problems: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') opened.problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => opened.problems.push(`page error: ${e.message}`));
  page.on('request', (req) => opened.requests.push(req.url()));
  await page.goto(pathToFileURL(report).href);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
  await page.waitForTimeout(700);
  return opened;
}

async function frames(page: Page): Promise<Array<{ name: string; width: number; fill: string }>> {
  return page.$$eval('#chart svg g.frame', (gs) =>
    gs.map((g) => ({
      name: g.getAttribute('name') ?? '',
      width: Number(g.querySelector('rect')!.getAttribute('width')),
      fill: g.querySelector('rect')!.getAttribute('fill') ?? '',
    })),
  );
}

/** The demo's top finding: one of its model functions, repeated in all 8 forks. */
function topFinding() {
  const f = embedded!.analysis!.findings[0];
  assert.match(f.label, /^(configureModels|defineModel|resolveAssociations) \(examples\/demo\/models\.js:\d+\)$/);
  assert.equal(f.members, 8);
  assert.equal(f.of, 8);
  return f;
}

test('the demo report loads offline with no errors and leads with the repeated model set-up', async (t) => {
  if (!browser) return t.skip('no Chromium');
  const top = topFinding();
  console.log(`# top finding on the demo: ${top.label}, ${top.msPerMember} ms per fork, share ${top.share}`);
  const { page, problems, requests } = await open();
  assert.deepEqual(problems, []);
  assert.deepEqual(requests, [page.url()]);
  const sentence = (await page.textContent('#top-finding'))!;
  assert.ok(sentence.startsWith(`${top.label}`), sentence);
  assert.match(sentence, / ran in 8 of 8 forks, [\d.]+ ms each/);
  assert.match(sentence, /% of the children's CPU\./);
  const firstRow = await page.$$eval('#repeated-table tbody tr', (rows) => rows.map((r) => r.querySelector('td')!.textContent ?? ''));
  assert.ok(firstRow[0].startsWith(top.label));
  assert.equal(await page.textContent('#repeated-table tbody tr:first-child td:nth-child(3)'), '8 of 8');
  await page.close();
});

test('a click on a panel row switches to the family view and zooms to its frames', async (t) => {
  if (!browser) return t.skip('no Chromium');
  const top = topFinding();
  const { page, problems } = await open();
  const full = await page.$eval('#chart svg', (s) => Number(s.getAttribute('width')));
  await page.click('#repeated-table tbody tr:first-child');
  await page.waitForTimeout(900);
  assert.equal(await page.isChecked('#merge'), true);
  const drawn = await frames(page);
  assert.ok(drawn.some((f) => f.name === '8 x node examples/demo/job.js'), 'the family is one node');
  const target = drawn.filter((f) => f.name === top.label);
  assert.ok(target.length >= 1);
  assert.ok(target.some((f) => Math.abs(f.width - full) < 1), 'zoomed: the frame spans the graph');
  assert.ok(target.every((f) => f.fill === 'rgb(230,0,230)'), 'highlighted');
  assert.match((await page.textContent('#search-result'))!, /^matched \d+ of \d+ samples/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the colouring by repetition paints frames by their share of forks; tooltips say it', async (t) => {
  if (!browser) return t.skip('no Chromium');
  const top = topFinding();
  const { page, problems } = await open();
  const fillOf = async (name: string): Promise<string[]> => (await frames(page)).filter((f) => f.name === name).map((f) => f.fill);
  const byKind = await fillOf(top.label);
  assert.equal(byKind.length, 8, 'once per fork');
  assert.ok(!byKind.includes(repetitionColor(8, 8)));
  assert.equal(await page.isHidden('#legend-repeat'), true);
  await page.check('#color-repeat');
  await page.waitForTimeout(400);
  assert.deepEqual(await fillOf(top.label), Array(8).fill(repetitionColor(8, 8)));
  assert.equal(await page.isVisible('#legend-repeat'), true);
  // The worker (no family) fades to neutral; process nodes keep their colour.
  // Only the worker runs worker.js (its children run job.js); which of its functions are sampled varies.
  const worker = (await frames(page)).filter((f) => f.name.includes('(examples/demo/worker.js:'));
  assert.ok(worker.length > 0, 'the worker\'s own frames are drawn');
  assert.deepEqual(worker.filter((f) => f.fill !== NO_FAMILY_COLOR), [], 'the worker\'s frames are neutral');
  const fills = new Set((await frames(page)).map((f) => f.fill));
  assert.ok(fills.size >= 3, 'several colours');
  await page.uncheck('#color-repeat');
  await page.waitForTimeout(400);
  assert.deepEqual(await fillOf(top.label), byKind);

  await page.hover(`#chart g.frame[name="${top.label}"]`, { force: true });
  const tip = (await page.textContent('#tooltip'))!;
  assert.match(tip, /in 8 of 8 forks, [\d.]+ ms per fork, [\d.]+ m?s in all/);
  assert.deepEqual(problems, []);
  await page.close();
});

// `WSPY_SCREENSHOT=docs/report.png node scripts/test.mjs browser-analysis.test` refreshes the picture.
test('screenshot of the demo report', { skip: !process.env.WSPY_SCREENSHOT }, async (t) => {
  if (!browser) return t.skip('no Chromium');
  const top = topFinding();
  const { page, problems } = await open();
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.check('#color-repeat');
  await page.click('#repeated-table tbody tr:first-child');
  await page.waitForTimeout(900);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.hover(`#chart g.frame[name="${top.label}"]`, { force: true });
  await page.screenshot({ path: path.resolve(process.env.WSPY_SCREENSHOT!), fullPage: false });
  assert.deepEqual(problems, []);
  await page.close();
});
