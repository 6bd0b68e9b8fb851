/**
 * PNG rendering of a class-coloured scatter plot (e.g. of a UMAP embedding, McInnes et al.
 * 2018), encoded with the maintained `pngjs` package. Text uses the package's 5×7 bitmap
 * font, so no font file or native renderer is needed.
 */
import { PNG } from 'pngjs';
import { rasterizeText, textWidth } from '../bitmap-font.js';
import type { Point2D } from '../embedding2d.js';
import type { Rgb } from '../palette.js';
import { type ScatterOptions, layoutScatter } from '../scatter-layout.js';

const BACKGROUND: Rgb = [255, 255, 255];
const FRAME: Rgb = [190, 190, 190];
const TEXT: Rgb = [34, 34, 34];
/** Opacity of a point; overlapping points of one class read darker, as in most plotting tools. */
const POINT_ALPHA = 0.8;

/** An RGBA canvas with alpha blending over an opaque background. */
class Canvas {
  readonly data: Buffer;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      this.data[4 * i] = BACKGROUND[0];
      this.data[4 * i + 1] = BACKGROUND[1];
      this.data[4 * i + 2] = BACKGROUND[2];
      this.data[4 * i + 3] = 255;
    }
  }

  blend(x: number, y: number, [r, g, b]: Rgb, alpha: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || alpha <= 0) return;
    const o = 4 * (y * this.width + x);
    const a = Math.min(1, alpha);
    this.data[o] = Math.round((this.data[o] as number) * (1 - a) + r * a);
    this.data[o + 1] = Math.round((this.data[o + 1] as number) * (1 - a) + g * a);
    this.data[o + 2] = Math.round((this.data[o + 2] as number) * (1 - a) + b * a);
  }

  rect(x: number, y: number, w: number, h: number, color: Rgb): void {
    for (let yy = Math.round(y); yy < Math.round(y + h); yy++) for (let xx = Math.round(x); xx < Math.round(x + w); xx++) this.blend(xx, yy, color, 1);
  }

  frame(x: number, y: number, w: number, h: number, color: Rgb): void {
    this.rect(x, y, w, 1, color);
    this.rect(x, y + h - 1, w, 1, color);
    this.rect(x, y, 1, h, color);
    this.rect(x + w - 1, y, 1, h, color);
  }

  /** A filled disc with a one-pixel anti-aliased rim. */
  disc(cx: number, cy: number, radius: number, color: Rgb, alpha: number): void {
    const x0 = Math.floor(cx - radius - 1);
    const x1 = Math.ceil(cx + radius + 1);
    const y0 = Math.floor(cy - radius - 1);
    const y1 = Math.ceil(cy + radius + 1);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
        const coverage = Math.max(0, Math.min(1, radius + 0.5 - d));
        if (coverage > 0) this.blend(x, y, color, alpha * coverage);
      }
    }
  }

  text(text: string, x: number, y: number, scale: number, color: Rgb): void {
    rasterizeText(text, Math.round(x), Math.round(y), scale, (px, py) => this.blend(px, py, color, 1));
  }
}

/**
 * A PNG image (as a `Buffer`) of `points` coloured by `labels`, with a legend of
 * `classNames` and an optional title. Deterministic: same inputs, same bytes.
 *
 * @example
 * ```ts
 * const png = renderScatterPng(points, labels, { classNames: ['airplane', 'automobile', ...], title: 'UMAP of h' });
 * await writeFileAtomic('runs/umap.png', png);
 * ```
 */
export function renderScatterPng(points: readonly Point2D[], labels: ArrayLike<number>, options: ScatterOptions = {}): Buffer {
  const layout = layoutScatter('renderScatterPng', points, labels, options);
  const canvas = new Canvas(layout.width, layout.height);
  if (layout.title !== undefined) {
    const x = (layout.width - textWidth(layout.title, layout.titleScale)) / 2;
    canvas.text(layout.title, x, layout.titleY, layout.titleScale, TEXT);
  }
  const { plot } = layout;
  canvas.frame(plot.x, plot.y, plot.w, plot.h, FRAME);
  for (const p of layout.points) canvas.disc(p.x, p.y, layout.radius, p.color, POINT_ALPHA);
  for (const entry of layout.legend) {
    if (entry.label >= 0) canvas.rect(entry.x, entry.y, layout.swatch, layout.swatch, entry.color);
    canvas.text(entry.text, entry.x + layout.swatch + layout.textGap, entry.y, layout.textScale, TEXT);
  }
  const png = new PNG({ width: layout.width, height: layout.height });
  canvas.data.copy(png.data);
  return PNG.sync.write(png, { colorType: 2 });
}
