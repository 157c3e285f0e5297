// Reads the spool: the JSON-lines files in which agents append what they could not send over the
// socket (the hello at boot, the last chunk at exit). Incremental: each file is read from where the
// last read stopped, and only complete lines are passed on. A file whose process's own exit line
// has been read is consumed: nothing follows that line, so the file is deleted and forgotten, and a
// scan costs what the running processes cost, not every child the recording ever saw.
//
// Loss markers (empty files `<pid>.lost-...`, agent/spool.ts) carry in their names what an agent
// could not write (a full disk): passed on and deleted. At the last read, a file that ends in the
// middle of a line was cut short by a failed write: that is reported as a loss too.

import * as fs from 'fs';
import * as path from 'path';
import type { SpoolLoss } from '../../agent/protocol';
import { isSpoolFile, parseLossMarker, spoolFilePid } from '../../agent/recording-dir';
import { CUT_SHORT } from './assembler';

/** Reads the spool's JSON-lines files incrementally, passing each complete line on. */
export class SpoolReader {
  private readonly offsets = new Map<string, number>();

  constructor(
    private readonly dir: string,
    private readonly onMessage: (msg: unknown) => void,
    /** What a process (or a worker thread of it) could not write: a running total, or a cut line seen here. */
    private readonly onLoss: (pid: number, thread: number | undefined, loss: SpoolLoss) => void = () => {},
  ) {}

  /** `last`: the recording is over, so a line still incomplete will never be finished. */
  read(last = false): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      // A worker thread's file (<pid>-<thread>.jsonl) is kept: only a process's own exit consumes.
      if (isSpoolFile(name)) this.readFile(path.join(this.dir, name), spoolFilePid(name), last);
      else this.readMarker(name);
    }
  }

  private readMarker(name: string): void {
    const marker = parseLossMarker(name);
    if (!marker) return;
    this.onLoss(marker.pid, marker.thread, marker.counts);
    // The agent writes a new marker with the new total when it loses more.
    try {
      fs.unlinkSync(path.join(this.dir, name));
    } catch {
      // replaced by the agent meanwhile
    }
  }

  private readFile(file: string, pid: number | undefined, last: boolean): void {
    const from = this.offsets.get(file) ?? 0;
    let data: Buffer;
    try {
      const size = fs.statSync(file).size;
      if (size <= from) return;
      const fd = fs.openSync(file, 'r');
      try {
        data = Buffer.alloc(size - from);
        fs.readSync(fd, data, 0, data.length, from);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return;
    }
    // Only complete lines: an agent may be halfway through appending the next one.
    const end = data.lastIndexOf(0x0a);
    if (last && end < data.length - 1) this.cutShort(file, data.length - 1 - end);
    if (end < 0) return;
    this.offsets.set(file, from + end + 1);
    let exited = false;
    for (const line of data.subarray(0, end).toString('utf8').split('\n')) {
      if (!line) continue;
      let msg: unknown;
      try {
        msg = JSON.parse(line);
      } catch {
        msg = undefined;
      }
      exited ||= pid !== undefined && isOwnExit(msg, pid);
      this.onMessage(msg);
    }
    if (exited) this.consume(file);
  }

  /** The file's last line was never finished: a write cut short (the disk filled up) that the agent could not undo. */
  private cutShort(file: string, bytes: number): void {
    const m = /^(\d+)(?:-(\d+))?\.jsonl$/.exec(path.basename(file));
    if (!m) return;
    this.onLoss(Number(m[1]), m[2] === undefined ? undefined : Number(m[2]), { messages: 1, chunks: 0, samples: 0, bytes, code: CUT_SHORT });
  }

  private consume(file: string): void {
    this.offsets.delete(file);
    try {
      fs.unlinkSync(file);
    } catch {
      // gone already; the offset is forgotten either way
    }
  }
}

/** The process's own exit line (a parent also writes `exit` lines for its children: those are not it). */
function isOwnExit(msg: unknown, pid: number): boolean {
  const m = msg as { t?: unknown; pid?: unknown; of?: unknown } | null;
  return typeof m === 'object' && m !== null && m.t === 'exit' && m.pid === pid && m.of === pid;
}
