/**
 * A small, dependency-free SVG line chart: several panels stacked over one shared x axis, each with
 * its own y axis, "nice" ticks, grid lines, a title and a legend. Written for the soak campaign's
 * time series (docs/soak.svg) and kept generic: values in, SVG text out, no I/O.
 *
 * A point whose y is not finite breaks its line (a gap), so a missing sample is not drawn as a
 * slope. Series are drawn in the order given; the legend follows the same order.
 */

export interface ChartSeries {
  readonly name: string;
  /** `[x, y]` pairs in ascending x; a non-finite y leaves a gap. */
  readonly points: ReadonlyArray<readonly [number, number]>;
  /** A CSS colour; the palette's next colour when absent. */
  readonly color?: string;
  /** Draw dashed (a reference level, a cap). */
  readonly dashed?: boolean;
}

export interface ChartPanel {
  readonly title: string;
  /** Shown after the title, e.g. `MiB`. */
  readonly unit?: string;
  readonly series: readonly ChartSeries[];
  /** Lower end of the y axis; 0 unless given (a level is read against zero). */
  readonly yMin?: number;
  /** Upper end of the y axis; from the data (rounded up to a tick) unless given. */
  readonly yMax?: number;
  /**
   * `log`: a base-10 axis (ticks at 1, 2 and 5 × 10^k), for values spanning decades such as
   * latencies; values ≤ 0 leave a gap. `linear` (the default) otherwise.
   */
  readonly yScale?: 'linear' | 'log';
}

export interface ChartSpec {
  readonly title: string;
  /** Lines under the title (machine, options, verdict). */
  readonly subtitle?: readonly string[];
  readonly xLabel: string;
  /** x axis range; from the data unless given. */
  readonly xMin?: number;
  readonly xMax?: number;
  readonly panels: readonly ChartPanel[];
  /** Total width in px (default 960). */
  readonly width?: number;
  /** Height of each panel's plot area in px (default 140). */
  readonly panelHeight?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'] as const;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

/**
 * Up to about `maxTicks` evenly spaced round values (1, 2 or 5 × 10^k apart) covering [min, max]:
 * the first tick is ≤ min and the last ≥ max. A degenerate range is widened around its value.
 */
export function niceTicks(min: number, max: number, maxTicks = 6): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new RangeError('niceTicks needs finite bounds');
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, maxTicks - 1);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(roundTo(k * step, step));
  return ticks;
}

/** Ticks of a log axis covering [min, max] (both > 0): 1, 2 and 5 × 10^k, or only powers of ten over many decades. */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > 0) || !Number.isFinite(min) || !Number.isFinite(max)) throw new RangeError('logTicks needs positive finite bounds');
  if (max < min) [min, max] = [max, min];
  const lo = Math.floor(Math.log10(min) + 1e-9);
  const hi = Math.ceil(Math.log10(max) - 1e-9);
  const mantissas = hi - lo > 4 ? [1] : [1, 2, 5];
  const candidates: number[] = [];
  for (let k = lo; k <= hi; k++) for (const m of mantissas) candidates.push(Number((m * 10 ** k).toPrecision(12)));
  // From the last candidate ≤ min to the first ≥ max.
  let first = 0;
  while (first + 1 < candidates.length && candidates[first + 1]! <= min * (1 + 1e-9)) first++;
  let last = candidates.length - 1;
  while (last - 1 >= first && candidates[last - 1]! >= max * (1 - 1e-9)) last--;
  return candidates.slice(first, last + 1);
}

/** Rounds `v` to the decimals `step` needs, so 0.1 + 0.2 prints as 0.3. */
function roundTo(v: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(Math.min(12, decimals)));
}

