/**
 * A small ConvNet encoder: blocks of 3x3 convolution, BatchNorm and ReLU, each but the last
 * followed by 2x2 max-pooling, then global average pooling and an optional fully connected
 * layer (`fc`). A fast baseline for small images
 * (CIFAR-10, Fashion-MNIST) and for tests; about 0.39M parameters with the default widths.
 */
import { ArgumentError, assertInteger, assertKnownKeys, assertOptionsObject, describeValue } from '@contrastive/core';
import { GraphEncoder } from './graph-encoder.js';
import { assertWidths, resolveImageOptions, type ImageEncoderOptions } from './options.js';
import { GraphBuilder, INPUT, type GraphSpec } from './spec.js';
import { assertSpecFits } from './memory-estimate.js';

/** Options of {@link convNet}. */
export interface ConvNetOptions extends ImageEncoderOptions {
  /** Filters of each block; default `[32, 64, 128, 256]`. The representation has `widths.at(-1)` dimensions. */
  readonly widths?: readonly number[];
  /** BatchNorm after each convolution (default true); without it the convolutions get a bias. */
  readonly batchNorm?: boolean;
  /**
   * Units of a fully connected layer (with bias, then ReLU) after the global average pooling;
   * the representation then has `fc` dimensions. Default: none.
   */
  readonly fc?: number;
}

/** The network description of a ConvNet. @internal */
export function convNetSpec(where: string, options: ConvNetOptions): GraphSpec {
  assertOptionsObject(where, 'options', options);
  assertKnownKeys(where, 'options', options, ['widths', 'batchNorm', 'fc', 'inputShape', 'seed', 'name', 'bnMomentum', 'bnEpsilon']);
  const widths = options.widths ?? [32, 64, 128, 256];
  assertWidths(where, 'options.widths', widths);
  const useBn = options.batchNorm ?? true;
  if (typeof useBn !== 'boolean') {
    throw new ArgumentError(`${where}: argument 'options.batchNorm' must be a boolean, received ${describeValue(useBn)}`, {
      argument: 'options.batchNorm',
      expected: 'a boolean',
      received: useBn,
    });
  }
  if (options.fc !== undefined) assertInteger(where, 'options.fc', options.fc, 1);
  const common = resolveImageOptions(where, options);
  const name = options.name ?? `convnet-${widths.join('-')}${options.fc === undefined ? '' : `-fc${options.fc}`}`;
  const b = new GraphBuilder();
  let h = INPUT;
  let channels = common.inputShape[2];
  widths.forEach((w, i) => {
    const p = `block${i + 1}`;
    b.conv(`${p}.conv`, h, channels, w, 3, 1, 1, !useBn);
    h = useBn ? b.batchNorm(`${p}.bn`, `${p}.conv`, w) : `${p}.conv`;
    h = b.relu(`${p}.relu`, h);
    if (i < widths.length - 1) h = b.maxPool(`${p}.pool`, h, 2, 2, 'same');
    channels = w;
  });
  let output = b.globalAvgPool('avgpool', h);
  if (options.fc !== undefined) {
    b.dense('fc', output, channels, options.fc, true);
    output = b.relu('fc.relu', 'fc');
  }
  return {
    name,
    inputShape: common.inputShape,
    nodes: b.nodes,
    output,
    outputDim: options.fc ?? channels,
    variables: b.variables,
    bnMomentum: common.bnMomentum,
    bnEpsilon: common.bnEpsilon,
    inferenceOnly: false,
    recipe: {
      kind: 'convnet',
      options: {
        widths: [...widths],
        batchNorm: useBn,
        bnMomentum: common.bnMomentum,
        bnEpsilon: common.bnEpsilon,
        name,
        ...(options.inputShape === undefined ? {} : { inputShape: [...options.inputShape] }),
        ...(options.fc === undefined ? {} : { fc: options.fc }),
      },
    },
  };
}

/**
 * A small ConvNet encoder f(·): `[B, H, W, C] -> [B, widths.at(-1)]`.
 *
 * @example
 * ```ts
 * const f = convNet({ widths: [32, 64, 128], inputShape: [28, 28, 1] });
 * const h = f.apply(images, { training: false }); // [B, 128]
 * ```
 */
export function convNet(options: ConvNetOptions = {}): GraphEncoder {
  const spec = convNetSpec('convNet', options);
  assertSpecFits('convNet', spec);
  return GraphEncoder.initialise(spec, options.seed ?? 0);
}
