/** Small canvas charts for the page (a few thousand points at most; drawn once per animation frame). */

/** One line of a chart. */
export interface Series {
  readonly label: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
}

/** Draws line series with axes and min/max labels on `canvas`. */
export function drawLines(canvas: HTMLCanvasElement, series: readonly Series[], options: { readonly yMin?: number; readonly yMax?: number; readonly xLabel?: string } = {}): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const { width, height } = canvas;
  const pad = { left: 48, right: 10, top: series.length > 1 ? 22 : 10, bottom: 24 };
  ctx.clearRect(0, 0, width, height);
  ctx.font = '11px system-ui, sans-serif';
  const all = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y));
  if (all.length === 0) {
    ctx.fillStyle = '#98a2b3';
    ctx.fillText('no data yet', width / 2 - 30, height / 2);
    return;
  }
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs, x0 + 1);
  let y0 = options.yMin ?? Math.min(...ys);
  let y1 = options.yMax ?? Math.max(...ys);
  if (y1 - y0 < 1e-9) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const px = (x: number): number => pad.left + ((x - x0) / (x1 - x0)) * (width - pad.left - pad.right);
  const py = (y: number): number => height - pad.bottom - ((y - y0) / (y1 - y0)) * (height - pad.top - pad.bottom);
  ctx.strokeStyle = '#d0d5dd';
  ctx.beginPath();
  ctx.moveTo(pad.left, pad.top);
  ctx.lineTo(pad.left, height - pad.bottom);
  ctx.lineTo(width - pad.right, height - pad.bottom);
  ctx.stroke();
  ctx.fillStyle = '#475467';
  const fmt = (v: number): string => (Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2));
  ctx.fillText(fmt(y1), 2, pad.top + 8);
  ctx.fillText(fmt(y0), 2, height - pad.bottom);
  ctx.fillText(String(x0), pad.left, height - 6);
  const right = `${x1}${options.xLabel ? ` ${options.xLabel}` : ''}`;
  ctx.fillText(right, width - pad.right - ctx.measureText(right).width, height - 6);
  let legendX = pad.left + 8;
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let first = true;
    for (const [x, y] of s.points) {
      if (!Number.isFinite(y)) continue;
      if (first) ctx.moveTo(px(x), py(y));
      else ctx.lineTo(px(x), py(y));
      first = false;
    }
    ctx.stroke();
    if (s.points.length === 1) {
      const [x, y] = s.points[0] as readonly [number, number];
      ctx.fillStyle = s.color;
      ctx.fillRect(px(x) - 2, py(y) - 2, 4, 4);
    }
    if (series.length > 1) {
      ctx.fillStyle = s.color;
      ctx.fillText(s.label, legendX, 12);
      legendX += ctx.measureText(s.label).width + 14;
    }
  }
  ctx.lineWidth = 1;
}

/** Ten distinguishable colours (the classes of the map). */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** Where a map's points land on the canvas (for drawing and hover). */
export function mapLayout(points: Float32Array, width: number, height: number, pad = 12): Float32Array {
  const n = points.length / 2;
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = points[2 * i] as number;
    const y = points[2 * i + 1] as number;
    minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  const sx = (width - 2 * pad) / Math.max(1e-9, maxX - minX);
  const sy = (height - 2 * pad) / Math.max(1e-9, maxY - minY);
  const out = new Float32Array(points.length);
  for (let i = 0; i < n; i++) {
    out[2 * i] = pad + ((points[2 * i] as number) - minX) * sx;
    out[2 * i + 1] = pad + ((points[2 * i + 1] as number) - minY) * sy;
  }
  return out;
}

/** The index of the laid-out point nearest to (x, y) within `radius` pixels, or -1. */
export function nearestPoint(layout: Float32Array, x: number, y: number, radius = 8): number {
  let best = -1;
  let bestD = radius * radius;
  for (let i = 0; i < layout.length / 2; i++) {
    const dx = (layout[2 * i] as number) - x;
    const dy = (layout[2 * i + 1] as number) - y;
    const d = dx * dx + dy * dy;
    if (d <= bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}
