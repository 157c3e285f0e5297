// Data lost on the way to the collector: agents whose spool writes failed (the recording directory's
// disk was full). wspy warns at the start when that disk is nearly full, says in one line at the end
// who lost what and why, and `wspy record`, `top` and `demo` then exit with DATA_LOST_EXIT_CODE (the
// report is written all the same, with what arrived).

import type { Collector } from '../collector/ingest';
import { lossSentence, lossTally, Recording } from '../collector/model';
import * as log from './log';

/**
 * The exit code of a recording (`wspy record`, `top`, `demo`) when some process lost data: sysexits'
 * EX_IOERR ("an error occurred while doing I/O on some file"). A launched command that failed keeps
 * its own exit code instead.
 */
export const DATA_LOST_EXIT_CODE = 74;

/** Below this much free space, a recording of many short processes fills the disk in seconds. */
const LOW_SPACE_BYTES = 1024 * 1024;

/** Warns when the disk of the recording directory is (nearly) full before anything is recorded. */
export function warnIfSpoolDiskLow(collector: Collector): void {
  const space = collector.spoolSpace();
  if (!space || space.freeBytes >= LOW_SPACE_BYTES) return;
  log.warn(
    `only ${Math.floor(space.freeBytes / 1024)} KB free at ${space.place}, where agents write what they cannot stream: ` +
      'short-lived processes may lose their samples (set TMPDIR to a directory with free space)',
  );
}

/** The one line on lost data, when there was any; true when some process lost data. */
export function reportLostData(r: Recording): boolean {
  const tally = lossTally(r);
  if (!tally) return false;
  log.warn(`data lost: ${lossSentence(tally)} (the report holds what arrived; set TMPDIR to a directory with free space)`);
  return true;
}

/** The exit code of a recording: the command's when it failed, else DATA_LOST_EXIT_CODE when data was lost. */
export function recordExitCode(r: Recording, commandCode = 0): number {
  if (commandCode !== 0) return commandCode;
  return lossTally(r) ? DATA_LOST_EXIT_CODE : 0;
}
