/**
 * Gradient clipping by global norm (Pascanu et al. 2013, "On the difficulty of training
 * recurrent neural networks", Algorithm 1; `tf.clip_by_global_norm`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, assertPositive, describeValue, isTensorLike } from '@contrastive/core';
import type { GradientMap } from './optimizer.js';

function assertGradients(where: string, grads: unknown): asserts grads is GradientMap {
  if (typeof grads !== 'object' || grads === null || !Object.values(grads).every((g) => isTensorLike(g))) {
    throw new ArgumentError(`${where}: argument 'grads' must be a map from variable name to gradient tensor, received ${describeValue(grads)}`, {
      argument: 'grads',
      expected: 'a map from variable name to Tensor',
      received: grads,
    });
  }
}

/**
 * The global L2 norm `sqrt(Σ_i ||g_i||²)` over all gradients, as a scalar tensor that stays on
 * the engine (the caller disposes it; the trainer reads it together with the loss). NaN or
 * Infinity if any gradient is not finite; 0 for no gradients.
 */
export function globalNormTensor(grads: GradientMap): tf.Scalar {
  assertGradients('globalNormTensor', grads);
  const list = Object.values(grads);
  if (list.length === 0) return tf.scalar(0);
  return tf.tidy(() => tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g))))) as tf.Scalar);
}

/**
 * The global L2 norm `sqrt(Σ_i ||g_i||²)` over all gradients (one number; reads one scalar
 * back from the engine). NaN or Infinity if any gradient is not finite; 0 for no gradients.
 */
export function globalNorm(grads: GradientMap): number {
  assertGradients('globalNorm', grads);
  const norm = globalNormTensor(grads);
  try {
    return norm.dataSync()[0] as number;
  } finally {
    norm.dispose();
  }
}

/**
 * Scales every gradient by `maxNorm / max(norm, maxNorm)`, so the global norm of the result
 * is at most `maxNorm`; direction is kept. Returns new tensors (the caller disposes both maps).
 *
 * @param norm - the global norm if already known (from {@link globalNorm}); computed otherwise.
 *
 * @example
 * ```ts
 * const norm = globalNorm(grads);
 * const clipped = clipByGlobalNorm(grads, 1.0, norm);
 * ```
 */
export function clipByGlobalNorm(grads: GradientMap, maxNorm: number, norm?: number): Record<string, tf.Tensor> {
  const where = 'clipByGlobalNorm';
  assertGradients(where, grads);
  assertPositive(where, 'maxNorm', maxNorm);
  const n = norm ?? globalNorm(grads);
  if (typeof n !== 'number' || !(n >= 0)) {
    throw new ArgumentError(`${where}: argument 'norm' must be a number >= 0 (not NaN), received ${describeValue(n)}`, {
      argument: 'norm',
      expected: 'a number >= 0',
      received: n,
    });
  }
  const scale = maxNorm / Math.max(n, maxNorm);
  const out: Record<string, tf.Tensor> = {};
  for (const [name, g] of Object.entries(grads)) out[name] = scale === 1 ? tf.clone(g) : tf.tidy(() => tf.mul(g, scale));
  return out;
}
