/**
 * The two kinds of data an experiment runs on, behind one set of functions: images
 * (`ImageDataset`, NHWC bytes; convolutional encoders) and tabular rows (`TabularDataset`,
 * float features; the MLP encoder). Batches, subsets, loaders and shapes dispatch on the kind.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchFromIndices, createDataLoader, createTabularLoader, subsetDataset, subsetTabular, tabularBatch, type ImageDataset, type TabularDataset } from '@contrastive/data';
import type { Rng } from '@contrastive/core';

/** Labelled samples: images or tabular rows. */
export type Samples = ImageDataset | TabularDataset;

/** A batch of samples: `[B, H, W, C]` images in [0, 1] or `[B, F]` features, labels and sample indices. The caller disposes it. */
export interface SamplesBatch {
  readonly images: tf.Tensor;
  readonly labels: tf.Tensor1D;
  readonly indices: Int32Array;
}

/** True for tabular rows. */
export function isTabular(samples: Samples): samples is TabularDataset {
  return 'numFeatures' in samples;
}

/** The shape of one sample: `[height, width, channels]` or `[features]`. */
export function sampleShape(samples: Samples): readonly number[] {
  return isTabular(samples) ? [samples.numFeatures] : [samples.height, samples.width, samples.channels];
}

/** The samples at `indices` as tensors. */
export function samplesBatch(samples: Samples, indices: ArrayLike<number>): SamplesBatch {
  return isTabular(samples) ? tabularBatch(samples, indices) : batchFromIndices(samples, indices);
}

/** Frees a batch's tensors. */
export function disposeSamplesBatch(batch: SamplesBatch): void {
  tf.dispose([batch.images, batch.labels]);
}

/** The samples at `indices` (in that order) as a dataset of the same kind. */
export function subsetSamples<S extends Samples>(samples: S, indices: ArrayLike<number>, name?: string): S {
  return (isTabular(samples) ? subsetTabular(samples, indices, name) : subsetDataset(samples, indices, name)) as S;
}

/** One epoch of shuffled batches (the last short batch dropped), prefetched for images. */
export function samplesEpoch(samples: Samples, batchSize: number, rng: Rng): Iterable<SamplesBatch> | AsyncIterable<SamplesBatch> {
  const options = { batchSize, rng, dropLast: true, epochs: 1 };
  return isTabular(samples) ? createTabularLoader(samples, options) : createDataLoader(samples, { ...options, prefetch: 2 });
}
