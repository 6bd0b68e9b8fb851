/**
 * The geometry of a class-coloured scatter plot, shared by the PNG and the SVG renderer so
 * that both draw the same picture: title band on top, plot area on the left, legend (one
 * colour swatch and class name per line) on the right, data scaled to fill the plot area
 * (y up), points drawn in a fixed pseudo-random order so that no class systematically hides
 * another.
 */
import { ArgumentError, ShapeError, assertInteger, assertOptionsObject, assertPositive, describeValue } from '@contrastive/core';
import { GLYPH_HEIGHT, textWidth } from './bitmap-font.js';
import { type Rgb, classColor } from './palette.js';
import type { Point2D } from './embedding2d.js';

/** Options of the scatter renderers. */
export interface ScatterOptions {
  /** Names of the classes, indexed by label; default the label numbers. Labels must be < its length. */
  readonly classNames?: readonly string[];
  /** Image width in pixels, 200..8192; default 800. */
  readonly width?: number;
  /** Image height in pixels, 150..8192; default 600. */
  readonly height?: number;
  /** A title drawn above the plot. */
  readonly title?: string;
  /** Point radius in pixels; default from the number of points (4 for few, 1.5 for 100k). */
  readonly pointRadius?: number;
}

/** A point in pixel coordinates, with its class and colour. */
export interface PlacedPoint {
  readonly x: number;
  readonly y: number;
  readonly label: number;
  readonly color: Rgb;
}

/** One legend line. */
export interface LegendEntry {
  readonly label: number;
  readonly text: string;
  readonly color: Rgb;
  /** Top-left of the swatch. */
  readonly x: number;
  readonly y: number;
}

/** Everything a renderer needs, in pixels. */
export interface ScatterLayout {
  readonly width: number;
  readonly height: number;
  readonly title: string | undefined;
  readonly titleScale: number;
  readonly titleY: number;
  readonly plot: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly points: readonly PlacedPoint[];
  readonly radius: number;
  readonly legend: readonly LegendEntry[];
  readonly swatch: number;
  readonly textScale: number;
  /** Horizontal gap between a swatch and its text. */
  readonly textGap: number;
}

const MARGIN = 12;
/** Longest class name shown in the legend (longer ones are cut with "..."). */
const MAX_LEGEND_CHARS = 24;

function fit(text: string, maxChars: number): string {
  const chars = [...text];
  return chars.length <= maxChars ? text : `${chars.slice(0, Math.max(1, maxChars - 3)).join('')}...`;
}

