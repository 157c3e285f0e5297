// The report's tooltip (flame graph and timeline). d3-flame-graph's own tooltip writes HTML (innerHTML), which would run
// markup hidden in a frame name; this one builds its content with textContent only.

import type { FlameNode, FlameTooltip } from 'd3-flame-graph';

export interface TooltipLine {
  text: string;
  className?: string;
}

export function createTooltip<T>(el: HTMLElement, describe: (d: FlameNode<T>) => TooltipLine[]): FlameTooltip<T> {
  const tip = (() => undefined) as unknown as FlameTooltip<T>;
  tip.show = (event: MouseEvent, d: FlameNode<T>) => {
    showTooltip(el, describe(d), event);
    return tip;
  };
  tip.hide = () => {
    el.hidden = true;
    return tip;
  };
  return tip;
}

/** Fills the tooltip with lines of text (textContent only) and shows it next to the pointer. */
export function showTooltip(el: HTMLElement, lines: TooltipLine[], event: MouseEvent): void {
  el.replaceChildren(
    ...lines.map((line) => {
      const div = el.ownerDocument.createElement('div');
      div.textContent = line.text;
      if (line.className) div.className = line.className;
      return div;
    }),
  );
  el.hidden = false;
  place(el, event);
}

/** Next to the pointer, flipped to the other side near the window's right and bottom edges. */
function place(el: HTMLElement, event: MouseEvent): void {
  const gap = 12;
  const view = el.ownerDocument.defaultView!;
  const { offsetWidth: w, offsetHeight: h } = el;
  let left = event.pageX + gap;
  let top = event.pageY + gap;
  if (left + w > view.scrollX + view.innerWidth) left = Math.max(view.scrollX, event.pageX - w - gap);
  if (top + h > view.scrollY + view.innerHeight) top = Math.max(view.scrollY, event.pageY - h - gap);
  el.style.left = `${left}px`;
  el.style.top = `${top}px`;
}
