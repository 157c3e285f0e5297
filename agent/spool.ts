// The spool: one JSON message per line in <spool>/<pid>.jsonl (<pid>-<threadId>.jsonl for a worker
// thread), appended synchronously so that it works at boot (before any socket) and inside an exit
// handler (where nothing async runs).
import * as fs from 'fs';
import type { AgentMessage } from './protocol';
import { spoolFile } from './recording-dir';
import { workerThreadId } from './thread';

/** Appends the messages; false (never an exception) when the spool is gone or unwritable. */
export function appendToSpool(dir: string, pid: number, ...messages: AgentMessage[]): boolean {
  if (messages.length === 0) return true;
  try {
    fs.appendFileSync(spoolFile(dir, pid, workerThreadId()), messages.map((m) => JSON.stringify(m) + '\n').join(''));
    return true;
  } catch {
    return false;
  }
}
