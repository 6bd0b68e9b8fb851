/**
 * A tabular data set: rows of numeric features with a class label each (the MLP-encoder path),
 * and the tensors of some of its rows.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, type Batch } from '@contrastive/core';
import { checkSampleIndices } from './sample-indices.js';

/**
 * Rows of `numFeatures` float features, row-major: feature `j` of row `i` is
 * `features[i * numFeatures + j]`.
 */
export interface TabularDataset {
  readonly name: string;
  readonly features: Float32Array;
  /** Class index of each row, `0 <= label < classNames.length`. */
  readonly labels: Uint8Array;
  /** Number of rows. */
  readonly length: number;
  readonly numFeatures: number;
  /** Column name of each feature. */
  readonly featureNames: readonly string[];
  /** `classNames[label]` is the label value as written in the file. */
  readonly classNames: readonly string[];
}

/**
 * Rows as tensors, in the trainer's {@link Batch} shape: `images` holds the features
 * (`[B, F]` float32; the field keeps the contract's name), `labels` `[B]` int32, `indices`
 * the row numbers. The caller disposes the tensors (`disposeBatch` works on it).
 */
export interface TabularBatch extends Batch {
  readonly images: tf.Tensor2D;
  readonly labels: tf.Tensor1D;
  readonly indices: Int32Array;
}

function checkRows(where: string, dataset: TabularDataset, indices: ArrayLike<number>): Int32Array {
  const ok = typeof dataset === 'object' && dataset !== null && dataset.features instanceof Float32Array && dataset.labels instanceof Uint8Array && dataset.features.length === dataset.length * dataset.numFeatures;
  if (!ok) throw new ArgumentError(`${where}: argument 'dataset' must be a TabularDataset whose sizes agree`, { argument: 'dataset', expected: 'a TabularDataset' });
  return checkSampleIndices(where, dataset.length, indices);
}

/**
 * The rows at `indices` as a {@link TabularBatch}: creates exactly two tensors.
 *
 * @example
 * ```ts
 * const batch = tabularBatch(iris, [0, 1, 2]); // images [3, 4], labels [3]
 * disposeBatch(batch);
 * ```
 */
export function tabularBatch(dataset: TabularDataset, indices: ArrayLike<number>): TabularBatch {
  const idx = checkRows('tabularBatch', dataset, indices);
  const rows = subsetTabular(dataset, idx);
  return { images: tf.tensor2d(rows.features, [idx.length, dataset.numFeatures], 'float32'), labels: tf.tensor1d(Int32Array.from(rows.labels), 'int32'), indices: idx };
}

/** A new data set of the rows at `indices`, in that order (copied). */
export function subsetTabular(dataset: TabularDataset, indices: ArrayLike<number>, name?: string): TabularDataset {
  const idx = checkRows('subsetTabular', dataset, indices);
  const f = dataset.numFeatures;
  const features = new Float32Array(idx.length * f);
  const labels = new Uint8Array(idx.length);
  idx.forEach((k, b) => {
    features.set(dataset.features.subarray(k * f, (k + 1) * f), b * f);
    labels[b] = dataset.labels[k] as number;
  });
  return { ...dataset, name: name ?? `${dataset.name}[subset ${idx.length}]`, features, labels, length: idx.length };
}
