/**
 * Atomic file writes: the data goes to a temporary file in the target's directory, is
 * flushed to disk, then renamed over the target, so a reader (or a crash) never sees a
 * half-written plot or report.
 */
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ArgumentError, describeValue } from '@contrastive/core';
import type { Point2D } from './embedding2d.js';
import type { ScatterOptions } from './scatter-layout.js';
import { renderScatterPng } from './scatter-png.js';
import { renderScatterSvg } from './scatter-svg.js';

let counter = 0;

/**
 * Writes `data` to `path` atomically (temporary file + fsync + rename). The directory must
 * exist. On failure the temporary file is removed and the target is left as it was.
 *
 * @example
 * ```ts
 * await writeFileAtomic('runs/simclr/umap.svg', renderScatterSvg(points, labels));
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  if (typeof path !== 'string' || path === '') {
    throw new ArgumentError(`writeFileAtomic: argument 'path' must be a non-empty string, received ${describeValue(path)}`, {
      argument: 'path',
      expected: 'a non-empty string',
      received: path,
    });
  }
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
    throw new ArgumentError(`writeFileAtomic: argument 'data' must be a string or a Uint8Array, received ${describeValue(data)}`, {
      argument: 'data',
      expected: 'a string or a Uint8Array',
      received: data,
    });
  }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/** Renders the scatter plot to PNG ({@link renderScatterPng}) and writes it atomically. */
export async function writeScatterPng(path: string, points: readonly Point2D[], labels: ArrayLike<number>, options: ScatterOptions = {}): Promise<void> {
  await writeFileAtomic(path, renderScatterPng(points, labels, options));
}

/** Renders the scatter plot to SVG ({@link renderScatterSvg}) and writes it atomically. */
export async function writeScatterSvg(path: string, points: readonly Point2D[], labels: ArrayLike<number>, options: ScatterOptions = {}): Promise<void> {
  await writeFileAtomic(path, renderScatterSvg(points, labels, options));
}
