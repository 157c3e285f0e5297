// End to end: a real program whose hot code is in scripts named '</script><img src=x onerror=...>' and
// '"><svg onload=...><script>...' is recorded with `wspy record -f html` (and -f svg), and the
// reports are opened in headless Chromium: the names are shown as text, no script of theirs runs
// (no dialog), and no element they describe exists.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { launchChromium } from '../helpers/chromium';
import { FIXTURES, functionNames, readRecording, runWspy, tempDir } from '../helpers/wspy';

const program = path.join(FIXTURES, 'faults', 'hostile-names.js');
const IMG = '</script><img src=x onerror=alert(1)>';
const SVG = '"><svg onload=alert(2)><script>alert(3)</script>';

test('hostile script names recorded from a real program run no script in the HTML or SVG report', { timeout: 120_000 }, async (t) => {
  const dir = tempDir();
  try {
    const json = path.join(dir, 'r.json');
    const rec = await runWspy(['record', '-f', 'json', '-o', json, '--', process.execPath, program]);
    assert.equal(rec.code, 0, rec.stderr);
    // V8 reports the script names verbatim: the recording really carries the payloads.
    const r = readRecording(json);
    assert.ok(functionNames(r, r.processes[0].pid).has('hostileWork'));
    const files = new Set(r.frames.file.map((i) => r.strings[i]));
    assert.ok(files.has(IMG) && files.has(SVG), [...files].join(' | '));

    const html = path.join(dir, 'r.html');
    const svg = path.join(dir, 'r.svg');
    for (const [format, file] of [['html', html], ['svg', svg]] as const) {
      const run = await runWspy(['report', json, '-f', format, '-o', file]);
      assert.equal(run.code, 0, run.stderr);
    }
    for (const file of [html, svg]) assert.ok(!fs.readFileSync(file, 'utf8').includes('<img src=x'), `${file} holds the raw payload`);

    const browser = await launchChromium();
    if (!browser) return t.skip('no Chromium');
    try {
      for (const file of [html, svg]) {
        const page = await browser.context.newPage();
        const dialogs: string[] = [];
        page.on('dialog', (d) => {
          dialogs.push(d.message());
          void d.dismiss();
        });
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(`file://${file}`);
        await page.waitForLoadState('load');
        await page.waitForTimeout(500);
        const found = await page.evaluate(() => ({
          img: document.querySelectorAll('img[src="x"], img[onerror]').length,
          onload: document.querySelectorAll('[onload]').length,
          text: document.documentElement.textContent ?? '',
        }));
        assert.deepEqual(dialogs, [], `${file}: a dialog opened`);
        assert.equal(found.img, 0, `${file}: an injected img exists`);
        assert.equal(found.onload, 0, `${file}: an injected onload exists`);
        assert.deepEqual(errors, [], `${file}: page errors`);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
