/**
 * Class labels stored per row by the labelled negative sources (internal): a queue or bank
 * built with `labels: true` keeps one int32 label per row next to its keys, so that SupCon
 * (Khosla et al. 2020) can treat stored rows of the anchor's class as positives. -1 marks a
 * row that holds no label yet (a random initial row); it is never a positive.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, describeValue, isTensorLike } from '@contrastive/core';

/** The label of a row that has none yet. */
export const NO_LABEL = -1;

/** The `labels` option of a source (default false). */
export function labelsOption(where: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new ArgumentError(`${where}: argument 'options.labels' must be a boolean, received ${describeValue(value)}`, {
      argument: 'options.labels',
      expected: 'a boolean',
      received: value,
    });
  }
  return value;
}

/** `labels` is a live Tensor1D of `b` integer classes; returns it as int32 (caller disposes). */
export function rowLabels(where: string, labels: unknown, b: number): tf.Tensor1D {
  if (labels === undefined) {
    throw new ArgumentError(`${where}: argument 'labels' is required by a labelled source (options.labels), received undefined`, {
      argument: 'labels',
      expected: `a Tensor1D of ${b} integer labels`,
      received: labels,
    });
  }
  if (!isTensorLike(labels) || labels.rank !== 1 || labels.shape[0] !== b) {
    throw new ArgumentError(`${where}: argument 'labels' must be a Tensor1D of ${b} integer labels (one per key), received ${describeValue(labels)}`, {
      argument: 'labels',
      expected: `a Tensor1D of ${b} integer labels`,
      received: labels,
    });
  }
  return (labels.dtype === 'int32' ? tf.clone(labels) : tf.cast(labels, 'int32')) as tf.Tensor1D;
}

/** Rejects labels passed to a source built without `labels: true`. */
export function rejectLabels(where: string, labels: unknown): void {
  if (labels !== undefined) {
    throw new ArgumentError(`${where}: argument 'labels' needs a source built with options.labels = true, received ${describeValue(labels)}`, {
      argument: 'labels',
      expected: 'undefined (this source stores no labels)',
      received: labels,
    });
  }
}

/** `size` rows with no label: `[size]` int32 filled with {@link NO_LABEL}. */
export function emptyLabels(size: number): tf.Tensor1D {
  return tf.fill([size], NO_LABEL, 'int32') as tf.Tensor1D;
}
