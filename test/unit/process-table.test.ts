// The report's Processes table reads as the process tree: children under their parent in the order
// they started, drawn with ├ └ │ by depth.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyRecording, emptySamples, forestOrder, ProcessRecord, RecordingBuilder, treePrefixes } from '../../collector/model';
import { renderHtml } from '../../viewer/html';

test('treePrefixes draws siblings, last children and ancestors that have later siblings', () => {
  // a ─ b ─ c          a
  //   │   └ d          ├ b
  //   └ e ─ f          │ ├ c
  //                    │ └ d
  //                    └ e
  //                      └ f
  const parent: Record<string, string | undefined> = { b: 'a', c: 'b', d: 'b', e: 'a', f: 'e' };
  const entries = forestOrder(['a', 'b', 'c', 'd', 'e', 'f'], (x) => parent[x]);
  const drawn = treePrefixes(entries).map((p, i) => p + entries[i].item);
  assert.deepEqual(drawn, ['a', '├ b', '│ ├ c', '│ └ d', '└ e', '  └ f']);
  assert.deepEqual(treePrefixes(forestOrder(['x', 'y'], () => undefined)), ['', '']);
});

test('the Processes table lists children by start time, with the tree drawn in front of each pid', () => {
  const b = new RecordingBuilder(emptyRecording({ title: 't', startTime: 1000, endTime: 5000, intervalUs: 1000, source: 'record' }));
  const f = b.frame('work', '/app/w.js', 1, 1);
  const proc = (pid: number, ppid: number, startTime: number): ProcessRecord => {
    const p = b.upsertProcess(String(pid), () => ({
      pid, ppid, argv: ['node', `p${pid}.js`], command: `node p${pid}.js`, sampled: true, intervalUs: 1000,
      samples: emptySamples(), errors: [], startTime, endTime: 4000,
    }));
    b.addSamples(p, b.stackOf([f]), 1, startTime - 1000 + 1);
    return p;
  };
  // Listed out of start order, as agents may say hello in any order.
  proc(10, 1, 1000);
  proc(13, 10, 1300);
  proc(12, 10, 1200);
  proc(14, 12, 1400);
  proc(11, 10, 1100);
  const html = renderHtml(b.recording);
  const rows = [...html.matchAll(/<tr data-process="(\d+)">\n<td class="pid">(?:<span class="tree" aria-hidden="true">([^<]*)<\/span>)?/g)].map(
    (m) => `${m[2] ?? ''}${m[1]}`,
  );
  assert.deepEqual(rows, ['10', '├ 11', '├ 12', '│ └ 14', '└ 13']);
});
