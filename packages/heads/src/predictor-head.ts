/**
 * The predictor q of BYOL (Grill et al. 2020, "Bootstrap Your Own Latent", Sec. 3.3: an MLP
 * "with a hidden layer of size 4096 followed by batch normalization, rectified linear units,
 * and a final linear layer with output dimension 256") and SimSiam (Chen & He 2021, Sec. 4.4:
 * a bottleneck "h's hidden layer's dimension is 512, with BN and ReLU").
 * Layout: Linear(hiddenDim, no bias) - BN - ReLU - Linear(outputDim, with bias). The hidden
 * bias is omitted because the BatchNorm after it cancels any constant (as in SimSiam's code;
 * BYOL's code keeps that redundant bias: its parameter count is higher by `hiddenDim`).
 */
import { ArgumentError, assertInteger, describeValue, assertKnownKeys } from '@contrastive/core';
import { DenseHead, assertHeadOptions, resolveHeadOptions, type HeadCommonOptions } from './dense-head.js';

/** Options of {@link predictorHead}. */
export interface PredictorHeadOptions extends HeadCommonOptions {
  /** Size of the projection z it predicts from. */
  readonly inputDim: number;
  /** Width of the hidden layer (BYOL: 4096, SimSiam: 512). */
  readonly hiddenDim: number;
  /** Size of the prediction; default `inputDim`. */
  readonly outputDim?: number;
  /** BatchNorm on the hidden layer (default true); without it the hidden layer gets a bias. */
  readonly batchNorm?: boolean;
}

/**
 * A predictor head `[B, inputDim] -> [B, outputDim]` for BYOL / SimSiam.
 *
 * @example
 * ```ts
 * const q = predictorHead({ inputDim: 256, hiddenDim: 4096 });   // BYOL
 * const p = predictorHead({ inputDim: 2048, hiddenDim: 512 });   // SimSiam
 * ```
 */
export function predictorHead(options: PredictorHeadOptions): DenseHead {
  const where = 'predictorHead';
  assertHeadOptions(where, options);
  assertKnownKeys(where, 'options', options, ['inputDim', 'hiddenDim', 'outputDim', 'batchNorm', 'seed', 'bnMomentum', 'bnEpsilon']);
  assertInteger(where, 'options.hiddenDim', options.hiddenDim, 1);
  const outputDim = options.outputDim ?? options.inputDim;
  assertInteger(where, 'options.outputDim', outputDim, 1);
  const useBn = options.batchNorm ?? true;
  if (typeof useBn !== 'boolean') {
    throw new ArgumentError(`${where}: argument 'options.batchNorm' must be a boolean, received ${describeValue(useBn)}`, {
      argument: 'options.batchNorm',
      expected: 'a boolean',
      received: useBn,
    });
  }
  const { seed, bn } = resolveHeadOptions(where, options);
  return new DenseHead(
    `predictor-${options.inputDim}-${options.hiddenDim}-${outputDim}`,
    options.inputDim,
    [
      { units: options.hiddenDim, bias: !useBn, batchNorm: useBn ? { center: true } : null, relu: true },
      { units: outputDim, bias: true, batchNorm: null, relu: false },
    ],
    bn,
    seed,
  );
}
