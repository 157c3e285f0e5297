// `wspy top`'s screen: every second, the functions with the most CPU (self time) over the last
// second and in total, across every process of the recording. On a terminal it takes the alternate
// screen and raw keys (m: merged / per process, q or Ctrl-C: quit) and gives both back when it
// stops, whatever stops it; without a terminal it prints one plain table per interval.
import { TopSnapshot, TopTally } from '../collector/analysis';
import type { LiveSource, LiveView } from './status';
import { terminalSafe } from './terminal-text';

export const TOP_INTERVAL_MS = 1000;
const PLAIN_ROWS = 20;
const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l';
const LEAVE_SCREEN = '\x1b[?25h\x1b[?1049l';

type Mode = 'merged' | 'per-process';

export class TopView implements LiveView {
  private timer: NodeJS.Timeout | undefined;
  private tally: TopTally | undefined;
  private mode: Mode = 'merged';
  private readonly tty = Boolean(process.stdout.isTTY && process.stdin.isTTY);
  private screenTaken = false;
  private readonly started = Date.now();
  private readonly restoreAtExit = () => this.restoreTerminal();
  private readonly onKey = (data: Buffer) => this.key(data.toString('latin1'));
  private requestStop: () => void = () => undefined;

  constructor(private readonly title: string) {}

  start(source: LiveSource, requestStop: () => void): void {
    this.tally = new TopTally(source.live());
    this.requestStop = requestStop;
    if (this.tty) this.takeTerminal();
    this.timer = setInterval(() => this.tick(), TOP_INTERVAL_MS);
    if (this.tty) this.draw(this.tally.snapshot(this.mode, this.rowsThatFit()));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.restoreTerminal();
  }

  private tick(): void {
    if (!this.tally) return;
    this.tally.advance();
    if (this.tty) this.draw(this.tally.snapshot(this.mode, this.rowsThatFit()));
    else process.stdout.write(formatTopTable(this.tally.snapshot(this.mode, PLAIN_ROWS), this.heading(), undefined) + '\n');
  }

  private key(keys: string): void {
    if (keys.includes('q') || keys.includes('Q') || keys.includes('\x03')) return this.requestStop();
    if (keys.includes('m') || keys.includes('M')) {
      this.mode = this.mode === 'merged' ? 'per-process' : 'merged';
      if (this.tally) this.draw(this.tally.snapshot(this.mode, this.rowsThatFit()));
    }
  }

  private takeTerminal(): void {
    this.screenTaken = true;
    process.stdout.write(ENTER_SCREEN);
    process.stdin.setRawMode(true);
    process.stdin.on('data', this.onKey);
    process.stdin.resume();
    process.once('exit', this.restoreAtExit);
  }

  private restoreTerminal(): void {
    if (!this.screenTaken) return;
    this.screenTaken = false;
    process.stdin.off('data', this.onKey);
    try {
      process.stdin.setRawMode(false);
    } catch {
      // stdin already closed
    }
    process.stdin.pause();
    process.stdout.write(LEAVE_SCREEN);
    process.off('exit', this.restoreAtExit);
  }

  private rowsThatFit(): number {
    return Math.max(1, (process.stdout.rows || 24) - 5);
  }

  private heading(): string {
    const elapsed = ((Date.now() - this.started) / 1000).toFixed(0);
    return `wspy top · ${this.title} · ${elapsed} s · ${this.mode === 'merged' ? 'merged' : 'per process'}`;
  }

  private draw(snapshot: TopSnapshot): void {
    const keys = `m: ${this.mode === 'merged' ? 'per process' : 'merged'} · q: quit`;
    const text = formatTopTable(snapshot, `${this.heading()} · ${keys}`, process.stdout.columns || 80);
    process.stdout.write('\x1b[H\x1b[2J' + text.split('\n').join('\r\n'));
  }
}

/** The table `top` shows: a heading, the process count, then one row per function. Everything from the processes is escaped. */
export function formatTopTable(s: TopSnapshot, heading: string, width: number | undefined): string {
  const perProcess = s.rows.some((r) => r.pid !== undefined);
  const lines = [
    heading,
    `${s.processes} process${s.processes === 1 ? '' : 'es'}, ${s.activeProcesses} sampled in the last interval · ` +
      `CPU ${ms(s.intervalMs)} in the last interval, ${ms(s.totalMs)} in total`,
    '',
    `${'OWN%'.padStart(6)}  ${'OWN(1s)'.padStart(8)}  ${'TOTAL'.padStart(9)}  ${(perProcess ? 'PID' : 'PROCS').padStart(7)}  FUNCTION`,
  ];
  for (const r of s.rows) {
    const share = s.intervalMs > 0 ? (100 * r.intervalMs) / s.intervalMs : 0;
    const who = perProcess ? String(r.pid) : String(r.processes);
    lines.push(`${share.toFixed(1).padStart(6)}  ${ms(r.intervalMs).padStart(8)}  ${ms(r.totalMs).padStart(9)}  ${who.padStart(7)}  ${terminalSafe(r.label)}`);
  }
  if (s.rows.length === 0) lines.push('  (no samples yet: processes stream their first chunk after about a second)');
  return lines.map((l) => (width && l.length > width ? l.slice(0, width - 1) + '…' : l)).join('\n');
}

function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}
