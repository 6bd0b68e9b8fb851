/**
 * `contrastive preview`: the augmentation grid of a configuration as a PNG (one row per source
 * image: the image, then augmented views), to check the views look as intended (SimCLR, Chen
 * et al. 2020, §3: the composition of crop and colour distortion is what matters).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ArgumentError, Rng } from '@contrastive/core';
import { batchFromIndices, disposeBatch } from '@contrastive/data';
import { writePreviewGrid } from '@contrastive/augment/node';
import { buildAugmenter } from '../build.js';
import { parseConfig } from '../config.js';
import { loadConfigFile } from '../config-file.js';
import { loadCifarSplits, startEngine, type CliIO } from '../context.js';
import { displayPath } from '../display-path.js';

/** Options of {@link previewCommand}. */
export interface PreviewCommandOptions {
  readonly config?: string;
  readonly out?: string;
  readonly images?: number;
  readonly views?: number;
  readonly seed?: number;
  /** Index of the first test image shown. */
  readonly start?: number;
  readonly dataDir?: string;
  readonly engine?: string;
}

/** Runs `contrastive preview`; returns the exit status. */
export async function previewCommand(options: PreviewCommandOptions, io: CliIO): Promise<number> {
  const config = options.config === undefined ? parseConfig({}) : await loadConfigFile(options.config);
  const out = options.out ?? 'preview.png';
  const count = options.images ?? config.report.previewImages;
  const first = options.start ?? 0;
  await startEngine(options.engine);
  const splits = await loadCifarSplits({ dataDir: options.dataDir, configDir: config.data.dir, download: config.data.download, skipTrain: true, testLimit: first + count, io });
  const available = Math.max(0, splits.test.length - first);
  const n = Math.min(count, available);
  if (n < 1) {
    throw new ArgumentError(`--start ${first} is past the last test image (${splits.test.length})`, { argument: '--start', received: first, expected: `an index < ${splits.test.length}` });
  }
  const batch = batchFromIndices(splits.test, Int32Array.from({ length: n }, (_, i) => first + i));
  try {
    await mkdir(path.dirname(path.resolve(out)), { recursive: true });
    const written = await writePreviewGrid({
      images: batch.images,
      recipe: buildAugmenter(config),
      rng: Rng.fromSeed(options.seed ?? config.seed),
      views: options.views ?? config.report.previewViews,
      file: out,
    });
    io.out(`wrote ${displayPath(written.file)} (${written.width}x${written.height}): ${n} test images, ${options.views ?? config.report.previewViews} views each`);
  } finally {
    disposeBatch(batch);
  }
  return 0;
}
