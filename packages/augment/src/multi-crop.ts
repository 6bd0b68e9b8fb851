/**
 * Multi-crop (Caron et al. 2020, "Unsupervised Learning of Visual Features by Contrasting
 * Cluster Assignments" (SwAV), Sec. 3.2): besides the two global views, N "low resolution"
 * local crops that cover small parts of the image (SwAV: 2 x 224 px at scale (0.14, 1) and
 * 6 x 96 px at scale (0.05, 0.14)). Views come out global first, then local; a strategy runs
 * one forward pass per view size.
 */
import { fail, optionsRecord, rangeOption, sizeOption } from './params.js';

/** The `localCrops` option of a recipe. */
export interface LocalCropsOptions {
  /** Number N of local crops (>= 1); SwAV uses 6. */
  readonly count: number;
  /** Their output size, smaller than the global views' (SwAV: 96 for 224). */
  readonly size: number | readonly [number, number];
  /** Crop area range; default SwAV's `[0.05, 0.14]`. */
  readonly scale?: readonly [number, number];
}

/** A checked `localCrops` option, or `null` when absent. */
export interface LocalCrops {
  readonly count: number;
  readonly size: readonly [number, number];
  readonly scale: readonly [number, number];
}

/** Reads and checks `options.localCrops` of recipe `where` against the global `size`. */
export function localCropsOption(where: string, value: unknown, globalSize: readonly [number, number]): LocalCrops | null {
  if (value === undefined) return null;
  const name = 'options.localCrops';
  const record = optionsRecord(where, value);
  for (const key of Object.keys(record)) {
    if (!['count', 'size', 'scale'].includes(key)) fail(where, `${name}.${key}`, 'one of the known options (count, size, scale)', record[key]);
  }
  const count = record['count'];
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1) fail(where, `${name}.count`, 'an integer >= 1', count);
  const size = sizeOption(where, `${name}.size`, record['size']);
  if (size[0] > globalSize[0] || size[1] > globalSize[1]) fail(where, `${name}.size`, `at most the global size [${globalSize.join(', ')}]`, record['size']);
  const scale = rangeOption(where, `${name}.scale`, record['scale'] ?? [0.05, 0.14], { minExclusive: 0, max: 1 });
  return { count, size, scale };
}
