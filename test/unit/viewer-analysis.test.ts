// The report's side of the cross-process analysis, without a browser: the ranked findings and their
// sentence, the panel's markup (escaped), the family view's tree and the per-frame repetition figures.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, findingSentence, reportAnalysis } from '../../collector/analysis';
import { frameLabels } from '../../collector/model';
import { Repetition, familyTree } from '../../viewer/browser/families';
import { renderHtml } from '../../viewer/html';
import { renderRepeatedPanel } from '../../viewer/repeated-panel';
import { BOOT, COMPILE, LOAD, PlantedRecording, RUN_MAIN } from '../helpers/analysis-support';
import { forkWorkerRecording, HOSTILE_NAME } from '../helpers/viewer-fixture';

test('the top finding is the analysis\'s costliest item, in words, with its family', () => {
  const r = forkWorkerRecording();
  const a = analyze(r);
  const ra = reportAnalysis(a);
  assert.equal(ra.families.length, 1);
  assert.deepEqual(ra.families[0].keys, a.families[0].keys);
  const top = ra.findings[0];
  assert.equal(top.label, a.families[0].repeated.find((i) => !i.within)!.label);
  const sentence = findingSentence(top, ra.families[0]);
  assert.ok(sentence.startsWith(top.label));
  assert.match(sentence, /^.*? ran in 3 of 3 forks, \d+ ms each \(\d+ ms in all\): \d+ % of the children's CPU\. /);
  // The fixture's children do their work outside any module load: after start-up, once per job. It is
  // the job itself, and nothing is promised for it.
  assert.equal(top.phase, 'work');
  assert.equal(top.role, 'job');
  assert.equal(top.savedMs, 0);
  assert.match(sentence, /It is the job itself \(it runs after start-up, once per job\): per-job work, which no change shares\.$/);
});

test('a finding in start-up work (under a module load) is worded with what each cure saves', () => {
  const rec = new PlantedRecording().add({ pid: 100, ppid: 1, argv: ['/usr/bin/node', '/app/worker.js'], samples: [[['poll@/app/worker.js:3'], 50]] });
  for (let i = 0; i < 3; i++) {
    rec.add({
      pid: 200 + i,
      ppid: 100,
      argv: ['/usr/bin/node', '/app/child.js'],
      samples: [
        [[BOOT], 5],
        [[RUN_MAIN, LOAD, COMPILE, '@/app/child.js:1', 'configureModels@/app/models.js:12'], 60],
        [['onMessage@/app/child.js:20'], 10],
      ],
    });
  }
  const ra = reportAnalysis(analyze(rec.recording));
  const top = ra.findings[0];
  assert.equal(top.phase, 'startup');
  assert.equal(
    findingSentence(top, ra.families[0]),
    // One child at a time (no end times): a pool of one keeps one child's set-up (65 ms) of 195 ms.
    "configureModels (models.js:12) ran in 3 of 3 forks, 60 ms each (180 ms in all): 80 % of the children's CPU. " +
      'In one long-lived child: saves 130 ms, about 2.4x the throughput (all start-up: bootstrap, module loading, set-up, their GC). ' +
      'Lazy (run it on first use, only in the jobs that need it): saves 180 ms, about 5.0x (this item and its GC).',
  );
});

test('the panel escapes names from the profile and lists one row per finding', () => {
  const r = forkWorkerRecording();
  const a = analyze(r, { minMemberShare: 0.5, minShare: 0.001 });
  const ra = reportAnalysis(a);
  const html = renderRepeatedPanel(a, ra);
  assert.ok(ra.findings.some((f) => f.label.startsWith(HOSTILE_NAME)), 'the hostile frame is a finding');
  assert.ok(!html.includes('<img'), 'no markup from a frame name');
  assert.ok(html.includes('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;'));
  assert.equal(html.match(/<tr data-finding=/g)?.length, ra.findings.length);
});

test('no families: no panel; the report still renders and embeds no analysis', () => {
  const r = forkWorkerRecording();
  r.processes = r.processes.slice(0, 2); // the worker and one child: no family
  const html = renderHtml(r);
  assert.match(html, /<section id="repeated"[^>]*><\/section>/);
  assert.ok(html.includes('Merge processes with the same command'));
});

test('the report embeds the findings and names the family view after the family', () => {
  const r = forkWorkerRecording();
  const html = renderHtml(r);
  assert.ok(html.includes('Family view: merge forks into one block (3 x node child.js)'));
  assert.ok(html.includes('id="color-repeat"'));
  const json = /<script id="wspy-data" type="application\/json">(.*?)<\/script>/s.exec(html)![1];
  const data = JSON.parse(json);
  assert.deepEqual(data.analysis, reportAnalysis(analyze(r)));
  assert.ok(data.analysis.findings.some((f: { label: string }) => f.label === 'configureModels (src/models.js:12)'));
  assert.deepEqual(data.analysis.families[0].keys, ['101', '102', '103']);
});

test('the family view merges a family into one node; repetition counts members per frame', () => {
  const r = forkWorkerRecording();
  const ra = reportAnalysis(analyze(r));
  const tree = familyTree(r, ra.families);
  const worker = tree.children[0];
  assert.equal(worker.name, 'pid 100: node worker.js');
  const family = worker.children.find((c) => c.frame === undefined)!;
  assert.equal(family.name, '3 x node child.js');
  assert.deepEqual(family.processes, ['101', '102', '103']);

  const rep = new Repetition(r, ra.families);
  const labels = frameLabels(r);
  const configure = labels.indexOf('configureModels (src/models.js:12)');
  const found = rep.of(configure, ['102'])!;
  // 120 + 80/90/100 samples of 1 ms in the three children.
  assert.deepEqual(found.repetition, { members: 3, of: 3, msPerMember: 210, totalMs: 630 });
  assert.equal(rep.of(configure, ['100']), undefined, 'the worker is in no family');
});
