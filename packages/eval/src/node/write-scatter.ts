/**
 * Writing scatter plots to files, atomically (through `writeFileAtomic` of
 * `@contrastive/core/node`), so a reader (or a crash) never sees a half-written plot.
 */
import { writeFileAtomic } from '@contrastive/core/node';
import type { Point2D } from '../embedding2d.js';
import type { ScatterOptions } from '../scatter-layout.js';
import { renderScatterPng } from './scatter-png.js';
import { renderScatterSvg } from '../scatter-svg.js';

/** Renders the scatter plot to PNG ({@link renderScatterPng}) and writes it atomically. */
export async function writeScatterPng(path: string, points: readonly Point2D[], labels: ArrayLike<number>, options: ScatterOptions = {}): Promise<void> {
  await writeFileAtomic(path, renderScatterPng(points, labels, options));
}

/** Renders the scatter plot to SVG ({@link renderScatterSvg}) and writes it atomically. */
export async function writeScatterSvg(path: string, points: readonly Point2D[], labels: ArrayLike<number>, options: ScatterOptions = {}): Promise<void> {
  await writeFileAtomic(path, renderScatterSvg(points, labels, options));
}
