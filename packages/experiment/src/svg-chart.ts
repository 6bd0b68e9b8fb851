/**
 * Line charts as inline SVG for the run report: axes with "nice" tick values, grid lines, one
 * polyline (plus markers for short series) per series, and a legend. Pure string building, no
 * fonts or resources from outside the page.
 */

/** One line of a chart. */
export interface ChartSeries {
  readonly name: string;
  /** Points `[x, y]`; non-finite values break the line. */
  readonly points: readonly (readonly [number, number])[];
  /** CSS colour. */
  readonly color: string;
  /** Draw a marker at every point (default: when the series has at most 40 points). */
  readonly markers?: boolean;
  /** Line width (default 2). */
  readonly width?: number;
  /** Opacity (default 1). */
  readonly opacity?: number;
}

/** Options of {@link lineChartSvg}. */
export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  readonly width?: number;
  readonly height?: number;
  /** Force the y range to include these values (e.g. 0). */
  readonly yInclude?: readonly number[];
  /** Logarithmic y axis (values <= 0 are dropped). */
  readonly logY?: boolean;
  /** Formats a y tick. */
  readonly formatY?: (value: number) => string;
}

/** Escapes text for XML/HTML. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** About `count` evenly spaced round tick values covering [lo, hi] (Heckbert's nice numbers). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= d;
    hi += d;
  }
  const nice = (x: number, round: boolean): number => {
    const e = Math.floor(Math.log10(x));
    const f = x / 10 ** e;
    const n = round ? (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) : f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return n * 10 ** e;
  };
  const step = nice(nice(hi - lo, false) / Math.max(1, count - 1), true);
  const first = Math.floor(lo / step);
  // Round each tick to the step's decimals, so 0.1 + 0.2 prints as 0.3.
  const decimals = Math.min(20, Math.max(0, -Math.floor(Math.log10(step)) + 1));
  const ticks: number[] = [];
  for (let i = first; i * step <= hi + step * 0.5 && ticks.length < 50; i++) ticks.push(Number((i * step).toFixed(decimals)));
  return ticks;
}

function defaultFormat(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-4) return v.toExponential(1);
  if (a >= 100) return v.toFixed(0);
  return String(Number(v.toPrecision(3)));
}

/**
 * An SVG line chart.
 *
 * @example
 * ```ts
 * const svg = lineChartSvg({ title: 'loss', xLabel: 'step', yLabel: 'NT-Xent',
 *   series: [{ name: 'loss', points: [[1, 5.5], [2, 5.3]], color: '#1f77b4' }] });
 * ```
 */
export function lineChartSvg(options: LineChartOptions): string {
  const width = options.width ?? 560;
  const height = options.height ?? 300;
  const m = { left: 64, right: 16, top: 34, bottom: 46 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const logY = options.logY === true;
  const ty = (y: number): number => (logY ? Math.log10(y) : y);
  const finite = (p: readonly [number, number]): boolean => Number.isFinite(p[0]) && Number.isFinite(p[1]) && (!logY || p[1] > 0);
  const all = options.series.flatMap((s) => s.points.filter(finite));
  const fmt = options.formatY ?? defaultFormat;
  const parts: string[] = [];
  parts.push(`<svg class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(options.title)}">`);
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${m.left}" y="20" font-size="14" font-weight="bold" fill="#222">${escapeXml(options.title)}</text>`);
  if (all.length === 0) {
    parts.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-size="13" fill="#888">no data</text></svg>`);
    return parts.join('');
  }
  let xLo = Math.min(...all.map((p) => p[0]));
  let xHi = Math.max(...all.map((p) => p[0]));
  let yLo = Math.min(...all.map((p) => ty(p[1])), ...(options.yInclude ?? []).map(ty));
  let yHi = Math.max(...all.map((p) => ty(p[1])), ...(options.yInclude ?? []).map(ty));
  if (xLo === xHi) {
    xLo -= 1;
    xHi += 1;
  }
  if (yLo === yHi) {
    const d = yLo === 0 ? 1 : Math.abs(yLo) * 0.05;
    yLo -= d;
    yHi += d;
  }
  const yTicks = logY ? logTicks(yLo, yHi) : niceTicks(yLo, yHi, 5);
  if (!logY && yTicks.length > 0) {
    yLo = Math.min(yLo, yTicks[0] as number);
    yHi = Math.max(yHi, yTicks[yTicks.length - 1] as number);
  }
  const xTicks = niceTicks(xLo, xHi, 6).filter((t) => t >= xLo - 1e-9 && t <= xHi + 1e-9);
  const sx = (x: number): number => m.left + ((x - xLo) / (xHi - xLo)) * plotW;
  const sy = (y: number): number => m.top + plotH - ((y - yLo) / (yHi - yLo)) * plotH;
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="#fafafa" stroke="#ccc"/>`);
  for (const t of yTicks) {
    if (t < yLo - 1e-12 || t > yHi + 1e-12) continue;
    const y = sy(t).toFixed(1);
    parts.push(`<line x1="${m.left}" x2="${m.left + plotW}" y1="${y}" y2="${y}" stroke="#e3e3e3"/>`);
    parts.push(`<text x="${m.left - 6}" y="${y}" dy="4" text-anchor="end" font-size="11" fill="#444">${escapeXml(fmt(logY ? 10 ** t : t))}</text>`);
  }
  for (const t of xTicks) {
    const x = sx(t).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${m.top}" y2="${m.top + plotH}" stroke="#eeeeee"/>`);
    parts.push(`<text x="${x}" y="${m.top + plotH + 16}" text-anchor="middle" font-size="11" fill="#444">${escapeXml(defaultFormat(t))}</text>`);
  }
  parts.push(`<text x="${m.left + plotW / 2}" y="${height - 8}" text-anchor="middle" font-size="12" fill="#333">${escapeXml(options.xLabel)}</text>`);
  parts.push(
    `<text x="14" y="${m.top + plotH / 2}" text-anchor="middle" font-size="12" fill="#333" transform="rotate(-90 14 ${m.top + plotH / 2})">${escapeXml(options.yLabel)}</text>`,
  );
  for (const s of options.series) parts.push(...seriesSvg(s, { sx, sy, ty, finite, fmt }));
  // Legend: right-aligned on the title row, above the plot.
  parts.push(...legendSvg(options.series.filter((s) => s.points.some(finite)), width - m.right));
  parts.push('</svg>');
  return parts.join('');
}

function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) ticks.push(e);
  return ticks;
}

