// Number formats shared by the server-rendered page, the SVG and the report's browser code. Pure.

/** `850 ms`, `12.3 s`, `4 min 05 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const min = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${min} min ${String(s).padStart(2, '0')} s`;
}

/** `12.3 %`; shares under 0.1 % keep two significant digits so that they do not read as zero. */
export function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return '0 %';
  const p = (100 * part) / whole;
  if (p === 0) return '0 %';
  if (p < 0.1) return `${p.toPrecision(2)} %`;
  return `${p.toFixed(1)} %`;
}

/** `12,345` */
export function formatCount(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Sampling rate of an interval in microseconds: `1000 Hz`. */
export function formatRate(intervalUs: number): string {
  return intervalUs > 0 ? `${formatCount(1e6 / intervalUs)} Hz` : '–';
}

/** `2024-05-01 14:03:22 UTC` */
export function formatDate(epochMs: number): string {
  if (!Number.isFinite(epochMs) || epochMs <= 0) return 'unknown date';
  return new Date(epochMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** `1 process`, `17 processes`: the count and the noun in the number it takes. */
export function plural(n: number, singular: string, many = `${singular}s`): string {
  return `${n} ${noun(n, singular, many)}`;
}

/** The noun alone, for counts formatted otherwise (`1,024 samples`). */
export function noun(n: number, singular: string, many = `${singular}s`): string {
  return n === 1 ? singular : many;
}
