/**
 * SimCLR's nonlinear projection head (Chen et al. 2020, "A Simple Framework for Contrastive
 * Learning of Visual Representations", eq. 2 and Sec. 2.1): "z_i = g(h_i) = W(2) σ(W(1) h_i)
 * where σ is a ReLU non-linearity", i.e. Linear-ReLU-Linear, projecting to 128 dimensions.
 */
import { assertInteger, assertKnownKeys } from '@contrastive/core';
import { DenseHead, assertHeadOptions, resolveHeadOptions, type HeadCommonOptions } from './dense-head.js';

/** Options of {@link mlpHead}. */
export interface MlpHeadOptions extends Omit<HeadCommonOptions, 'bnMomentum' | 'bnEpsilon'> {
  /** Size of the representation h. */
  readonly inputDim: number;
  /** Width of the hidden layer; default `inputDim` (SimCLR: 2048 for ResNet-50). */
  readonly hiddenDim?: number;
  /** Size of z; default 128. */
  readonly outputDim?: number;
}

/**
 * The SimCLR v1 head `[B, inputDim] -> [B, outputDim]`: Linear(hiddenDim) - ReLU - Linear(outputDim),
 * both with bias.
 *
 * @example
 * ```ts
 * const g = mlpHead({ inputDim: 512 });           // 512 -> 512 -> 128
 * const z = g.apply(h, { training: true });
 * ```
 */
export function mlpHead(options: MlpHeadOptions): DenseHead {
  const where = 'mlpHead';
  assertHeadOptions(where, options);
  assertKnownKeys(where, 'options', options, ['inputDim', 'hiddenDim', 'outputDim', 'seed']);
  const hiddenDim = options.hiddenDim ?? options.inputDim;
  assertInteger(where, 'options.hiddenDim', hiddenDim, 1);
  const outputDim = options.outputDim ?? 128;
  assertInteger(where, 'options.outputDim', outputDim, 1);
  const { seed, bn } = resolveHeadOptions(where, options);
  return new DenseHead(
    `mlp-${options.inputDim}-${hiddenDim}-${outputDim}`,
    options.inputDim,
    [
      { units: hiddenDim, bias: true, batchNorm: null, relu: true },
      { units: outputDim, bias: true, batchNorm: null, relu: false },
    ],
    bn,
    seed,
  );
}
