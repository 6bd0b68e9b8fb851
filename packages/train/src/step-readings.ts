/**
 * The one host read-back of a training step. A GPU engine stalls at every read, so the loss,
 * the global gradient norm (which is also the finite check of every gradient) and, when asked,
 * statistics of the batch's input values are stacked into one small tensor and read once.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, NonFiniteError } from '@contrastive/core';
import { globalNormTensor } from './clip.js';
import type { GradientMap } from './optimizer.js';

/** What one step reads back. */
export interface StepReadings {
  /** The loss (NaN or ±Infinity when not finite). */
  readonly loss: number;
  /** The global L2 norm of the gradients (NaN or ±Infinity when a gradient is not finite). */
  readonly gradNorm: number;
  /** The batch's input values, when they were asked for: minimum, maximum and sum (NaN-sensitive). */
  readonly inputs: { readonly min: number; readonly max: number; readonly sum: number } | null;
}

/**
 * Reads the loss, the gradient norm and (with `inputs`) the minimum, maximum and sum of the
 * input batch in one `dataSync`. Tidy: leaves no tensor behind.
 *
 * @example
 * ```ts
 * const { loss, gradNorm } = readStep(out.loss, out.grads, null);
 * ```
 */
export function readStep(loss: tf.Scalar, grads: GradientMap, inputs: tf.Tensor | null): StepReadings {
  const fused = tf.tidy(() => {
    const parts: tf.Tensor[] = [tf.reshape(loss, [1]), tf.reshape(globalNormTensor(grads), [1])];
    if (inputs !== null) {
      const x = inputs.dtype === 'float32' ? inputs : tf.cast(inputs, 'float32');
      parts.push(tf.stack([tf.min(x), tf.max(x), tf.sum(x)]));
    }
    return tf.concat(parts);
  });
  const values = fused.dataSync();
  fused.dispose();
  return {
    loss: values[0] as number,
    gradNorm: values[1] as number,
    inputs: inputs === null ? null : { min: values[2] as number, max: values[3] as number, sum: values[4] as number },
  };
}

/**
 * Checks a batch's input values from their {@link StepReadings.inputs}: every value finite,
 * and for image batches (rank 4, the core `Batch` contract) every value in [0, 1]. Throws
 * NonFiniteError or ArgumentError naming `batch.images` and the step.
 */
export function assertInputValues(where: string, stats: NonNullable<StepReadings['inputs']>, rank: number, at: string): void {
  const { min, max, sum } = stats;
  if (!Number.isFinite(sum) || Number.isNaN(min) || Number.isNaN(max)) {
    throw new NonFiniteError(`${where}: argument 'batch.images' must hold finite values, found NaN or Infinity (${at})`, {
      argument: 'batch.images',
      expected: 'finite values',
      received: { min, max, sum },
    });
  }
  if (rank === 4 && (min < 0 || max > 1)) {
    throw new ArgumentError(`${where}: argument 'batch.images' must hold values in [0, 1] (image batches [B, H, W, C]), received values in [${min}, ${max}] (${at})`, {
      argument: 'batch.images',
      expected: 'values in [0, 1]',
      received: { min, max },
    });
  }
}
