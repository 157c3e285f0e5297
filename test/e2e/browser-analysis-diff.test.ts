// The diff page in headless Chromium, on two real recordings of the demo: as shipped, and with the fix
// (test/fixtures/diff/models-lazy.js: associations resolved lazily, which the jobs never need).

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { diffRecordings, DiffResult } from '../../collector/analysis';
import { importBytes } from '../../collector/formats';
import { renderDiffHtml } from '../../viewer/diff-html';
import { launchChromium, LaunchedChromium } from '../helpers/chromium';
import { FIXTURES, ROOT, runWspy, tempDir } from '../helpers/wspy';

let browser: LaunchedChromium | undefined;
let dir = '';
let diff: DiffResult | undefined;
let page = '';

async function recordDemo(name: string, models?: string): Promise<string> {
  const work = path.join(dir, name);
  mkdirSync(work);
  for (const f of readdirSync(path.join(ROOT, 'examples', 'demo'))) copyFileSync(path.join(ROOT, 'examples', 'demo', f), path.join(work, f));
  if (models) copyFileSync(models, path.join(work, 'models.js'));
  const out = path.join(dir, `${name}.json`);
  const run = await runWspy(['record', '-s', '-r', '500', '-f', 'json', '-o', out, '--', process.execPath, 'worker.js', '8', '2'], { cwd: work });
  assert.equal(run.code, 0, run.stderr);
  return out;
}

before(async () => {
  browser = await launchChromium();
  dir = tempDir('wspy-browser-diff-');
  const b = await recordDemo('before');
  const a = await recordDemo('after', path.join(FIXTURES, 'diff', 'models-lazy.js'));
  const load = (f: string) => importBytes(readFileSync(f), f);
  diff = diffRecordings(load(b), load(a), { normalize: 'process' });
  page = path.join(dir, 'diff.html');
  writeFileSync(page, renderDiffHtml(diff, { beforeName: 'before.json', afterName: 'after.json' }));
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the fix shows: resolveAssociations is gone from every fork', () => {
  const gone = diff!.functions.find((f) => f.name === 'resolveAssociations (models.js:11)');
  assert.ok(gone, 'resolveAssociations changed');
  assert.equal(gone.after, 0);
  assert.ok(gone.before > 0);
  assert.ok(diff!.tree.after < diff!.tree.before, 'less CPU per process after the fix');
});

test('the diff page draws, colours by change and lists the largest change first', async (t) => {
  if (!browser) return t.skip('no Chromium');
  const p = await browser.context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  p.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  p.on('pageerror', (e) => problems.push(e.message));
  p.on('request', (r) => requests.push(r.url()));
  await p.goto(pathToFileURL(page).href);
  await p.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
  await p.waitForTimeout(700);
  const drawn = await p.$$eval('#chart svg g.frame', (gs) =>
    gs.map((g) => ({ name: g.getAttribute('name') ?? '', fill: g.querySelector('rect')!.getAttribute('fill') ?? '' })),
  );
  assert.ok(drawn.some((f) => f.name === 'configureModels (models.js:31)'));
  const rgb = (s: string) => s.match(/\d+/g)!.map(Number);
  const blue = drawn.filter((f) => {
    const [r, , b] = rgb(f.fill);
    return b > r + 40;
  });
  assert.ok(blue.some((f) => f.name === 'configureModels (models.js:31)'), 'the fixed set-up is blue (faster)');
  assert.ok(new Set(drawn.map((f) => f.fill)).size >= 3, 'frames differ in colour');
  const firstRow = await p.$eval('#changes-table tbody tr td', (td) => td.textContent);
  assert.equal(firstRow, diff!.functions[0].name);
  const rows = await p.$$eval('#changes-table tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
  const gone = rows.find((r) => r[0] === 'resolveAssociations (models.js:11)');
  assert.ok(gone, 'resolveAssociations is in the table');
  assert.equal(gone[4], '−100 %');
  assert.match((await p.textContent('#verdict'))!, /^Less CPU time after/);

  // Sized by before, the vanished function is drawn again.
  await p.selectOption('#size-by', 'before');
  await p.waitForTimeout(500);
  assert.ok(await p.$('#chart g.frame[name="resolveAssociations (models.js:11)"]'));
  if (process.env.WSPY_SCREENSHOT_DIFF) {
    await p.selectOption('#size-by', 'after');
    await p.waitForTimeout(500);
    await p.hover('#chart g.frame[name="configureModels (models.js:31)"]', { force: true });
    await p.screenshot({ path: path.resolve(process.env.WSPY_SCREENSHOT_DIFF), fullPage: false });
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(requests, [p.url()]);
  await p.close();
});
