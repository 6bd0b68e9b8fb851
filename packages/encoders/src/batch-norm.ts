/**
 * Batch normalisation (Ioffe & Szegedy 2015, "Batch Normalization: Accelerating Deep Network
 * Training by Reducing Internal Covariate Shift", Algorithm 1 and 2) with PyTorch's
 * conventions: biased batch variance for normalising, unbiased batch variance for the
 * running average, `running = (1 - momentum) * running + momentum * batch`.
 *
 * Training mode is written as broadcast arithmetic, `y = x * scale + shift` with per-channel
 * `scale = gamma / sqrt(var + eps)` and `shift = beta - mean * scale`: its gradient reduces to
 * per-channel vectors, whereas the gradient of `tf.batchNorm` tiles full activation-sized
 * tensors (2.3x slower per training step on wasm in the engine-probe prototype, small
 * ResNet, batch 64). Inference uses `tf.batchNorm`,
 * one fused kernel, exactly as tfjs-layers' BatchNormalization does.
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '@contrastive/core';

/** The variables of one BatchNorm layer. */
export interface BatchNormVariables {
  readonly gamma: tf.Variable | undefined;
  readonly beta: tf.Variable | undefined;
  readonly movingMean: tf.Variable;
  readonly movingVariance: tf.Variable;
}

/**
 * How a BatchNorm layer behaves in one forward pass:
 * - `'batch'`: normalise with batch statistics and update the running averages (training);
 * - `'running'`: normalise with the running averages, written as differentiable broadcast
 *   arithmetic (frozen BatchNorm while training);
 * - `'inference'`: normalise with the running averages using the fused `tf.batchNorm` kernel.
 */
export type BatchNormMode = 'batch' | 'running' | 'inference';

/**
 * Normalises `x` (`[..., C]`) over every axis but the last.
 *
 * @param where - caller name for errors.
 * @param layer - layer name for errors.
 */
export function batchNorm(
  x: tf.Tensor,
  v: BatchNormVariables,
  mode: BatchNormMode,
  momentum: number,
  epsilon: number,
  where: string,
  layer: string,
): tf.Tensor {
  if (mode === 'inference') {
    return tf.batchNorm(x, v.movingMean, v.movingVariance, v.beta, v.gamma, epsilon);
  }
  if (mode === 'running') {
    return tf.tidy(() => {
      const inv = tf.rsqrt(tf.add(v.movingVariance, epsilon));
      const scale = v.gamma === undefined ? inv : tf.mul(v.gamma, inv);
      const shifted = tf.neg(tf.mul(v.movingMean, scale));
      const shift = v.beta === undefined ? shifted : tf.add(v.beta, shifted);
      return tf.add(tf.mul(x, scale), shift);
    });
  }
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const count = x.size / (x.shape[x.rank - 1] as number);
  if (count < 2) {
    throw new ShapeError(
      `${where}: BatchNorm layer '${layer}' needs more than one value per channel in training mode, received input of shape [${x.shape.join(',')}] at that layer (use a larger batch or training: false)`,
      { argument: 'x', expected: 'batch * height * width > 1 at every BatchNorm layer', received: x },
    );
  }
  return tf.tidy(() => {
    // mean, variance: [C], biased (divide by count), as in Algorithm 1.
    const { mean, variance } = tf.moments(x, axes);
    updateRunningAverages(v, mean, variance, count, momentum);
    const inv = tf.rsqrt(tf.add(variance, epsilon));
    const scale = v.gamma === undefined ? inv : tf.mul(v.gamma, inv);
    const shifted = tf.neg(tf.mul(mean, scale));
    const shift = v.beta === undefined ? shifted : tf.add(v.beta, shifted);
    return tf.add(tf.mul(x, scale), shift);
  });
}

/**
 * `running = (1 - momentum) * running + momentum * batch`, with the batch variance made
 * unbiased (`* count / (count - 1)`) as PyTorch does. The
 * assignments are not part of any gradient (tfjs never differentiates through `assign`).
 */
function updateRunningAverages(v: BatchNormVariables, mean: tf.Tensor, variance: tf.Tensor, count: number, momentum: number): void {
  tf.tidy(() => {
    v.movingMean.assign(tf.add(tf.mul(v.movingMean, 1 - momentum), tf.mul(mean, momentum)));
    v.movingVariance.assign(tf.add(tf.mul(v.movingVariance, 1 - momentum), tf.mul(variance, (momentum * count) / (count - 1))));
  });
}
