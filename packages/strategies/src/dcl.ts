/**
 * Decoupled contrastive learning (Yeh et al. 2022, "Decoupled Contrastive Learning"): SimCLR's
 * NT-Xent without the positive pair in the denominator (eq. 6), which removes the
 * negative-positive coupling that makes InfoNCE need large batches; DCLW (eq. 8) also weights
 * the positive term by a von Mises-Fisher kernel of width σ. In-batch negatives only.
 */
import { assertPositive, type Strategy } from '@contrastive/core';
import { dcl as dclLoss, dclw as dclwLoss } from '@contrastive/losses';
import type { ComposedState } from './compose.js';
import { pairLossStrategy, type PairLossStrategyOptions } from './pair-loss-strategy.js';

/** Options of {@link dcl}. */
export interface DclStrategyOptions extends PairLossStrategyOptions {
  /** Temperature τ; default 0.1 (the paper's CIFAR setting). */
  readonly temperature?: number;
  /** σ of DCLW's weighting; given, the strategy is DCLW (the paper's σ is 0.5); default plain DCL. */
  readonly sigma?: number;
}

/**
 * The DCL (or, with `sigma`, DCLW) strategy; default augmentation SimCLR's. `dispose()` frees
 * nothing of the caller's (encoder, projector, a passed-in augmenter).
 *
 * @example
 * ```ts
 * const strategy = dcl({ encoder, head, temperature: 0.1 });              // DCL
 * const weighted = dcl({ encoder, head, temperature: 0.1, sigma: 0.5 });  // DCLW
 * ```
 */
export function dcl(options: DclStrategyOptions): Strategy<ComposedState<never>> {
  const temperature = options.temperature ?? 0.1;
  assertPositive('dcl', 'options.temperature', temperature);
  const sigma = options.sigma;
  if (sigma !== undefined) assertPositive('dcl', 'options.sigma', sigma);
  return pairLossStrategy(options, {
    name: sigma === undefined ? 'dcl' : 'dclw',
    ownOptions: ['temperature', 'sigma'],
    recipe: 'simclr',
    term: (a, b, checkValues) => (sigma === undefined ? dclLoss(a, b, { temperature, checkValues }) : dclwLoss(a, b, { temperature, sigma, checkValues })),
  });
}
