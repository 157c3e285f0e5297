// The standalone SVG in real headless Chromium: it parses as an SVG document, hover shows details,
// click zooms, Escape/reset restores, search highlights.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { renderSvg } from '../../viewer/svg';
import { launchChromium, LaunchedChromium } from '../helpers/chromium';
import { tempDir } from '../helpers/wspy';
import { forkWorkerRecording, HOSTILE_NAME } from '../helpers/viewer-fixture';

let browser: LaunchedChromium | undefined;
let dir = '';

before(async () => {
  browser = await launchChromium();
  dir = tempDir('wspy-svg-');
});
after(async () => {
  await browser?.close();
});

test('the SVG opens as a document, and click zooms and reset restores', async (t) => {
  if (!browser) return t.skip('no Chromium');
  const file = path.join(dir, 'flame.svg');
  writeFileSync(file, renderSvg(forkWorkerRecording(), { width: 1000 }));
  const page = await browser.context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  let dialogs = 0;
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  await page.goto(pathToFileURL(file).href);
  assert.equal(await page.evaluate(() => document.documentElement.localName), 'svg');
  assert.equal(await page.evaluate(() => document.getElementsByTagName('parsererror').length), 0);

  const frame = (name: string) => page.locator('g.f', { has: page.locator('title', { hasText: name }) }).first();
  const width = async (name: string): Promise<number> => Number(await frame(name).locator('rect').getAttribute('width'));
  const before = await width('pid 102: node child.js');
  assert.ok(before > 10 && before < 500);

  await frame('pid 102: node child.js').click();
  assert.ok(Math.abs((await width('pid 102: node child.js')) - 980) < 0.01, 'the zoomed frame spans the image');
  assert.equal(await frame('pid 101: node child.js').getAttribute('class'), 'f hidden');
  assert.equal(await frame('pid 100: node worker.js').getAttribute('class'), 'f parent');
  assert.equal(await page.getAttribute('#unzoom', 'visibility'), 'visible');
  await page.locator('g.f:not(.hidden)', { has: page.locator('title', { hasText: 'configureModels' }) }).hover();
  assert.match((await page.textContent('#details'))!, /^configureModels \(src\/models\.js:12\)  \(\d+ samples, /);

  await page.click('#unzoom');
  assert.ok(Math.abs((await width('pid 102: node child.js')) - before) < 0.01);
  assert.equal(await frame('pid 101: node child.js').getAttribute('class'), 'f');

  // The hostile name is text: its title and label hold it literally, nothing ran.
  const hostile = frame('onerror');
  assert.ok((await hostile.locator('title').textContent())!.startsWith(HOSTILE_NAME));
  assert.equal(await page.evaluate(() => document.getElementsByTagName('img').length), 0);

  await page.evaluate(() => (window as unknown as { wspyFlame: { search(s: string): void } }).wspyFlame.search('configure'));
  assert.match((await page.textContent('#matched'))!, /^Matched: 70\.\d %$/);
  await page.evaluate(() => (window as unknown as { wspyFlame: { search(s: string): void } }).wspyFlame.search('('));
  assert.equal(await page.textContent('#matched'), 'not a valid regular expression');

  assert.deepEqual(problems, []);
  assert.deepEqual(requests, [page.url()]);
  assert.equal(dialogs, 0);
  await page.close();
});