/** Validates the inputs and computes the plot geometry. */
export function layoutScatter(where: string, points: readonly Point2D[], labels: ArrayLike<number>, options: ScatterOptions = {}): ScatterLayout {
  assertOptionsObject(where, 'options', options);
  const pointsOk =
    Array.isArray(points) &&
    points.length > 0 &&
    points.every((p) => Array.isArray(p) && p.length === 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]));
  if (!pointsOk) {
    throw new ArgumentError(`${where}: argument 'points' must be a non-empty array of [x, y] pairs of finite numbers, received ${describeValue(points)}`, {
      argument: 'points',
      expected: 'a non-empty array of finite [x, y] pairs',
      received: points,
    });
  }
  const isLabelArray = Array.isArray(labels) || ArrayBuffer.isView(labels);
  if (!isLabelArray) {
    throw new ArgumentError(`${where}: argument 'labels' must be an array of integer labels, received ${describeValue(labels)}`, {
      argument: 'labels',
      expected: 'an array or typed array of integers',
      received: labels,
    });
  }
  if (labels.length !== points.length) {
    throw new ShapeError(`${where}: argument 'labels' must hold one label per point (${points.length}), received ${labels.length}`, {
      argument: 'labels',
      expected: `${points.length} labels`,
      received: labels,
    });
  }
  const classNames = options.classNames;
  if (classNames !== undefined && (!Array.isArray(classNames) || classNames.length === 0 || !classNames.every((c) => typeof c === 'string'))) {
    throw new ArgumentError(`${where}: argument 'options.classNames' must be a non-empty array of strings, received ${describeValue(classNames)}`, {
      argument: 'options.classNames',
      expected: 'a non-empty array of strings',
      received: classNames,
    });
  }
  const present = new Set<number>();
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i] as number;
    if (!Number.isInteger(v) || v < 0 || (classNames !== undefined && v >= classNames.length)) {
      const expected = classNames === undefined ? 'integers >= 0' : `integers in [0, ${classNames.length}) (one per class name)`;
      throw new ArgumentError(`${where}: argument 'labels' must hold ${expected}, received ${describeValue(v)} at index ${i}`, {
        argument: 'labels',
        expected,
        received: v,
      });
    }
    present.add(v);
  }
  const width = options.width ?? 800;
  const height = options.height ?? 600;
  assertInteger(where, 'options.width', width, 200);
  assertInteger(where, 'options.height', height, 150);
  if (width > 8192) throw new ArgumentError(`${where}: argument 'options.width' must be at most 8192, received ${width}`, { argument: 'options.width', expected: 'an integer in [200, 8192]', received: width });
  if (height > 8192) throw new ArgumentError(`${where}: argument 'options.height' must be at most 8192, received ${height}`, { argument: 'options.height', expected: 'an integer in [150, 8192]', received: height });
  if (options.title !== undefined && typeof options.title !== 'string') {
    throw new ArgumentError(`${where}: argument 'options.title' must be a string, received ${describeValue(options.title)}`, {
      argument: 'options.title',
      expected: 'a string',
      received: options.title,
    });
  }
  const radius = options.pointRadius ?? Math.min(4, Math.max(1.5, 5.5 - Math.log10(points.length)));
  assertPositive(where, 'options.pointRadius', radius);

  // Title band.
  const titleScale = width >= 600 ? 3 : 2;
  const title = options.title === undefined || options.title === '' ? undefined : options.title;
  const titleMaxChars = Math.max(1, Math.floor((width - 2 * MARGIN) / (6 * titleScale)));
  const titleText = title === undefined ? undefined : fit(title, titleMaxChars);
  const titleY = MARGIN;
  const top = titleText === undefined ? MARGIN : titleY + GLYPH_HEIGHT * titleScale + MARGIN;

  // Legend column: all named classes, or the labels present.
  const textScale = height >= 300 && width >= 400 ? 2 : 1;
  const swatch = GLYPH_HEIGHT * textScale;
  const textGap = 6;
  const lineHeight = swatch + 6;
  const classes = classNames !== undefined ? classNames.map((_, c) => c) : [...present].sort((a, b) => a - b);
  const names = classes.map((c) => fit(classNames?.[c] ?? String(c), MAX_LEGEND_CHARS));
  const maxLines = Math.max(1, Math.floor((height - top - MARGIN) / lineHeight));
  let shown = classes.length;
  if (shown > maxLines) shown = maxLines - 1; // the last line says how many are left out
  const lines = names.slice(0, shown);
  if (shown < classes.length) lines.push(`+${classes.length - shown} more`);
  const legendTextWidth = Math.max(...lines.map((t) => textWidth(t, textScale)));
  const legendWidth = Math.min(Math.floor(width * 0.45), swatch + textGap + legendTextWidth);
  const legendX = width - MARGIN - legendWidth;
  const legend: LegendEntry[] = lines.map((text, i) => {
    const label = i < shown ? (classes[i] as number) : -1;
    return { label, text, color: label >= 0 ? classColor(label) : [255, 255, 255], x: legendX, y: top + i * lineHeight };
  });

  // Plot area and data -> pixel mapping (y up), with a 4% margin inside the frame.
  const plot = { x: MARGIN, y: top, w: Math.max(10, legendX - 2 * MARGIN), h: Math.max(10, height - top - MARGIN) };
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const [x, y] of points) {
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const spanX = maxX - minX || 2;
  const spanY = maxY - minY || 2;
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  const inner = { w: plot.w - 2 * radius - 2, h: plot.h - 2 * radius - 2 };
  const toPx = (x: number): number => plot.x + plot.w / 2 + ((x - cx) / (spanX * 1.08)) * inner.w;
  const toPy = (y: number): number => plot.y + plot.h / 2 - ((y - cy) / (spanY * 1.08)) * inner.h;

  // Draw order: a fixed hash of the index (Knuth's multiplicative hash) interleaves classes.
  const order = points.map((_, i) => i).sort((a, b) => (Math.imul(a + 1, 2654435761) >>> 0) - (Math.imul(b + 1, 2654435761) >>> 0));
  const placed = order.map((i) => {
    const [x, y] = points[i] as Point2D;
    const label = labels[i] as number;
    return { x: toPx(x), y: toPy(y), label, color: classColor(label) };
  });

  return { width, height, title: titleText, titleScale, titleY, plot, points: placed, radius, legend, swatch, textScale, textGap };
}