/** Trailing moving average over `window` points (NaN-aware). */
export function movingAverage(points: readonly (readonly [number, number])[], window: number): [number, number][] {
  const out: [number, number][] = [];
  const buf: number[] = [];
  for (const [x, y] of points) {
    if (Number.isFinite(y)) buf.push(y);
    if (buf.length > window) buf.shift();
    if (buf.length > 0) out.push([x, buf.reduce((a, b) => a + b, 0) / buf.length]);
  }
  return out;
}

/** How a chart maps data to the plot: scales, the y transform, the finiteness test and the y format. */
interface PlotMapping {
  readonly sx: (x: number) => number;
  readonly sy: (y: number) => number;
  readonly ty: (y: number) => number;
  readonly finite: (p: readonly [number, number]) => boolean;
  readonly fmt: (v: number) => string;
}

/** One series: polylines between non-finite gaps, and point markers (with a tooltip) when asked. */
function seriesSvg(s: ChartSeries, { sx, sy, ty, finite, fmt }: PlotMapping): string[] {
  const parts: string[] = [];
  const segments: string[][] = [[]];
  for (const p of s.points) {
    if (!finite(p)) {
      if ((segments[segments.length - 1] as string[]).length > 0) segments.push([]);
      continue;
    }
    (segments[segments.length - 1] as string[]).push(`${sx(p[0]).toFixed(1)},${sy(ty(p[1])).toFixed(1)}`);
  }
  const opacity = s.opacity ?? 1;
  for (const seg of segments) {
    if (seg.length > 1) {
      parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="${s.width ?? 2}" stroke-opacity="${opacity}" stroke-linejoin="round" points="${seg.join(' ')}"/>`);
    }
  }
  const markers = s.markers ?? s.points.length <= 40;
  if (markers) {
    for (const p of s.points.filter(finite)) {
      parts.push(`<circle cx="${sx(p[0]).toFixed(1)}" cy="${sy(ty(p[1])).toFixed(1)}" r="3" fill="${s.color}" fill-opacity="${opacity}"><title>${escapeXml(`${s.name}: ${fmt(p[1])} at ${defaultFormat(p[0])}`)}</title></circle>`);
    }
  }
  return parts;
}

/** The legend of the series with data, right-aligned at `right` on the title row (none for one series). */
function legendSvg(named: readonly ChartSeries[], right: number): string[] {
  const parts: string[] = [];
  if (named.length <= 1) return parts;
  let x = right;
  for (const s of [...named].reverse()) {
    const textWidth = s.name.length * 6 + 4;
    x -= textWidth;
    parts.push(`<text x="${x}" y="20" font-size="11" fill="#333">${escapeXml(s.name)}</text>`);
    x -= 22;
    parts.push(`<line x1="${x}" x2="${x + 18}" y1="16" y2="16" stroke="${s.color}" stroke-width="3"/>`);
    x -= 10;
  }
  return parts;
}
