/**
 * No projection head: z = h. SimCLR's ablation (Chen et al. 2020, Sec. 4.2, Figure 8) trains
 * with the loss on h directly and finds it worse than a linear head, itself worse than the
 * nonlinear one.
 */
import { assertKnownKeys } from '@contrastive/core';
import { DenseHead, assertHeadOptions, resolveHeadOptions } from './dense-head.js';

/** Options of {@link identityHead}. */
export interface IdentityHeadOptions {
  /** Size of the representation h (and of z). */
  readonly inputDim: number;
}

/**
 * The identity head `[B, inputDim] -> [B, inputDim]`: no variables, z = h (a new tensor).
 *
 * @example
 * ```ts
 * const g = identityHead({ inputDim: 512 }); // the loss sees h itself
 * ```
 */
export function identityHead(options: IdentityHeadOptions): DenseHead {
  const where = 'identityHead';
  assertHeadOptions(where, options);
  assertKnownKeys(where, 'options', options, ['inputDim']);
  const { seed, bn } = resolveHeadOptions(where, {});
  return new DenseHead(`identity-${options.inputDim}`, options.inputDim, [], bn, seed);
}
