// The report's timeline data: one lane per process in start order, its CPU in windows adding up to the
// process's CPU, and its start-up part the same as the analysis's.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, startupCpuMs } from '../../collector/analysis';
import { countedSamples, samplesToMs } from '../../collector/model';
import { MAX_WINDOWS, timelineData, TimelineLane, WINDOW_FIELDS } from '../../viewer/timeline-data';
import { forkWorkerRecording, manyForksRecording } from '../helpers/viewer-fixture';

function sums(lane: TimelineLane): { cpu: number; startup: number } {
  let cpu = 0;
  let startup = 0;
  for (let j = 0; j < lane.windows.length; j += WINDOW_FIELDS) {
    if (j > 0) assert.ok(lane.windows[j] > lane.windows[j - WINDOW_FIELDS], 'windows in time order');
    assert.ok(lane.windows[j + 2] <= lane.windows[j + 1], 'start-up is part of the window');
    cpu += lane.windows[j + 1];
    startup += lane.windows[j + 2];
  }
  return { cpu, startup };
}

test('a lane per process, in start order, with its whole CPU', () => {
  const r = forkWorkerRecording();
  const t = timelineData(r, startupCpuMs(r));
  assert.deepEqual(t.lanes.map((l) => l.key), ['100', '101', '102', '103']);
  for (const lane of t.lanes) {
    const p = r.processes.find((q) => q.key === lane.key)!;
    assert.ok(Math.abs(sums(lane).cpu - samplesToMs(p, countedSamples(r, p))) < 0.5, `lane ${lane.key}`);
    assert.ok(lane.start <= lane.end && lane.end <= t.durationMs);
  }
  // The parent has no end time (still running): its lane runs to the end of the recording.
  assert.equal(t.lanes[0].end, t.durationMs);
});

test("start-up is the analysis's start-up, and comes first", () => {
  const r = manyForksRecording(5);
  const t = timelineData(r, startupCpuMs(r));
  const family = analyze(r).families.find((f) => f.pids.length === 5)!;
  assert.ok(family, 'the five children are a family');
  const children = t.lanes.filter((l) => l.key !== '100');
  children.forEach((lane, i) => {
    assert.equal(lane.start, 100 + i * 20);
    const { cpu, startup } = sums(lane);
    assert.equal(startup, 60, 'the loader samples');
    assert.equal(cpu, 150);
    assert.equal(lane.windows[2], 60, 'the first window holds the start-up');
    assert.equal(lane.windows[WINDOW_FIELDS + 2], 0, 'the job window has none');
  });
  assert.equal(family.startup.totalMs, 5 * 60, 'the same start-up as the analysis reports');
});

test('without an analysis no lane claims a start-up', () => {
  const r = manyForksRecording(3);
  assert.ok(timelineData(r, new Map()).lanes.every((l) => sums(l).startup === 0));
});

test('a thousand forks stay small', () => {
  const r = manyForksRecording(1000);
  const bytes = JSON.stringify(timelineData(r, startupCpuMs(r))).length;
  assert.ok(bytes < 100_000, `${bytes} bytes`);
});

test('a lane never has more windows than the timeline has slots, and keeps its CPU', () => {
  const r = manyForksRecording(1);
  const p = r.processes[1];
  // 20,000 samples at distinct times (as an imported profile has): one window each would be 60,000 numbers.
  const stack = p.samples.stack[0];
  for (let i = 0; i < 20_000; i++) {
    p.samples.stack.push(stack);
    p.samples.count.push(1);
    p.samples.time.push(290 + (i * 30) / 20_000); // after its own samples, in time order
  }
  const lane = timelineData(r, startupCpuMs(r)).lanes.find((l) => l.key === p.key)!;
  assert.ok(lane.windows.length / WINDOW_FIELDS <= MAX_WINDOWS, `${lane.windows.length / WINDOW_FIELDS} windows`);
  assert.ok(Math.abs(sums(lane).cpu - samplesToMs(p, countedSamples(r, p))) < 1);
});
