import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, escapeXml, inlineSafe, jsonForScript } from '../../viewer/escape';
import { checkWellFormedXml } from '../helpers/viewer-xml';

test('escapeHtml leaves no markup characters', () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
});

test('escapeXml also replaces characters XML cannot hold', () => {
  const s = escapeXml('a\u0000b\u001Fc\uD800d\u2028e<');
  assert.equal(s, 'a\uFFFDb\uFFFDc\uFFFDd\u2028e&lt;');
  checkWellFormedXml(`<t a="${s}">${s}</t>`);
  // A well-formed surrogate pair stays.
  assert.equal(escapeXml('😀'), '😀');
});

test('jsonForScript cannot close its element and parses back to the same value', () => {
  const value = { s: '</script><!-- <script>&\u2028\u2029', n: [1, 2.5, -3], nested: { '<': '>' } };
  const json = jsonForScript(value);
  assert.doesNotMatch(json, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(json), value);
});

test('inlineSafe breaks closing tags and comment openers in inlined code', () => {
  const code = 'var a = "</script>", b = "</SCRIPT", c = "<!--";';
  const safe = inlineSafe(code, 'script');
  assert.doesNotMatch(safe, /<\/script|<!--/i);
  // It still means the same JavaScript.
  const run = (src: string): unknown[] => new Function(`${src}; return [a, b, c];`)() as unknown[];
  assert.deepEqual(run(safe), run(code));
});

test('the XML checker rejects what a parser would', () => {
  for (const bad of ['<a><b></a></b>', '<a x=1/>', '<a>x < y</a>', '<a>&nbsp;</a>', '<a/><b/>', '<a>', '<a x="1" x="2"/>']) {
    assert.throws(() => checkWellFormedXml(bad), Error, bad);
  }
  assert.deepEqual(checkWellFormedXml('<?xml version="1.0"?>\n<a x="&amp;"><![CDATA[ < & ]]><b/>t&#10;</a>\n'), { root: 'a', elements: 2 });
});
