// The live status line shown while recording, on a TTY only: elapsed and duration, processes seen,
// samples. Redrawn in place; cleared before any other message is printed.

import { noun, plural } from '../viewer/format';

/**
 * What a recording shows while it runs: the status line by default, `wspy top`'s screen instead.
 * `requestStop` ends the recording as Ctrl-C would (the view's own keys, such as q).
 */
export interface LiveView {
  start(collector: LiveSource, requestStop: () => void): void;
  stop(): void;
}

export interface LiveSource extends StatusSource {
  live(): import('../collector/model').Recording;
}

export interface StatusSource {
  stats(): { processes: number; samples: number; connected: number };
}

export class StatusLine implements LiveView {
  private timer: NodeJS.Timeout | undefined;
  private readonly started = Date.now();
  private readonly enabled = Boolean(process.stderr.isTTY);

  constructor(
    private readonly source: StatusSource,
    private readonly durationS?: number,
  ) {}

  start(): void {
    if (!this.enabled) return;
    this.timer = setInterval(() => this.draw(), 250);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.enabled) process.stderr.write('\r\x1b[2K');
  }

  private draw(): void {
    const s = this.source.stats();
    const elapsed = ((Date.now() - this.started) / 1000).toFixed(1);
    const of = this.durationS ? ` / ${this.durationS}s` : '';
    const line = `wspy: recording ${elapsed}s${of} · ${plural(s.processes, 'process', 'processes')} (${s.connected} streaming) · ${s.samples.toLocaleString('en-US')} ${noun(s.samples, 'sample')} · Ctrl-C to stop`;
    process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns || 120) - 1)}`);
  }
}
