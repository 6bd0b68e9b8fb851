/**
 * Barlow Twins (Zbontar et al. 2021, "Barlow Twins: Self-Supervised Learning via Redundancy
 * Reduction"): the cross-correlation matrix of the two views' batch-standardised projections is
 * pushed towards the identity (eq. 1: invariance on the diagonal, redundancy reduction weighted
 * by λ off it). No negatives, no predictor, no momentum encoder.
 */
import { assertNonNegative, type Strategy } from '@contrastive/core';
import { barlowTwins as barlowTwinsLoss } from '@contrastive/losses';
import type { ComposedState } from './compose.js';
import { pairLossStrategy, type PairLossStrategyOptions } from './pair-loss-strategy.js';

/** Options of {@link barlowTwins}. */
export interface BarlowTwinsStrategyOptions extends PairLossStrategyOptions {
  /** λ of the off-diagonal term; default 5e-3 (the paper's, for a 8192-wide projector). */
  readonly lambda?: number;
}

/**
 * The Barlow Twins strategy (default augmentation: BYOL's, as in the paper). `dispose()` frees
 * nothing of the caller's (encoder, projector, a passed-in augmenter).
 *
 * @example
 * ```ts
 * const strategy = barlowTwins({ encoder, head: mlpHeadV2({ inputDim: encoder.outputDim, hiddenDim: 512, outputDim: 512 }), lambda: 5e-3 });
 * ```
 */
export function barlowTwins(options: BarlowTwinsStrategyOptions): Strategy<ComposedState<never>> {
  const lambda = options.lambda;
  // λ is checked now rather than at the first step.
  if (lambda !== undefined) assertNonNegative('barlowTwins', 'options.lambda', lambda);
  return pairLossStrategy(options, {
    name: 'barlow-twins',
    ownOptions: ['lambda'],
    recipe: 'byol',
    term: (a, b, checkValues) => barlowTwinsLoss(a, b, { checkValues, ...(lambda !== undefined ? { lambda } : {}) }),
  });
}
