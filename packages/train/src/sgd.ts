/**
 * Stochastic gradient descent with (Nesterov) momentum and weight decay, with PyTorch's
 * `torch.optim.SGD` semantics (dampening 0), which the SimCLR/MoCo reference code uses.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, assertInRange, assertNonNegative, assertOneOf, assertOptionsObject } from '@contrastive/core';
import { assertBoolean, assertPredicate, createOptimizer, excludeNothing, type Optimizer, type VariablePredicate } from './optimizer.js';

/** Options of {@link sgd}. */
export interface SgdOptions {
  /** Momentum μ in [0, 1). Default 0.9 (He et al. 2020, MoCo; Chen et al. 2020b, MoCo v2). */
  readonly momentum?: number;
  /** Nesterov momentum (Sutskever et al. 2013), as PyTorch formulates it. Needs momentum > 0. Default false. */
  readonly nesterov?: boolean;
  /** Weight decay λ >= 0. Default 0 (MoCo uses 1e-4). */
  readonly weightDecay?: number;
  /**
   * `'l2'` (default): λw is added to the gradient before momentum, i.e. an L2 penalty, as in
   * PyTorch's SGD and the MoCo/SimCLR SGD baselines. `'decoupled'`: w <- w - lr·λ·w applied
   * apart from the gradient step (SGDW, Loshchilov & Hutter 2019).
   */
  readonly weightDecayMode?: 'l2' | 'decoupled';
  /** Variables that get no weight decay. Default: none excluded. */
  readonly excludeFromWeightDecay?: VariablePredicate;
}

/**
 * SGD with momentum: with g = ∇w (+ λw for L2 decay), `buf <- μ·buf + g`, then
 * `w <- w - lr·(g + μ·buf)` (Nesterov) or `w <- w - lr·buf`.
 *
 * @example
 * ```ts
 * // MoCo v2 (Chen et al. 2020b): lr 0.03 for batch 256, momentum 0.9, weight decay 1e-4
 * const optimizer = sgd({ momentum: 0.9, weightDecay: 1e-4 });
 * ```
 */
export function sgd(options: SgdOptions = {}): Optimizer {
  const where = 'sgd';
  assertOptionsObject(where, 'options', options);
  const momentum = options.momentum ?? 0.9;
  const nesterov = options.nesterov ?? false;
  const weightDecay = options.weightDecay ?? 0;
  const mode = options.weightDecayMode ?? 'l2';
  const exclude = options.excludeFromWeightDecay ?? excludeNothing;
  assertInRange(where, 'options.momentum', momentum, 0, 1);
  if (momentum === 1) {
    throw new ArgumentError(`${where}: argument 'options.momentum' must be < 1, received 1`, { argument: 'options.momentum', expected: 'a number in [0, 1)', received: 1 });
  }
  assertBoolean(where, 'options.nesterov', nesterov);
  assertNonNegative(where, 'options.weightDecay', weightDecay);
  assertOneOf(where, 'options.weightDecayMode', mode, ['l2', 'decoupled'] as const);
  assertPredicate(where, 'options.excludeFromWeightDecay', exclude);
  if (nesterov && momentum === 0) {
    throw new ArgumentError(`${where}: argument 'options.nesterov' needs options.momentum > 0, received momentum 0`, {
      argument: 'options.nesterov',
      expected: 'momentum > 0',
      received: momentum,
    });
  }
  return createOptimizer({
    name: 'sgd',
    hyperparameters: {
      momentum,
      nesterov,
      weightDecay,
      weightDecayMode: mode,
      excludeFromWeightDecay: options.excludeFromWeightDecay === undefined ? 'none' : exclude.name || 'custom',
    },
    slotNames: momentum > 0 ? ['momentum'] : [],
    update({ variable: w, grad, slots, learningRate: lr }) {
      const decay = weightDecay > 0 && !exclude(w) ? weightDecay : 0;
      let g: tf.Tensor = grad;
      if (decay > 0 && mode === 'l2') g = tf.add(g, tf.mul(w, decay));
      let direction = g;
      const out: Record<string, tf.Tensor> = {};
      if (momentum > 0) {
        const buf = tf.add(tf.mul(slots['momentum'] as tf.Tensor, momentum), g);
        out['momentum'] = buf;
        direction = nesterov ? tf.add(g, tf.mul(buf, momentum)) : buf;
      }
      let value: tf.Tensor = w;
      if (decay > 0 && mode === 'decoupled') value = tf.mul(value, 1 - lr * decay);
      return { value: tf.sub(value, tf.mul(direction, lr)), slots: out };
    },
  });
}
