/**
 * `previewExperiment`: the whole of `contrastive preview` as one function. A PNG grid of
 * augmented views of test images of the configured dataset (one row per image: the image, then
 * its views), to check the views look as intended (SimCLR, Chen et al. 2020, §3).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ArgumentError, ConfigError, Rng } from '@contrastive/core';
import { batchFromIndices, disposeBatch } from '@contrastive/data';
import { writePreviewGrid } from '@contrastive/augment/node';
import { buildAugmenter } from '../build.js';
import type { RunConfig } from '../config.js';
import { logOf, type ExperimentIO } from '../experiment-io.js';
import { isTabular } from '../samples.js';
import { loadExperimentData } from './datasets.js';

/** Options of {@link previewExperiment}. */
export interface PreviewExperimentOptions extends ExperimentIO {
  readonly config: RunConfig;
  /** The PNG file. */
  readonly out: string;
  /** Source images (rows); default `report.previewImages`. */
  readonly images?: number | undefined;
  /** Views per image; default `report.previewViews`. */
  readonly views?: number | undefined;
  /** Index of the first test image; default 0. */
  readonly start?: number | undefined;
  /** Augmentation seed; default the configuration's. */
  readonly seed?: number | undefined;
  readonly dataDir?: string | undefined;
}

/** What {@link previewExperiment} wrote. */
export interface PreviewExperimentResult {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly images: number;
  readonly views: number;
}

/**
 * Writes the augmentation preview. See the module documentation.
 *
 * @example
 * ```ts
 * await previewExperiment({ config: parseConfig({ data: { dataset: 'fashionMnist' } }), out: 'preview.png' });
 * ```
 */
export async function previewExperiment(o: PreviewExperimentOptions): Promise<PreviewExperimentResult> {
  const { config } = o;
  const count = o.images ?? config.report.previewImages;
  const views = o.views ?? config.report.previewViews;
  const first = o.start ?? 0;
  const data = await loadExperimentData(config.data, { seed: config.seed, dirOverride: o.dataDir, testOnly: true, testLimit: first + count, log: logOf(o) });
  const n = Math.min(count, Math.max(0, data.test.length - first));
  if (n < 1) {
    throw new ArgumentError(`--start ${first} is past the last test image (${data.test.length})`, { argument: '--start', received: first, expected: `an index < ${data.test.length}` });
  }
  if (isTabular(data.test)) {
    throw new ConfigError('config.data.dataset: the augmentation preview draws images; tabular rows have none', { argument: 'config.data.dataset', expected: 'an image dataset', received: config.data.dataset });
  }
  const batch = batchFromIndices(data.test, Int32Array.from({ length: n }, (_, i) => first + i));
  try {
    await mkdir(path.dirname(path.resolve(o.out)), { recursive: true });
    const written = await writePreviewGrid({ images: batch.images, recipe: buildAugmenter(config), rng: Rng.fromSeed(o.seed ?? config.seed), views, file: o.out });
    return { file: written.file, width: written.width, height: written.height, images: n, views };
  } finally {
    disposeBatch(batch);
  }
}
