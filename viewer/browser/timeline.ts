// The report's timeline: one lane per process from its start to its exit, drawn on a canvas (1,000
// lanes of SVG rectangles would be slow to draw and to hover). In each lane, a bar per window (the
// CPU sent by one chunk, viewer/timeline-data.ts) is as tall as the share of a core the process used
// then, its start-up part orange on the left, the rest blue; a click on a lane zooms the flame graph
// to that process. Labels reach the page through the tooltip's textContent only.

import type { ProcessRecord } from '../../collector/model';
import { formatDuration } from '../format';
import { TIMELINE_COLORS } from '../palette';
import { TimelineData, TimelineLane, WINDOW_FIELDS } from '../timeline-data';
import { showTooltip } from './tooltip';

const AXIS_PX = 20;
/** The lanes' box scrolls past this height, so that 1,000 lanes do not push the flame graph away. */
const MAX_HEIGHT_PX = 360;

/** Lane height that keeps a few lanes legible and a thousand of them on a few screens. */
function laneHeight(n: number): number {
  if (n <= 30) return 16;
  if (n <= 120) return 7;
  if (n <= 400) return 4;
  return 3;
}

export class TimelineView {
  private readonly canvas: HTMLCanvasElement;
  private readonly laneH: number;
  private selected: string | undefined;

  constructor(
    private readonly box: HTMLElement,
    private readonly tooltip: HTMLElement,
    private readonly data: TimelineData,
    private readonly processes: Map<string, ProcessRecord>,
    private readonly onSelect: (key: string) => void,
  ) {
    this.laneH = laneHeight(data.lanes.length);
    this.canvas = box.ownerDocument.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', `timeline of ${data.lanes.length} processes`);
    box.replaceChildren(this.canvas);
    box.style.maxHeight = `${MAX_HEIGHT_PX}px`;
    this.canvas.addEventListener('mousemove', (e) => this.hover(e));
    this.canvas.addEventListener('mouseleave', () => (this.tooltip.hidden = true));
    this.canvas.addEventListener('click', (e) => {
      const lane = this.laneAt(e);
      if (!lane) return;
      this.selected = lane.key;
      this.draw();
      this.onSelect(lane.key);
    });
  }

  draw(): void {
    const width = Math.max(320, this.box.clientWidth);
    const height = AXIS_PX + this.data.lanes.length * this.laneH;
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    const g = this.canvas.getContext('2d');
    if (!g) return;
    g.scale(ratio, ratio);
    g.clearRect(0, 0, width, height);
    this.drawAxis(g, width);
    const x = (t: number): number => (t / this.data.durationMs) * width;
    this.data.lanes.forEach((lane, i) => {
      const top = AXIS_PX + i * this.laneH;
      const h = Math.max(1, this.laneH - (this.laneH > 4 ? 2 : 1));
      g.fillStyle = lane.key === this.selected ? TIMELINE_COLORS.selected : TIMELINE_COLORS.alive;
      g.fillRect(x(lane.start), top, Math.max(1, x(lane.end) - x(lane.start)), h);
      let from = lane.start;
      for (let j = 0; j < lane.windows.length; j += WINDOW_FIELDS) {
        const [to, cpu, startup] = [lane.windows[j], lane.windows[j + 1], lane.windows[j + 2]];
        const left = x(Math.min(from, to));
        const width = Math.max(1, x(to) - left);
        const barH = Math.max(1, Math.round(Math.min(1, cpu / Math.max(to - from, cpu, 1e-9)) * h));
        const startupWidth = cpu > 0 ? (startup / cpu) * width : 0;
        g.fillStyle = TIMELINE_COLORS.startup;
        g.fillRect(left, top + h - barH, startupWidth, barH);
        g.fillStyle = TIMELINE_COLORS.job;
        g.fillRect(left + startupWidth, top + h - barH, width - startupWidth, barH);
        from = to;
      }
    });
  }

  private drawAxis(g: CanvasRenderingContext2D, width: number): void {
    const step = niceStep(this.data.durationMs / Math.max(1, Math.floor(width / 110)));
    g.fillStyle = '#5d6878';
    g.font = '11px system-ui, sans-serif';
    g.textBaseline = 'top';
    for (let t = 0; t <= this.data.durationMs; t += step) {
      const px = (t / this.data.durationMs) * width;
      g.fillRect(px, AXIS_PX - 5, 1, 5);
      g.fillText(t === 0 ? '0' : `+${formatDuration(t)}`, Math.min(px + 3, width - 48), 2);
    }
  }

  private laneAt(e: MouseEvent): TimelineLane | undefined {
    const i = Math.floor((e.offsetY - AXIS_PX) / this.laneH);
    return i >= 0 ? this.data.lanes[i] : undefined;
  }

  private hover(e: MouseEvent): void {
    const lane = this.laneAt(e);
    const p = lane && this.processes.get(lane.key);
    if (!lane || !p) {
      this.tooltip.hidden = true;
      return;
    }
    let cpu = 0;
    let startup = 0;
    for (let j = 0; j < lane.windows.length; j += WINDOW_FIELDS) {
      cpu += lane.windows[j + 1];
      startup += lane.windows[j + 2];
    }
    showTooltip(
      this.tooltip,
      [
        { text: `pid ${p.pid}: ${p.command}`, className: 'tip-name' },
        { text: `from +${formatDuration(lane.start)} to +${formatDuration(lane.end)} (${formatDuration(lane.end - lane.start)})`, className: 'tip-process' },
        { text: p.sampled ? `CPU ${formatDuration(cpu)}, of which start-up ${formatDuration(startup)}` : 'not sampled' },
      ],
      e,
    );
  }
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-3)));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
}
