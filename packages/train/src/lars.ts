/**
 * LARS, layer-wise adaptive rate scaling (You et al. 2017, "Large Batch Training of
 * Convolutional Networks"), as in the official SimCLR code (`lars_optimizer.py`, classic
 * momentum), which SimCLR trains with at large batch sizes (Chen et al. 2020, §B.1).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, assertInRange, assertNonNegative, assertOptionsObject, assertPositive } from '@contrastive/core';
import { assertBoolean, assertPredicate, createOptimizer, isBiasOrNormVariable, type Optimizer, type VariablePredicate } from './optimizer.js';

/** Options of {@link lars}. */
export interface LarsOptions {
  /** Momentum μ in [0, 1). Default 0.9. */
  readonly momentum?: number;
  /** Weight decay λ >= 0 (added to the gradient). Default 1e-6 (SimCLR). */
  readonly weightDecay?: number;
  /** Trust coefficient η. Default 0.001. */
  readonly eta?: number;
  /** Nesterov momentum. Default false. */
  readonly nesterov?: boolean;
  /** Variables without weight decay. Default {@link isBiasOrNormVariable} (biases, BatchNorm). */
  readonly excludeFromWeightDecay?: VariablePredicate;
  /** Variables without the trust-ratio adaptation. Default: `excludeFromWeightDecay`, as in the official code. */
  readonly excludeFromAdaptation?: VariablePredicate;
}

/**
 * LARS with classic momentum, per variable w with gradient g:
 * ```
 * g     <- g + λ w                              (unless excluded from weight decay)
 * trust <- η ||w|| / ||g|| if ||w|| > 0 and ||g|| > 0, else 1   (1 if excluded from adaptation)
 * v     <- μ v + lr · trust · g
 * w     <- w - v        (Nesterov: w <- w - (μ v + lr · trust · g))
 * ```
 * Biases and BatchNorm parameters are excluded from both decay and adaptation by default, as
 * in the official SimCLR code (which matches `batch_normalization` and `bias` in the name);
 * here the default predicate {@link isBiasOrNormVariable} also catches every rank-<=1 variable.
 *
 * @example
 * ```ts
 * // SimCLR: lr = 0.3 × B/256 with warmup + cosine, weight decay 1e-6
 * const optimizer = lars({ weightDecay: 1e-6 });
 * ```
 */
export function lars(options: LarsOptions = {}): Optimizer {
  const where = 'lars';
  assertOptionsObject(where, 'options', options);
  const momentum = options.momentum ?? 0.9;
  const weightDecay = options.weightDecay ?? 1e-6;
  const eta = options.eta ?? 0.001;
  const nesterov = options.nesterov ?? false;
  const excludeDecay = options.excludeFromWeightDecay ?? isBiasOrNormVariable;
  const excludeAdapt = options.excludeFromAdaptation ?? excludeDecay;
  assertInRange(where, 'options.momentum', momentum, 0, 1);
  if (momentum === 1) {
    throw new ArgumentError(`${where}: argument 'options.momentum' must be < 1, received 1`, { argument: 'options.momentum', expected: 'a number in [0, 1)', received: 1 });
  }
  assertNonNegative(where, 'options.weightDecay', weightDecay);
  assertPositive(where, 'options.eta', eta);
  assertBoolean(where, 'options.nesterov', nesterov);
  assertPredicate(where, 'options.excludeFromWeightDecay', excludeDecay);
  assertPredicate(where, 'options.excludeFromAdaptation', excludeAdapt);
  return createOptimizer({
    name: 'lars',
    hyperparameters: {
      momentum,
      weightDecay,
      eta,
      nesterov,
      excludeFromWeightDecay: excludeDecay.name || 'custom',
      excludeFromAdaptation: options.excludeFromAdaptation === undefined ? 'sameAsWeightDecay' : excludeAdapt.name || 'custom',
    },
    slotNames: ['momentum'],
    update({ variable: w, grad, slots, learningRate: lr }) {
      let g: tf.Tensor = grad;
      if (weightDecay > 0 && !excludeDecay(w)) g = tf.add(g, tf.mul(w, weightDecay));
      let scaledLr: tf.Tensor = tf.scalar(lr);
      if (!excludeAdapt(w)) {
        const wNorm = tf.sqrt(tf.sum(tf.square(w)));
        const gNorm = tf.sqrt(tf.sum(tf.square(g)));
        const one = tf.onesLike(wNorm);
        // tf.where picks 1 where a norm is zero; the unpicked eta·||w||/0 is never used.
        const trust = tf.where(tf.greater(wNorm, 0), tf.where(tf.greater(gNorm, 0), tf.div(tf.mul(wNorm, eta), gNorm), one), one);
        scaledLr = tf.mul(trust, lr);
      }
      const step = tf.mul(g, scaledLr);
      const v = tf.add(tf.mul(slots['momentum'] as tf.Tensor, momentum), step);
      const update = nesterov ? tf.add(tf.mul(v, momentum), step) : v;
      return { value: tf.sub(w, update), slots: { momentum: v } };
    },
  });
}
