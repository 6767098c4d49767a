/**
 * Hand-written SVG charts for the regulator page, as plain data: each function returns a tree of
 * `SvgNode`s that the page turns into elements with createElementNS (never innerHTML), so labels
 * that came from the service are always text, never markup. Colours come from the stylesheet's
 * `series-<n>` classes; every bar carries a <title> with its exact number.
 */

export interface SvgNode {
  readonly tag: string;
  readonly attrs: Readonly<Record<string, string | number>>;
  readonly children?: readonly SvgNode[];
  /** Text content (for <text> and <title>). */
  readonly text?: string;
}

export interface Series {
  readonly name: string;
  /** Colour class (`series-<n>`); by default the series' position. Lets one meaning keep one colour across charts. */
  readonly colour?: number;
  /** One value per category, in category order. */
  readonly values: readonly number[];
}

const node = (tag: string, attrs: Record<string, string | number>, children: SvgNode[] = [], text?: string): SvgNode =>
  text === undefined ? { tag, attrs, children } : { tag, attrs, children, text };
const title = (text: string): SvgNode => node('title', {}, [], text);
const label = (x: number, y: number, text: string, anchor: 'start' | 'middle' | 'end', cls = 'axis-label'): SvgNode =>
  node('text', { x, y, 'text-anchor': anchor, class: cls }, [], text);

/** A "nice" axis maximum ≥ max: 1, 2 or 5 times a power of ten. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

function legend(series: readonly Series[], x: number, y: number): SvgNode {
  let at = x;
  const items: SvgNode[] = [];
  series.forEach((s, i) => {
    items.push(node('rect', { x: at, y: y - 9, width: 10, height: 10, class: `series-${s.colour ?? i}` }));
    items.push(label(at + 14, y, s.name, 'start', 'legend-label'));
    at += 24 + s.name.length * 7;
  });
  return node('g', { class: 'legend' }, items);
}

function emptyChart(width: number, height: number, what: string): SvgNode {
  return node('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': `${what}: no data`, class: 'chart chart-empty' }, [
    label(width / 2, height / 2, 'no data in this range', 'middle'),
  ]);
}

/** Vertical bars, one per category, each stacked from the series in order (counts per period by outcome). */
export function stackedBars(what: string, categories: readonly string[], series: readonly Series[], width = 720, height = 260): SvgNode {
  const totals = categories.map((_, c) => series.reduce((sum, s) => sum + (s.values[c] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  if (categories.length === 0 || totals.every((t) => t === 0)) return emptyChart(width, height, what);
  const left = 44;
  const top = 28;
  const bottom = height - 34;
  const plotW = width - left - 10;
  const slot = plotW / categories.length;
  const barW = Math.max(2, Math.min(40, slot * 0.7));
  const y = (v: number) => bottom - ((bottom - top) * v) / max;
  const children: SvgNode[] = [legend(series, left, 14)];
  for (const tick of [0, max / 2, max]) {
    children.push(node('line', { x1: left, x2: width - 10, y1: y(tick), y2: y(tick), class: 'grid' }));
    children.push(label(left - 6, y(tick) + 4, Number.isInteger(tick) ? String(tick) : tick.toFixed(1), 'end'));
  }
  const every = Math.max(1, Math.ceil(categories.length / 8));
  categories.forEach((category, c) => {
    const x = left + slot * c + (slot - barW) / 2;
    let base = 0;
    series.forEach((s, i) => {
      const v = s.values[c] ?? 0;
      if (v <= 0) return;
      children.push(node('rect', { x, y: y(base + v), width: barW, height: y(base) - y(base + v), class: `bar series-${s.colour ?? i}` }, [title(`${category} · ${s.name}: ${v}`)]));
      base += v;
    });
    if (c % every === 0) children.push(label(x + barW / 2, bottom + 16, category, 'middle'));
  });
  children.push(node('line', { x1: left, x2: width - 10, y1: bottom, y2: bottom, class: 'axis' }));
  return node('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': what, class: 'chart' }, children);
}

/** Horizontal bars, one group per row, one bar per series (blocks and overrides by rule; percentiles). */
export function groupedBars(what: string, rows: readonly string[], series: readonly Series[], format: (v: number) => string = String, width = 720): SvgNode {
  const barH = 12;
  const groupH = series.length * barH + 10;
  const top = 28;
  const height = Math.max(80, top + rows.length * groupH + 10);
  const values = series.flatMap((s) => s.values);
  if (rows.length === 0 || values.every((v) => !(v > 0))) return emptyChart(width, 80, what);
  const left = Math.min(260, 14 + Math.max(...rows.map((r) => r.length)) * 7);
  const right = width - 70;
  const max = niceMax(Math.max(...values));
  const x = (v: number) => left + ((right - left) * v) / max;
  const children: SvgNode[] = [legend(series, left, 14)];
  rows.forEach((row, r) => {
    const y0 = top + r * groupH;
    children.push(label(left - 8, y0 + (series.length * barH) / 2 + 4, row, 'end'));
    series.forEach((s, i) => {
      const v = s.values[r] ?? 0;
      const y = y0 + i * barH;
      children.push(node('rect', { x: left, y, width: Math.max(v > 0 ? 1 : 0, x(v) - left), height: barH - 2, class: `bar series-${s.colour ?? i}` }, [title(`${row} · ${s.name}: ${format(v)}`)]));
      if (v > 0) children.push(label(x(v) + 4, y + barH - 3, format(v), 'start', 'value-label'));
    });
  });
  children.push(node('line', { x1: left, x2: left, y1: top - 4, y2: height - 6, class: 'axis' }));
  return node('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': what, class: 'chart' }, children);
}

/** Milliseconds as a short human duration: 850 ms, 42 s, 3.5 min, 2.1 h, 1.4 d. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}