/** A tick label: thousands separators for large values, only the decimals the step needs. */
export function formatTick(v: number, step: number): string {
  const decimals = step >= 1 ? 0 : Math.min(6, Math.ceil(-Math.log10(step) - 1e-9));
  return v.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const fixed = (n: number): string => (Math.round(n * 10) / 10).toString();

/** Renders the chart as a standalone SVG document. */
export function renderLineChart(spec: ChartSpec): string {
  const width = spec.width ?? 960;
  const plotHeight = spec.panelHeight ?? 140;
  const left = 76;
  const right = 190; // room for the legend
  const plotWidth = width - left - right;
  const titleBlock = 30 + 16 * (spec.subtitle?.length ?? 0) + 10;
  const panelGap = 44; // panel title above each plot, tick labels below the last
  const lastBottom = titleBlock + (spec.panels.length - 1) * (plotHeight + panelGap) + 22 + plotHeight;
  const height = lastBottom + 48;

  const xs = spec.panels.flatMap((p) => p.series.flatMap((s) => s.points.map(([x]) => x))).filter(Number.isFinite);
  const xLo = spec.xMin ?? (xs.length > 0 ? Math.min(...xs) : 0);
  const xHiData = spec.xMax ?? (xs.length > 0 ? Math.max(...xs) : 1);
  const xTicks = niceTicks(xLo, xHiData === xLo ? xLo + 1 : xHiData, 10);
  const xHi = spec.xMax ?? xTicks[xTicks.length - 1]!;
  const xStep = xTicks.length > 1 ? xTicks[1]! - xTicks[0]! : 1;
  const sx = (x: number): number => left + ((x - xLo) / (xHi - xLo || 1)) * plotWidth;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${left}" y="22" font-size="16" font-weight="600" fill="#111">${escapeXml(spec.title)}</text>`);
  (spec.subtitle ?? []).forEach((line, i) => out.push(`<text x="${left}" y="${40 + 16 * i}" fill="#444">${escapeXml(line)}</text>`));

  let colourIndex = 0;
  spec.panels.forEach((panel, p) => {
    const top = titleBlock + p * (plotHeight + panelGap) + 22;
    const bottom = top + plotHeight;
    const log = panel.yScale === 'log';
    const ys = panel.series.flatMap((s) => s.points.map(([, y]) => y)).filter((y) => Number.isFinite(y) && (!log || y > 0));
    let yTicks: number[];
    let yLo: number;
    let yHi: number;
    let sy: (y: number) => number;
    let label: (t: number) => string;
    if (log) {
      const lo = panel.yMin ?? (ys.length > 0 ? Math.min(...ys) : 1);
      const hi = panel.yMax ?? (ys.length > 0 ? Math.max(...ys) : 10);
      yTicks = logTicks(lo, hi > lo ? hi : lo * 10);
      yLo = panel.yMin ?? yTicks[0]!;
      yHi = panel.yMax ?? yTicks[yTicks.length - 1]!;
      const [a, b] = [Math.log10(yLo), Math.log10(yHi)];
      sy = (y) => bottom - ((Math.min(Math.max(Math.log10(y), a), b) - a) / (b - a || 1)) * plotHeight;
      label = (t) => formatTick(t, t);
    } else {
      yLo = panel.yMin ?? Math.min(0, ...ys);
      const yHiData = panel.yMax ?? (ys.length > 0 ? Math.max(...ys) : 1);
      yTicks = niceTicks(yLo, yHiData <= yLo ? yLo + 1 : yHiData, 5).filter((t) => t >= yLo - 1e-12);
      yHi = panel.yMax ?? yTicks[yTicks.length - 1]!;
      const yStep = yTicks.length > 1 ? yTicks[1]! - yTicks[0]! : 1;
      sy = (y) => bottom - ((Math.min(Math.max(y, yLo), yHi) - yLo) / (yHi - yLo || 1)) * plotHeight;
      label = (t) => formatTick(t, yStep);
    }
    const drawable = (y: number): boolean => Number.isFinite(y) && (!log || y > 0);

    out.push(`<g class="panel" data-title="${escapeXml(panel.title)}">`);
    const unit = [panel.unit, log ? 'log scale' : undefined].filter((u) => u !== undefined).join(', ');
    out.push(`<text x="${left}" y="${top - 8}" font-size="13" font-weight="600" fill="#222">${escapeXml(panel.title)}${unit ? ` <tspan font-weight="400" fill="#555">(${escapeXml(unit)})</tspan>` : ''}</text>`);
    out.push(`<rect x="${left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="#fafafa" stroke="#999" stroke-width="1"/>`);
    for (const t of yTicks) {
      if (t > yHi * (1 + 1e-9) + 1e-12 || t < yLo - Math.abs(yLo) * 1e-9 - 1e-12) continue;
      const y = fixed(sy(t));
      out.push(`<line x1="${left}" y1="${y}" x2="${left + plotWidth}" y2="${y}" stroke="#e2e2e2" stroke-width="1"/>`);
      out.push(`<line x1="${left - 4}" y1="${y}" x2="${left}" y2="${y}" stroke="#666"/>`);
      out.push(`<text x="${left - 7}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#333">${label(t)}</text>`);
    }
    for (const t of xTicks) {
      if (t < xLo - 1e-12 || t > xHi + 1e-12) continue;
      const x = fixed(sx(t));
      out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="#ececec" stroke-width="1"/>`);
      out.push(`<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 4}" stroke="#666"/>`);
      out.push(`<text x="${x}" y="${bottom + 16}" text-anchor="middle" fill="#333">${formatTick(t, xStep)}</text>`);
    }
    panel.series.forEach((series, s) => {
      const colour = series.color ?? PALETTE[colourIndex++ % PALETTE.length]!;
      const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
      for (const run of segments(series.points, drawable)) {
        if (run.length === 1) {
          const [x, y] = run[0]!;
          out.push(`<circle cx="${fixed(sx(x))}" cy="${fixed(sy(y))}" r="2" fill="${colour}"/>`);
        } else {
          out.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.6" stroke-linejoin="round"${dash} points="${run.map(([x, y]) => `${fixed(sx(x))},${fixed(sy(y))}`).join(' ')}"/>`);
        }
      }
      const ly = top + 12 + s * 18;
      const lx = left + plotWidth + 14;
      out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${colour}" stroke-width="2"${dash}/>`);
      out.push(`<text x="${lx + 28}" y="${ly}" dominant-baseline="middle" fill="#222">${escapeXml(series.name)}</text>`);
    });
    out.push('</g>');
  });
  out.push(`<text x="${left + plotWidth / 2}" y="${fixed(lastBottom + 38)}" text-anchor="middle" fill="#222">${escapeXml(spec.xLabel)}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** The runs of consecutive points with a finite x and a drawable y. */
function segments(points: ReadonlyArray<readonly [number, number]>, drawable: (y: number) => boolean): Array<Array<readonly [number, number]>> {
  const runs: Array<Array<readonly [number, number]>> = [];
  let current: Array<readonly [number, number]> = [];
  for (const point of points) {
    if (Number.isFinite(point[0]) && drawable(point[1])) current.push(point);
    else if (current.length > 0) {
      runs.push(current);
      current = [];
    }
  }
  if (current.length > 0) runs.push(current);
  return runs;
}
