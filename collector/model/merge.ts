// Several recordings as one (reports of many files, recordings of several hosts): processes keyed
// `host:pid`, strings, frames and stacks translated through RecordingBuilder.merge. Pure.

import { baseKey, uniqueKey } from './keys';
import { emptyRecording, Recording, RecordingBuilder } from './recording';

/**
 * Several recordings as one: processes keyed `host:pid` (or pid), made unique on clashes; times
 * shifted onto the earliest recording's clock.
 */
export function mergeRecordings(recordings: Recording[]): Recording {
  const first = recordings[0].meta;
  const unique = <T>(xs: T[]): T[] => [...new Set(xs)];
  const cwds = unique(recordings.map((r) => r.meta.cwd));
  const b = new RecordingBuilder(
    emptyRecording({
      title: unique(recordings.map((r) => r.meta.title)).join(' + '),
      startTime: Math.min(...recordings.map((r) => r.meta.startTime)),
      endTime: Math.max(...recordings.map((r) => r.meta.endTime)),
      intervalUs: first.intervalUs,
      idle: recordings.some((r) => r.meta.idle),
      source: unique(recordings.map((r) => r.meta.source)).join('+'),
      wspyVersion: first.wspyVersion,
      ...(cwds.length === 1 && cwds[0] !== undefined ? { cwd: cwds[0] } : {}),
    }),
  );
  const taken = new Set<string>();
  for (const r of recordings) {
    const host = r.meta.host;
    const before = b.recording.processes.length;
    b.merge(r, (p) => uniqueKey(taken, baseKey(p.pid, p.host ?? host, p.thread)));
    // Parent links are found by host and pid, so a recording's host goes onto its processes.
    if (host) for (const p of b.recording.processes.slice(before)) p.host ??= host;
  }
  return b.recording;
}
