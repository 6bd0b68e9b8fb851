/**
 * The linear projection head: z = W h + b. SimCLR's ablation (Chen et al. 2020, Sec. 4.2,
 * Figure 8) finds it better than no projection (+>3% linear-eval accuracy) and worse than the
 * nonlinear head (+>10%).
 */
import { assertInteger, assertKnownKeys } from '@contrastive/core';
import { DenseHead, assertHeadOptions, resolveHeadOptions, type HeadCommonOptions } from './dense-head.js';

/** Options of {@link linearHead}. */
export interface LinearHeadOptions extends Omit<HeadCommonOptions, 'bnMomentum' | 'bnEpsilon'> {
  /** Size of the representation h. */
  readonly inputDim: number;
  /** Size of z. */
  readonly outputDim: number;
}

/**
 * A linear head `[B, inputDim] -> [B, outputDim]` (with bias).
 *
 * @example
 * ```ts
 * const g = linearHead({ inputDim: 512, outputDim: 128 });
 * ```
 */
export function linearHead(options: LinearHeadOptions): DenseHead {
  const where = 'linearHead';
  assertHeadOptions(where, options);
  assertKnownKeys(where, 'options', options, ['inputDim', 'outputDim', 'seed']);
  assertInteger(where, 'options.outputDim', options.outputDim, 1);
  const { seed, bn } = resolveHeadOptions(where, options);
  return new DenseHead(`linear-${options.inputDim}-${options.outputDim}`, options.inputDim, [{ units: options.outputDim, bias: true, batchNorm: null, relu: false }], bn, seed);
}
