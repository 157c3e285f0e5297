import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallTreeNode, recordingTree, sampleCount } from '../../collector/model';
import { ReportData } from '../../viewer/embed';
import { renderHtml } from '../../viewer/html';
import { forkWorkerRecording, HOSTILE_FILE, HOSTILE_NAME, manyStacksRecording } from '../helpers/viewer-fixture';

/** A call tree without frame indices, which differ once the recording is re-interned. */
function shape(n: CallTreeNode): unknown {
  return { name: n.name, value: n.value, processes: n.processes, children: n.children.map(shape) };
}

function embeddedData(html: string): ReportData {
  const m = /<script id="wspy-data" type="application\/json">([^]*?)<\/script>/.exec(html);
  assert.ok(m, 'the report embeds its data');
  return JSON.parse(m[1]) as ReportData;
}

test('hostile frame names, paths, titles and errors never reach the page unescaped', () => {
  const r = forkWorkerRecording();
  const html = renderHtml(r, { title: HOSTILE_NAME });
  assert.ok(!html.includes(HOSTILE_NAME));
  assert.ok(!html.includes(HOSTILE_FILE));
  assert.ok(!html.includes('"<&'));
  assert.doesNotMatch(html, /<img/i);
  assert.ok(!html.includes('</b>'));
  // Exactly the two script elements we wrote: the data and the code.
  assert.equal(html.match(/<script/gi)?.length, 2);
  assert.equal(html.match(/<\/script/gi)?.length, 2);
  assert.ok(html.includes('<title>&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;</title>'));
  assert.ok(html.includes('Error: boom &lt;/b&gt;'));
  // ...and the data still carries them as they were.
  const data = embeddedData(html);
  assert.ok(data.recording.strings.includes(HOSTILE_NAME));
  assert.ok(data.recording.strings.includes(HOSTILE_FILE));
});

test('the page is self-contained: no external URL, script or stylesheet', () => {
  const html = renderHtml(forkWorkerRecording());
  assert.doesNotMatch(html, /<(script|link|img|iframe)[^>]*\s(src|href)=/i);
  assert.doesNotMatch(html, /@import|url\(\s*['"]?(https?:|\/\/)/i);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.ok(html.length > 50_000, 'the bundled browser code is inlined');
  assert.match(html, /<section id="repeated"/);
});

test('the embedded data round-trips to the same call trees', () => {
  const r = forkWorkerRecording();
  const data = embeddedData(renderHtml(r, { pruneFraction: 0 }));
  assert.equal(data.pruning.foldedStacks, 0);
  assert.deepEqual(shape(recordingTree(data.recording)), shape(recordingTree(r)));
  assert.deepEqual(shape(recordingTree(data.recording, { groupByCommand: true })), shape(recordingTree(r, { groupByCommand: true })));
  assert.deepEqual(
    data.recording.processes.map((p) => [p.key, p.pid, p.ppid, p.command, p.exitCode, p.signal, p.errors]),
    r.processes.map((p) => [p.key, p.pid, p.ppid, p.command, p.exitCode, p.signal, p.errors]),
  );
});

test('header and process table show the totals, idle samples dropped', () => {
  const r = forkWorkerRecording();
  const html = renderHtml(r);
  // Parent: 40 + 25 + 5 (GC) non-idle; children: 30 + 120 + (80..100) + 20 + 15 each.
  const expected = 70 + [0, 1, 2].reduce((sum, i) => sum + 30 + 120 + 80 + 10 * i + 20 + 15, 0);
  assert.match(html, new RegExp(`<dt>Samples</dt><dd>${expected}</dd>`));
  assert.match(html, /<dt>Idle<\/dt><dd>dropped<\/dd>/);
  assert.match(html, /<dt>Rate<\/dt><dd>1,000 Hz<\/dd>/);
  assert.equal(html.match(/<tr data-process=/g)?.length, 4);
  assert.match(html, /<span class="exit-bad">SIGKILL<\/span>/);
  const kept = renderHtml({ ...r, meta: { ...r.meta, idle: true } });
  const all = r.processes.reduce((n, p) => n + sampleCount(p), 0);
  assert.match(kept, new RegExp(`<dt>Samples</dt><dd>${all.toLocaleString('en-US')}</dd>`));
});

test('100,000 distinct stacks make a report under 10 MB', () => {
  const r = manyStacksRecording(100_000);
  const started = Date.now();
  const html = renderHtml(r);
  const data = embeddedData(html);
  console.log(`# 100k stacks: ${(html.length / 1e6).toFixed(2)} MB of HTML, ${data.recording.stacks.frame.length} stacks kept, rendered in ${Date.now() - started} ms`);
  assert.ok(html.length <= 10_000_000, `${html.length} bytes`);
  assert.ok(data.pruning.foldedStacks > 0);
  assert.equal(recordingTree(data.recording).value, recordingTree(r).value);
});

test('data lost: one line in the header, and each process row says what it lost and why, escaped', () => {
  const r = forkWorkerRecording();
  assert.doesNotMatch(renderHtml(r), /data-lost/, 'nothing said when nothing was lost');
  const [a, b] = r.processes.slice(1, 3);
  a.lost = { messages: 3, chunks: 1, samples: 40, bytes: 2048, reason: 'disk full at /tmp/<x>' };
  b.lost = { messages: 2, chunks: 0, samples: 0, bytes: 500, reason: 'disk full at /tmp/<x>' };
  const html = renderHtml(r);
  const total = r.processes.length;
  assert.match(html, new RegExp(`<p id="data-lost" class="failure">Data lost: 2 of ${total} processes lost 1 chunk \\(40 samples\\) and 4 other messages, 2 KB in all: disk full at /tmp/&lt;x&gt;\\.`));
  assert.match(html, /lost 1 chunk \(40 samples\), 3 messages: disk full at \/tmp\/&lt;x&gt;/);
  assert.ok(!html.includes('/tmp/<x>'));
});
