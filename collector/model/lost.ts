// Data that processes could not hand over to the collector: their agents' spool writes failed (the
// recording directory's disk was full), counted by the agents and by the spool reader. The record
// keeps a tally per process; this file sums it for the one line that the summary and the report show.

import type { Recording } from './recording';

/** What one process (or worker thread) lost: messages, the chunks among them and their samples, bytes, and why. */
export interface LostData {
  messages: number;
  chunks: number;
  samples: number;
  bytes: number;
  /** In words, with the place: `disk full at /tmp`. */
  reason: string;
}

/** The recording's losses summed over its processes. */
export interface LossTally {
  /** Processes (and threads) that lost something, of all in the recording. */
  processes: number;
  of: number;
  messages: number;
  chunks: number;
  samples: number;
  bytes: number;
  /** Every distinct reason, most frequent first. */
  reasons: string[];
}

/** The recording's losses, or undefined when no process lost anything. */
export function lossTally(r: Recording): LossTally | undefined {
  const t: LossTally = { processes: 0, of: r.processes.length, messages: 0, chunks: 0, samples: 0, bytes: 0, reasons: [] };
  const reasons = new Map<string, number>();
  for (const p of r.processes) {
    const l = p.lost;
    if (!l || l.messages <= 0) continue;
    t.processes++;
    t.messages += l.messages;
    t.chunks += l.chunks;
    t.samples += l.samples;
    t.bytes += l.bytes;
    reasons.set(l.reason, (reasons.get(l.reason) ?? 0) + 1);
  }
  if (t.processes === 0) return undefined;
  t.reasons = [...reasons].sort((a, b) => b[1] - a[1]).map(([reason]) => reason);
  return t;
}

/**
 * One line: `3 of 20 processes lost 12 chunks (1,234 samples) and 9 other messages, 48 KB in all:
 * disk full at /tmp`. Chunks are what hold samples; the other messages are hellos and exits.
 */
export function lossSentence(t: LossTally): string {
  const others = t.messages - t.chunks;
  const what = [
    `${count(t.chunks, 'chunk')}${t.samples > 0 ? ` (${count(t.samples, 'sample')})` : ''}`,
    ...(others > 0 ? [`${count(others, t.chunks > 0 ? 'other message' : 'message')}`] : []),
  ].join(' and ');
  return `${t.processes} of ${count(t.of, 'process', 'processes')} lost ${what}, ${kilobytes(t.bytes)} in all: ${t.reasons.join('; ')}`;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

function kilobytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${Math.round(bytes / 1024).toLocaleString('en-US')} KB`;
}
