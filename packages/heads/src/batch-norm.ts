/**
 * Batch normalisation of `[B, D]` activations (Ioffe & Szegedy 2015, Algorithm 1) with
 * PyTorch's conventions: biased batch variance to normalise, unbiased variance for the running
 * average, `running = (1 - momentum) * running + momentum * batch`. Training mode is broadcast
 * arithmetic (`y = x * scale + shift`, cheap gradients); inference uses `tf.batchNorm`.
 *
 * (`@contrastive/encoders` has the same semantics for its layers; the middle packages do not
 * import each other, so each keeps its own small implementation.)
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs-core';

/** The variables of one BatchNorm layer; gamma or beta may be absent (`scale` / `center` off). */
export interface BatchNormVariables {
  readonly gamma: tf.Variable | undefined;
  readonly beta: tf.Variable | undefined;
  readonly movingMean: tf.Variable;
  readonly movingVariance: tf.Variable;
}

/** `'batch'`: batch statistics + running update; `'running'`: running averages, differentiable; `'inference'`: fused kernel. */
export type BatchNormMode = 'batch' | 'running' | 'inference';

/** Normalises `x` (`[B, D]`, B >= 2 in `'batch'` mode, checked by the caller). */
export function batchNorm1d(x: tf.Tensor2D, v: BatchNormVariables, mode: BatchNormMode, momentum: number, epsilon: number): tf.Tensor2D {
  if (mode === 'inference') return tf.batchNorm(x, v.movingMean, v.movingVariance, v.beta, v.gamma, epsilon) as tf.Tensor2D;
  return tf.tidy(() => {
    let mean: tf.Tensor = v.movingMean;
    let variance: tf.Tensor = v.movingVariance;
    if (mode === 'batch') {
      const m = tf.moments(x, [0]); // mean, variance: [D]
      mean = m.mean;
      variance = m.variance;
      const count = x.shape[0];
      tf.tidy(() => {
        v.movingMean.assign(tf.add(tf.mul(v.movingMean, 1 - momentum), tf.mul(mean, momentum)));
        v.movingVariance.assign(tf.add(tf.mul(v.movingVariance, 1 - momentum), tf.mul(variance, (momentum * count) / (count - 1))));
      });
    }
    const inv = tf.rsqrt(tf.add(variance, epsilon));
    const scale = v.gamma === undefined ? inv : tf.mul(v.gamma, inv);
    const shifted = tf.neg(tf.mul(mean, scale));
    const shift = v.beta === undefined ? shifted : tf.add(v.beta, shifted);
    return tf.add(tf.mul(x, scale), shift) as tf.Tensor2D;
  });
}
