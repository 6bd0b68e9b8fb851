/**
 * SimCLR v2's deeper projection head (Chen et al. 2020, "Big Self-Supervised Models are Strong
 * Semi-Supervised Learners", Sec. 2.1: "we also use a deeper 3-layer projection head"), as in
 * its reference code: every layer is a Linear map without bias followed by BatchNorm; hidden
 * layers add a ReLU; the last BatchNorm has no offset beta (`center=False`).
 */
import { assertInteger, assertKnownKeys } from '@contrastive/core';
import { DenseHead, assertHeadOptions, resolveHeadOptions, type HeadCommonOptions, type HeadLayer } from './dense-head.js';

/** Options of {@link mlpHeadV2}. */
export interface MlpHeadV2Options extends HeadCommonOptions {
  /** Size of the representation h. */
  readonly inputDim: number;
  /** Width of the hidden layers; default `inputDim`. */
  readonly hiddenDim?: number;
  /** Size of z; default 128. */
  readonly outputDim?: number;
  /** Number of linear layers (>= 1); default 3. */
  readonly layers?: number;
}

/**
 * The SimCLR v2 head `[B, inputDim] -> [B, outputDim]`:
 * (Linear - BN - ReLU) x (layers - 1), then Linear - BN(scale only).
 *
 * @example
 * ```ts
 * const g = mlpHeadV2({ inputDim: 2048, layers: 3 }); // 2048 -> 2048 -> 2048 -> 128
 * ```
 */
export function mlpHeadV2(options: MlpHeadV2Options): DenseHead {
  const where = 'mlpHeadV2';
  assertHeadOptions(where, options);
  assertKnownKeys(where, 'options', options, ['inputDim', 'hiddenDim', 'outputDim', 'layers', 'seed', 'bnMomentum', 'bnEpsilon']);
  const hiddenDim = options.hiddenDim ?? options.inputDim;
  assertInteger(where, 'options.hiddenDim', hiddenDim, 1);
  const outputDim = options.outputDim ?? 128;
  assertInteger(where, 'options.outputDim', outputDim, 1);
  const depth = options.layers ?? 3;
  assertInteger(where, 'options.layers', depth, 1);
  const { seed, bn } = resolveHeadOptions(where, options);
  const layers: HeadLayer[] = [];
  for (let i = 0; i < depth - 1; i++) layers.push({ units: hiddenDim, bias: false, batchNorm: { center: true }, relu: true });
  layers.push({ units: outputDim, bias: false, batchNorm: { center: false }, relu: false });
  return new DenseHead(`mlpv2-${options.inputDim}-${depth === 1 ? '' : `${hiddenDim}x${depth - 1}-`}${outputDim}`, options.inputDim, layers, bn, seed);
}
