/**
 * SVG rendering of a class-coloured scatter plot: the same layout as the PNG renderer, as a
 * self-contained string that an HTML report can inline.
 */
import type { Point2D } from './embedding2d.js';
import { toHex } from './palette.js';
import { type ScatterOptions, layoutScatter } from './scatter-layout.js';

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

const round = (v: number): string => String(Math.round(v * 10) / 10);

/**
 * An SVG document (as a string) of `points` coloured by `labels`, with a legend of
 * `classNames` and an optional title. Text is real SVG text (escaped), so it scales and can
 * be searched.
 *
 * @example
 * ```ts
 * const svg = renderScatterSvg(points, labels, { classNames, title: 'UMAP of h', width: 640, height: 480 });
 * html += svg; // inline in a report
 * ```
 */
export function renderScatterSvg(points: readonly Point2D[], labels: ArrayLike<number>, options: ScatterOptions = {}): string {
  const layout = layoutScatter('renderScatterSvg', points, labels, options);
  const { width, height, plot } = layout;
  const fontPx = 7 * layout.textScale + 2;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  if (layout.title !== undefined) {
    const size = 7 * layout.titleScale + 2;
    out.push(`<text x="${width / 2}" y="${round(layout.titleY + size - 2)}" font-size="${size}" text-anchor="middle" fill="#222222">${escapeXml(layout.title)}</text>`);
  }
  out.push(`<rect x="${plot.x + 0.5}" y="${plot.y + 0.5}" width="${plot.w - 1}" height="${plot.h - 1}" fill="none" stroke="#bebebe"/>`);
  out.push(`<g fill-opacity="0.8">`);
  for (const p of layout.points) out.push(`<circle cx="${round(p.x)}" cy="${round(p.y)}" r="${layout.radius}" fill="${toHex(p.color)}"/>`);
  out.push(`</g>`);
  out.push(`<g font-size="${fontPx}" fill="#222222">`);
  for (const e of layout.legend) {
    if (e.label >= 0) out.push(`<rect x="${e.x}" y="${e.y}" width="${layout.swatch}" height="${layout.swatch}" fill="${toHex(e.color)}"/>`);
    out.push(`<text x="${e.x + layout.swatch + layout.textGap}" y="${round(e.y + layout.swatch - 1)}">${escapeXml(e.text)}</text>`);
  }
  out.push(`</g>`, `</svg>`, '');
  return out.join('\n');
}
