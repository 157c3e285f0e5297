// The small part of d3-flame-graph 5.0.0 and d3-selection 3 that the report uses (neither ships types).

declare module 'd3-selection' {
  export interface Selection {
    datum(value: unknown): Selection;
    call(fn: (s: Selection) => void): Selection;
  }
  export function select(target: Element): Selection;
}

declare module 'd3-flame-graph' {
  import type { Selection } from 'd3-selection';

  /** A d3-hierarchy node as d3-flame-graph hands it out. */
  export interface FlameNode<T> {
    data: T;
    value: number;
    depth: number;
    id: number;
    highlight?: boolean;
    parent: FlameNode<T> | null;
    children?: FlameNode<T>[];
    descendants(): FlameNode<T>[];
  }

  export interface FlameTooltip<T> {
    (svg: Selection): void;
    show(event: MouseEvent, d: FlameNode<T>): unknown;
    hide(): unknown;
  }

  export interface FlameGraph<T> {
    (s: Selection): void;
    width(w: number): FlameGraph<T>;
    cellHeight(h: number): FlameGraph<T>;
    minFrameSize(px: number): FlameGraph<T>;
    transitionDuration(ms: number): FlameGraph<T>;
    inverted(v: boolean): FlameGraph<T>;
    sort(v: boolean | ((a: FlameNode<T>, b: FlameNode<T>) => number)): FlameGraph<T>;
    title(t: string): FlameGraph<T>;
    tooltip(t: FlameTooltip<T>): FlameGraph<T>;
    setDetailsElement(el: HTMLElement | null): FlameGraph<T>;
    setLabelHandler(fn: (d: FlameNode<T>) => string): FlameGraph<T>;
    setColorMapper(fn: (d: FlameNode<T>, original: string) => string): FlameGraph<T>;
    setSearchMatch(fn: (d: FlameNode<T>, term: string) => boolean): FlameGraph<T>;
    setSearchHandler(fn: (results: FlameNode<T>[], sum: number, total: number) => void): FlameGraph<T>;
    onClick(fn: (d: FlameNode<T>) => void): FlameGraph<T>;
    search(term: string): void;
    clear(): void;
    resetZoom(): void;
    zoomTo(d: FlameNode<T>): void;
    findById(id: number): FlameNode<T> | null;
    destroy(): FlameGraph<T>;
    update(): FlameGraph<T>;
  }

  export default function flamegraph<T>(): FlameGraph<T>;
}
