/**
 * Making the splits of an experiment from in-memory datasets: a seeded train/test split of a
 * dataset that comes without one, a seeded subset of N samples, and grey images repeated into
 * three channels (so that every augmentation recipe, colour jitter included, applies).
 */
import { ConfigError, Rng } from '@contrastive/core';
import { subsetDataset, type ImageDataset } from '@contrastive/data';

const ascending = (indices: ArrayLike<number>): Int32Array => Int32Array.from(indices).sort();

/**
 * Splits `dataset` into train and test: `round(length x testFraction)` samples, drawn by a
 * permutation seeded with `seed`, form the test split; the rest the training split. Both keep
 * the dataset's order. The same seed gives the same split. Throws a {@link ConfigError}
 * (argument `key`, default `config.data.testFraction`) when either side would be empty.
 *
 * @example
 * ```ts
 * const { train, test } = seededSplit(folder, 0.2, 0); // 80% / 20%
 * ```
 */
export function seededSplit(dataset: ImageDataset, testFraction: number, seed: number, key = 'config.data.testFraction'): { train: ImageDataset; test: ImageDataset } {
  const testCount = Math.round(dataset.length * testFraction);
  if (!(testFraction > 0 && testFraction < 1) || testCount < 1 || testCount >= dataset.length) {
    throw new ConfigError(`${key}: ${testFraction} of ${dataset.length} samples leaves an empty ${testCount < 1 ? 'test' : 'training'} split`, {
      argument: key,
      expected: `a fraction in (0, 1) that leaves at least one sample on each side of ${dataset.length}`,
      received: testFraction,
    });
  }
  const order = Rng.fromSeed(seed).permutation(dataset.length);
  return {
    train: subsetDataset(dataset, ascending(order.slice(testCount)), `${dataset.name} (train split)`),
    test: subsetDataset(dataset, ascending(order.slice(0, testCount)), `${dataset.name} (test split)`),
  };
}

/**
 * `size` samples of `dataset` drawn by a permutation seeded with `seed`, in the dataset's order
 * (all of it when it has no more than `size`).
 */
export function seededSubset(dataset: ImageDataset, size: number, seed: number): ImageDataset {
  if (size >= dataset.length) return dataset;
  return subsetDataset(dataset, ascending(Rng.fromSeed(seed).permutation(dataset.length).slice(0, size)), dataset.name);
}

/** `dataset` with three channels: a one-channel (grey) dataset's bytes repeated into R, G and B; others as they are. */
export function toRgb(dataset: ImageDataset): ImageDataset {
  if (dataset.channels !== 1) return dataset;
  const grey = dataset.images;
  const rgb = new Uint8Array(grey.length * 3);
  for (let i = 0; i < grey.length; i++) {
    const v = grey[i] as number;
    rgb[3 * i] = v;
    rgb[3 * i + 1] = v;
    rgb[3 * i + 2] = v;
  }
  return { ...dataset, images: rgb, channels: 3 };
}
