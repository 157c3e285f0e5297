import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordingTree } from '../../collector/model';
import { renderSvg } from '../../viewer/svg';
import { forkWorkerRecording, HOSTILE_NAME, manyStacksRecording } from '../helpers/viewer-fixture';
import { checkWellFormedXml } from '../helpers/viewer-xml';

test('the SVG is well-formed XML with one rect and text per frame', () => {
  const r = forkWorkerRecording();
  const svg = renderSvg(r, { title: 'a <title> & more' });
  const { root } = checkWellFormedXml(svg);
  assert.equal(root, 'svg');
  const frames = svg.match(/<g class="f">/g)?.length ?? 0;
  let nodes = 0;
  const visit = (n: { children: unknown[] }): void => {
    nodes++;
    (n.children as Array<{ children: unknown[] }>).forEach(visit);
  };
  visit(recordingTree(r));
  assert.equal(frames, nodes, 'small tree: nothing pruned');
  assert.match(svg, /<text id="title"[^>]*>a &lt;title&gt; &amp; more<\/text>/);
});

test('hostile names are escaped in the SVG and nothing is referenced outside it', () => {
  const svg = renderSvg(forkWorkerRecording(), { title: HOSTILE_NAME });
  assert.ok(!svg.includes(HOSTILE_NAME));
  assert.ok(!svg.includes('"<&'));
  assert.doesNotMatch(svg, /<img/i);
  assert.ok(svg.includes('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;'));
  // The hostile frame's file is shown (relative to the project) with every one of "<&'> escaped.
  assert.ok(svg.includes('(src/&quot;&lt;&amp;&#39;&gt;/evil.js:7)'), 'the hostile file is written, escaped');
  assert.doesNotMatch(svg, /\s(xlink:)?(href|src)="|url\(/);
  assert.equal(svg.match(/<script/g)?.length, 1);
  checkWellFormedXml(svg);
});

test('tiny frames are left out of large SVGs and the width option is honoured', () => {
  const svg = renderSvg(manyStacksRecording(20_000), { width: 800 });
  checkWellFormedXml(svg);
  assert.match(svg, /^<\?xml[^]*<svg [^>]*width="800"/);
  const frames = svg.match(/<g class="f">/g)?.length ?? 0;
  assert.ok(frames > 50 && frames < 20_000, `${frames} frames`);
});
