/**
 * VICReg (Bardes, Ponce, LeCun 2022, "VICReg: Variance-Invariance-Covariance Regularization
 * for Self-Supervised Learning"): the mean squared distance of the two views' projections
 * (invariance), a hinge keeping each dimension's std above 1 (variance) and a penalty on the
 * off-diagonal covariance (covariance), eq. 1-6, weights 25 / 25 / 1. No negatives.
 */
import { assertNonNegative, assertPositive, type Strategy } from '@contrastive/core';
import { vicreg as vicregLoss, type VicregOptions } from '@contrastive/losses';
import type { ComposedState } from './compose.js';
import { pairLossStrategy, type PairLossStrategyOptions } from './pair-loss-strategy.js';

/** Options of {@link vicreg}. */
export interface VicregStrategyOptions extends PairLossStrategyOptions {
  /** λ of the invariance term; default 25. */
  readonly invariance?: number;
  /** μ of the variance term; default 25. */
  readonly variance?: number;
  /** ν of the covariance term; default 1. */
  readonly covariance?: number;
  /** ε inside the std of the variance term; default 1e-4. */
  readonly epsilon?: number;
}

/**
 * The VICReg strategy (default augmentation: BYOL's, as in the paper). `dispose()` frees nothing
 * of the caller's (encoder, projector, a passed-in augmenter).
 *
 * @example
 * ```ts
 * const strategy = vicreg({ encoder, head, invariance: 25, variance: 25, covariance: 1 });
 * ```
 */
export function vicreg(options: VicregStrategyOptions): Strategy<ComposedState<never>> {
  // The weights are checked now rather than at the first step.
  for (const k of ['invariance', 'variance', 'covariance'] as const) if (options[k] !== undefined) assertNonNegative('vicreg', `options.${k}`, options[k]);
  if (options.epsilon !== undefined) assertPositive('vicreg', 'options.epsilon', options.epsilon);
  const weights: VicregOptions = Object.fromEntries(
    (['invariance', 'variance', 'covariance', 'epsilon'] as const).filter((k) => options[k] !== undefined).map((k) => [k, options[k]]),
  );
  return pairLossStrategy(options, {
    name: 'vicreg',
    ownOptions: ['invariance', 'variance', 'covariance', 'epsilon'],
    recipe: 'byol',
    term: (a, b, checkValues) => vicregLoss(a, b, { ...weights, checkValues }),
  });
}
