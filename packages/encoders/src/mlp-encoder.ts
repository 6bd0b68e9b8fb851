/**
 * An MLP encoder for vector data (tabular features, flattened digits): fully connected layers,
 * each followed by optional BatchNorm and a ReLU (or tanh). The representation h is the last
 * hidden layer's activation.
 */
import { ArgumentError, assertInteger, assertOptionsObject, describeValue, assertKnownKeys } from '@contrastive/core';
import { GraphEncoder } from './graph-encoder.js';
import { assertWidths, resolveCommon, type BatchNormOptions } from './options.js';
import { GraphBuilder, INPUT, type GraphSpec } from './spec.js';
import { assertSpecFits } from './memory-estimate.js';

/** Options of {@link mlpEncoder}. */
export interface MlpEncoderOptions extends BatchNormOptions {
  /** Number of input features F (inputs are `[B, F]`). */
  readonly inputDim: number;
  /** Width of each hidden layer; the representation has `hidden.at(-1)` dimensions. */
  readonly hidden: readonly number[];
  /** BatchNorm after each linear layer (default false); with it the linear layers have no bias. */
  readonly batchNorm?: boolean;
  /** The nonlinearity after each layer: `'relu'` (default) or `'tanh'`. */
  readonly activation?: 'relu' | 'tanh';
  /** Seed of the initial weights (default 0). */
  readonly seed?: number;
  /** Name for logs; default `'mlp-<inputDim>-<hidden...>'`. */
  readonly name?: string;
}

/** The network description of an MLP encoder. @internal */
export function mlpEncoderSpec(where: string, options: MlpEncoderOptions): GraphSpec {
  assertOptionsObject(where, 'options', options);
  assertKnownKeys(where, 'options', options, ['inputDim', 'hidden', 'batchNorm', 'activation', 'seed', 'name', 'bnMomentum', 'bnEpsilon']);
  if (options === undefined) {
    throw new ArgumentError(`${where}: argument 'options' must be an options object with 'inputDim' and 'hidden', received undefined`, { argument: 'options', expected: 'an options object', received: undefined });
  }
  assertInteger(where, 'options.inputDim', options.inputDim, 1);
  assertWidths(where, 'options.hidden', options.hidden);
  const useBn = options.batchNorm ?? false;
  if (typeof useBn !== 'boolean') {
    throw new ArgumentError(`${where}: argument 'options.batchNorm' must be a boolean, received ${describeValue(useBn)}`, {
      argument: 'options.batchNorm',
      expected: 'a boolean',
      received: useBn,
    });
  }
  const activation = options.activation ?? 'relu';
  if (activation !== 'relu' && activation !== 'tanh') {
    throw new ArgumentError(`${where}: argument 'options.activation' must be 'relu' or 'tanh', received ${describeValue(activation)}`, {
      argument: 'options.activation',
      expected: "'relu' | 'tanh'",
      received: activation,
    });
  }
  const common = resolveCommon(where, options);
  const name = options.name ?? `mlp-${options.inputDim}-${options.hidden.join('-')}${activation === 'tanh' ? '-tanh' : ''}`;
  const b = new GraphBuilder();
  let h = INPUT;
  let units = options.inputDim;
  options.hidden.forEach((w, i) => {
    b.dense(`fc${i + 1}`, h, units, w, !useBn);
    h = useBn ? b.batchNorm(`bn${i + 1}`, `fc${i + 1}`, w) : `fc${i + 1}`;
    h = activation === 'tanh' ? b.tanh(`tanh${i + 1}`, h) : b.relu(`relu${i + 1}`, h);
    units = w;
  });
  return {
    name,
    inputShape: [options.inputDim],
    nodes: b.nodes,
    output: h,
    outputDim: units,
    variables: b.variables,
    bnMomentum: common.bnMomentum,
    bnEpsilon: common.bnEpsilon,
    inferenceOnly: false,
    recipe: {
      kind: 'mlp',
      options: {
        inputDim: options.inputDim,
        hidden: [...options.hidden],
        batchNorm: useBn,
        bnMomentum: common.bnMomentum,
        bnEpsilon: common.bnEpsilon,
        name,
        ...(activation === 'tanh' ? { activation } : {}),
      },
    },
  };
}

/**
 * An MLP encoder f(·): `[B, inputDim] -> [B, hidden.at(-1)]`, layers Linear-(BN)-ReLU
 * (Linear-(BN)-tanh with `activation: 'tanh'`, e.g. the 4-10-6 tanh network of the Iris example).
 * Linear layers use PyTorch's `nn.Linear` initialisation.
 *
 * @example
 * ```ts
 * const f = mlpEncoder({ inputDim: 784, hidden: [512, 256], batchNorm: true });
 * const h = f.apply(flatImages, { training: true }); // [B, 256]
 * ```
 */
export function mlpEncoder(options: MlpEncoderOptions): GraphEncoder {
  const spec = mlpEncoderSpec('mlpEncoder', options);
  assertSpecFits('mlpEncoder', spec);
  return GraphEncoder.initialise(spec, options.seed ?? 0);
}
