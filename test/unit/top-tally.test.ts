// wspy top's figures from a growing Recording (collector/analysis/top.ts), the table it prints
// (cli/top-view.ts), and the escaping of text from profiled processes (cli/terminal-text.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TopTally } from '../../collector/analysis';
import { emptySamples, RecordingBuilder } from '../../collector/model';
import { formatDumps } from '../../cli/dump';
import { formatTopTable } from '../../cli/top-view';
import { terminalSafe } from '../../cli/terminal-text';

function liveRecording() {
  const b = new RecordingBuilder();
  b.recording.meta.intervalUs = 1000; // one sample = 1 ms
  const proc = (pid: number) =>
    b.upsertProcess(String(pid), () => ({ pid, ppid: 1, argv: ['node', 'w.js'], command: 'node w.js', sampled: true, intervalUs: 1000, samples: emptySamples(), errors: [] }));
  const main = b.frame('main', '/app/w.js', 1, 1);
  const hot = b.frame('hot', '/app/w.js', 5, 1);
  const cold = b.frame('cold', '/app/w.js', 9, 1);
  const idle = b.frame('(idle)', '', 0, 0);
  const stacks = { hot: b.stackOf([main, hot]), cold: b.stackOf([main, cold]), idle: b.stackOf([idle]) };
  return { b, proc, stacks };
}

test('top counts self time per function over the last interval and in total, merged and per process', () => {
  const { b, proc, stacks } = liveRecording();
  const p1 = proc(10);
  const p2 = proc(11);
  const tally = new TopTally(b.recording);
  b.addSamples(p1, stacks.hot, 30, 100);
  b.addSamples(p1, stacks.cold, 10, 100);
  b.addSamples(p2, stacks.hot, 20, 100);
  b.addSamples(p2, stacks.idle, 500, 100);
  tally.advance();
  let s = tally.snapshot('merged', 10);
  assert.deepEqual(s.rows.map((r) => [r.label, r.intervalMs, r.totalMs, r.processes]), [
    ['hot (/app/w.js:5)', 50, 50, 2],
    ['cold (/app/w.js:9)', 10, 10, 1],
  ]);
  assert.equal(s.intervalMs, 60, 'idle samples are not CPU');
  assert.equal(s.activeProcesses, 2);

  // The next interval: only what arrived since counts for it; totals keep growing.
  b.addSamples(p1, stacks.cold, 40, 200);
  tally.advance();
  s = tally.snapshot('merged', 10);
  assert.deepEqual(s.rows.map((r) => [r.label, r.intervalMs, r.totalMs]), [
    ['cold (/app/w.js:9)', 40, 50],
    ['hot (/app/w.js:5)', 0, 50],
  ]);
  assert.equal(s.activeProcesses, 1);
  const per = tally.snapshot('per-process', 10);
  assert.deepEqual(per.rows.map((r) => [r.pid, r.label, r.intervalMs]), [
    [10, 'cold (/app/w.js:9)', 40],
    [10, 'hot (/app/w.js:5)', 0],
    [11, 'hot (/app/w.js:5)', 0],
  ]);
  assert.equal(tally.snapshot('merged', 1).rows.length, 1, 'limited to the rows that fit');
});

test('frame names with control characters are escaped in top and dump output', () => {
  const { b, proc } = liveRecording();
  const p = proc(12);
  const evil = b.stackOf([b.frame('x\x1b[2J\x1b]0;pwned\x07', '/app/\x1b[31mred.js', 3, 1)]);
  b.addSamples(p, evil, 5, 100);
  const tally = new TopTally(b.recording);
  tally.advance();
  const table = formatTopTable(tally.snapshot('merged', 10), 'heading', undefined);
  assert.doesNotMatch(table, /[\x00-\x08\x0b-\x1f\x7f]/);
  assert.match(table, /x\\x1b\[2J\\x1b\]0;pwned\\x07 \(\/app\/\\x1b\[31mred\.js:3\)/);

  const dumped = formatDumps([{ pid: 1, ppid: 0, command: 'node \x1b[H', frames: [{ name: 'f\x9b1m', file: '/a.js', line: 2, column: 1 }] }]);
  assert.doesNotMatch(dumped, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  assert.match(dumped, /node \\x1b\[H/);
  assert.equal(terminalSafe('a\u001b[2Jb\tc'), 'a\\x1b[2Jb\\x09c');
});
