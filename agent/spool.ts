// The spool: one JSON message per line in <spool>/<pid>.jsonl (<pid>-<threadId>.jsonl for a worker
// thread), appended synchronously so that it works at boot (before any socket) and inside an exit
// handler (where nothing async runs).
//
// A write can fail while the recording goes on: the disk of the recording directory is full
// (ENOSPC), a quota is reached. What could not be written is then counted (messages, chunks,
// samples, bytes), never thrown: the count goes out on the next chunk, exit or bye over ws, and into
// a loss marker, an empty file whose name carries the count (recording-dir.ts), because an empty file
// needs no data block on a full disk. A partial line is cut off again, so the next message starts
// on a line of its own.
import * as fs from 'fs';
import type { AgentMessage, SpoolLoss } from './protocol';
import { lossMarkerFile, spoolFile } from './recording-dir';

/** Errors that mean the recording is over (or unreachable): nothing written later would be read. */
const GONE = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM']);

export class Spool {
  private readonly file: string;
  private loss: SpoolLoss | undefined;
  private marker: string | undefined;
  /** The marker could not be written: tried again at the next append and at exit. */
  private markerDue = false;
  /** The last append failed because the spool is gone, not because the disk is full. */
  gone = false;

  constructor(
    private readonly dir: string,
    private readonly pid: number,
    private readonly thread?: number,
  ) {
    this.file = spoolFile(dir, pid, thread);
  }

  /** What failed to be written so far (undefined while nothing did). */
  get lost(): SpoolLoss | undefined {
    return this.loss && { ...this.loss };
  }

  /** Appends the messages; false (never an exception) when they could not be written. */
  append(...messages: AgentMessage[]): boolean {
    return this.write(messages, true);
  }

  /**
   * Appends messages that were handed to the socket and may well have arrived (unconfirmed at exit):
   * a failure is not counted as a loss, since the collector probably has them.
   */
  appendMaybeSent(...messages: AgentMessage[]): boolean {
    return this.write(messages, false);
  }

  private write(messages: AgentMessage[], countLoss: boolean): boolean {
    if (messages.length === 0) return true;
    let text: string;
    try {
      text = messages.map((m) => JSON.stringify(m) + '\n').join('');
    } catch {
      return false;
    }
    const code = writeWhole(this.file, text);
    if (code === undefined) {
      this.gone = false;
      if (this.markerDue) this.writeMarker();
      return true;
    }
    this.gone = GONE.has(code);
    if (!this.gone && countLoss) this.count(messages, Buffer.byteLength(text), code);
    return false;
  }

  /** The marker again, if it could not be written before (at exit: the last chance). */
  retryMarker(): void {
    if (this.markerDue) this.writeMarker();
  }

  private count(messages: AgentMessage[], bytes: number, code: string): void {
    const loss = (this.loss ??= { messages: 0, chunks: 0, samples: 0, bytes: 0, code });
    loss.code = code;
    loss.messages += messages.length;
    loss.bytes += bytes;
    for (const m of messages) {
      if (m.t !== 'chunk') continue;
      loss.chunks++;
      for (let i = 2; i < m.nodes.length; i += 3) loss.samples += m.nodes[i];
    }
    this.writeMarker();
  }

  /** An empty file named after the running total; the previous one goes (the collector may have taken it already). */
  private writeMarker(): void {
    const loss = this.loss;
    if (!loss) return;
    const name = lossMarkerFile(this.dir, this.pid, this.thread, loss);
    try {
      if (name !== this.marker) fs.closeSync(fs.openSync(name, 'w'));
      this.markerDue = false;
    } catch {
      this.markerDue = true;
      return;
    }
    const old = this.marker;
    this.marker = name;
    if (old && old !== name) {
      try {
        fs.unlinkSync(old);
      } catch {
        // taken by the collector already
      }
    }
  }
}

/**
 * Appends `text` whole or not at all: a write cut short by a full disk is truncated back, so that
 * no half line is left for the next message to be glued to. The error's code, or undefined.
 */
function writeWhole(file: string, text: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'a');
  } catch (e) {
    return codeOf(e);
  }
  let size = -1;
  try {
    size = fs.fstatSync(fd).size;
    // A full disk first shortens a write, then fails the next one: write until all of it is down.
    const data = Buffer.from(text);
    for (let at = 0; at < data.length; ) at += fs.writeSync(fd, data, at, data.length - at);
    return undefined;
  } catch (e) {
    if (size >= 0) {
      try {
        fs.ftruncateSync(fd, size);
      } catch {
        // the collector sees the file end mid-line, and counts it
      }
    }
    return codeOf(e);
  } finally {
    try {
      fs.closeSync(fd);
    } catch {
      // nothing to do
    }
  }
}

function codeOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,16}$/.test(code) ? code : 'EIO';
}
