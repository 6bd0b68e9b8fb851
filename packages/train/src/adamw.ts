/**
 * AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019, "Decoupled Weight Decay
 * Regularization", Algorithm 2), with PyTorch's `torch.optim.AdamW` semantics.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, assertNonNegative, assertOptionsObject, assertPositive, assertProbability } from '@contrastive/core';
import { assertPredicate, createOptimizer, excludeNothing, type Optimizer, type VariablePredicate } from './optimizer.js';

/** Options of {@link adamw}. */
export interface AdamWOptions {
  /** β1 in [0, 1). Default 0.9. */
  readonly beta1?: number;
  /** β2 in [0, 1). Default 0.999. */
  readonly beta2?: number;
  /** ε > 0. Default 1e-8. */
  readonly epsilon?: number;
  /** Decoupled weight decay λ >= 0. Default 0.01 (PyTorch). */
  readonly weightDecay?: number;
  /** Variables without weight decay. Default: none excluded. */
  readonly excludeFromWeightDecay?: VariablePredicate;
}

/**
 * AdamW, per variable at update t (1-based):
 * ```
 * w <- w (1 - lr λ)                 (decoupled decay, unless excluded)
 * m <- β1 m + (1 - β1) g ;  v <- β2 v + (1 - β2) g²
 * w <- w - lr · (m / (1 - β1^t)) / (sqrt(v / (1 - β2^t)) + ε)
 * ```
 * t is the optimizer's update count (a variable that had no gradient at some step still
 * counts that step in its bias correction).
 *
 * @example
 * ```ts
 * const optimizer = adamw({ weightDecay: 0.05, excludeFromWeightDecay: isBiasOrNormVariable });
 * ```
 */
export function adamw(options: AdamWOptions = {}): Optimizer {
  const where = 'adamw';
  assertOptionsObject(where, 'options', options);
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const epsilon = options.epsilon ?? 1e-8;
  const weightDecay = options.weightDecay ?? 0.01;
  const exclude = options.excludeFromWeightDecay ?? excludeNothing;
  for (const [name, b] of [['options.beta1', beta1], ['options.beta2', beta2]] as const) {
    assertProbability(where, name, b);
    if (b === 1) throw new ArgumentError(`${where}: argument '${name}' must be < 1, received 1`, { argument: name, expected: 'a number in [0, 1)', received: 1 });
  }
  assertPositive(where, 'options.epsilon', epsilon);
  assertNonNegative(where, 'options.weightDecay', weightDecay);
  assertPredicate(where, 'options.excludeFromWeightDecay', exclude);
  return createOptimizer({
    name: 'adamw',
    hyperparameters: {
      beta1,
      beta2,
      epsilon,
      weightDecay,
      excludeFromWeightDecay: options.excludeFromWeightDecay === undefined ? 'none' : exclude.name || 'custom',
    },
    slotNames: ['m', 'v'],
    update({ variable: w, grad: g, slots, learningRate: lr, step }) {
      const m = tf.add(tf.mul(slots['m'] as tf.Tensor, beta1), tf.mul(g, 1 - beta1));
      const v = tf.add(tf.mul(slots['v'] as tf.Tensor, beta2), tf.mul(tf.square(g), 1 - beta2));
      const mHat = tf.div(m, 1 - beta1 ** step);
      const vHat = tf.div(v, 1 - beta2 ** step);
      const decayed = weightDecay > 0 && !exclude(w) ? tf.mul(w, 1 - lr * weightDecay) : w;
      const value = tf.sub(decayed, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon)), lr));
      return { value, slots: { m, v } };
    },
  });
}
