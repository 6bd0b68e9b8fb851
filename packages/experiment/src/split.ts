/**
 * Making the splits of an experiment from in-memory datasets: a seeded train/test split of a
 * dataset that comes without one, a seeded subset of N samples, and grey images repeated into
 * three channels (so that every augmentation recipe, colour jitter included, applies).
 */
import { ConfigError, Rng } from '@contrastive/core';
import { splitIndices, type ImageDataset, type TabularDataset } from '@contrastive/data';
import { subsetSamples, type Samples } from './samples.js';

const ascending = (indices: ArrayLike<number>): Int32Array => Int32Array.from(indices).sort();

/**
 * Splits `dataset` into train and test with `@contrastive/data`'s `splitIndices`: within each
 * class, `round(n_c x testFraction)` samples drawn by a permutation seeded with `seed` form the
 * test split (so both keep the class mix; an unlabelled dataset is one class); the rest the
 * training split. Both keep the dataset's order; the same seed gives the same split. Throws a
 * {@link ConfigError} (argument `key`, default `config.data.testFraction`) when either side would
 * be empty.
 *
 * @example
 * ```ts
 * const { train, test } = seededSplit(folder, 0.2, 0); // 80% / 20% of every class
 * ```
 */
export function seededSplit<S extends Samples>(dataset: S, testFraction: number, seed: number, key = 'config.data.testFraction'): { train: S; test: S } {
  const valid = testFraction > 0 && testFraction < 1;
  const split = valid ? splitIndices(dataset.labels, { testFraction, rng: Rng.fromSeed(seed) }) : undefined;
  if (split === undefined || split.test.length === 0 || split.train.length === 0) {
    const emptySide = split === undefined || split.test.length === 0 ? 'test' : 'training';
    throw new ConfigError(`${key}: ${testFraction} of ${dataset.length} samples leaves an empty ${emptySide} split`, {
      argument: key,
      expected: `a fraction in (0, 1) that leaves at least one sample on each side of ${dataset.length}`,
      received: testFraction,
    });
  }
  return {
    train: subsetSamples(dataset, split.train, `${dataset.name} (train split)`),
    test: subsetSamples(dataset, split.test, `${dataset.name} (test split)`),
  };
}

/**
 * `size` samples of `dataset` drawn by a permutation seeded with `seed`, in the dataset's order
 * (all of it when it has no more than `size`).
 */
export function seededSubset<S extends Samples>(dataset: S, size: number, seed: number): S {
  if (size >= dataset.length) return dataset;
  return subsetSamples(dataset, ascending(Rng.fromSeed(seed).permutation(dataset.length).slice(0, size)), dataset.name);
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

/**
 * Standardises tabular features: every column minus the training split's mean, divided by its
 * standard deviation (1 where a column is constant), applied to both splits.
 */
export function standardize(train: TabularDataset, test: TabularDataset): { train: TabularDataset; test: TabularDataset } {
  const f = train.numFeatures;
  const mean = new Float64Array(f);
  const sq = new Float64Array(f);
  for (let r = 0; r < train.length; r++) {
    for (let j = 0; j < f; j++) mean[j] = (mean[j] as number) + (train.features[r * f + j] as number) / train.length;
  }
  for (let r = 0; r < train.length; r++) {
    for (let j = 0; j < f; j++) sq[j] = (sq[j] as number) + ((train.features[r * f + j] as number) - (mean[j] as number)) ** 2 / train.length;
  }
  const std = Array.from(sq, (v) => (v > 1e-12 ? Math.sqrt(v) : 1));
  const apply = (d: TabularDataset): TabularDataset => ({
    ...d,
    features: Float32Array.from(d.features, (v, i) => (v - (mean[i % f] as number)) / (std[i % f] as number)),
  });
  return { train: apply(train), test: apply(test) };
}
