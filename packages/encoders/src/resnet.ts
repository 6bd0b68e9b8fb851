/**
 * ResNet-18/34/50 encoders (He et al. 2016, "Deep Residual Learning for Image Recognition",
 * Table 1) with torchvision's layout, so that parameter counts match torchvision exactly:
 * convolutions without bias, BatchNorm after every convolution, projection shortcuts (1x1
 * conv + BN) where the shape changes, and the stride of a bottleneck block on its 3x3
 * convolution ("ResNet v1.5"). The fc layer is dropped: the encoder ends with global average
 * pooling, whose output is the representation h (SimCLR, Chen et al. 2020, Sec. 2.1:
 * "h_i = f(x_i) = ResNet(x_i) where h_i ∈ R^d is the output after the average pooling layer").
 *
 * Stems: `'imagenet'` is the 7x7/2 convolution (padding 3) + 3x3/2 max-pool (padding 1);
 * `'cifar'` is the 3x3/1 convolution (padding 1) without max-pool that SimCLR uses for
 * CIFAR-10 (Chen et al. 2020, Appendix B.9).
 */
import { ArgumentError, assertOneOf, assertOptionsObject, assertPositive, describeValue, assertKnownKeys } from '@contrastive/core';
import { GraphEncoder } from './graph-encoder.js';
import { resolveImageOptions, type ImageEncoderOptions } from './options.js';
import { GraphBuilder, INPUT, type GraphSpec } from './spec.js';
import { assertSpecFits } from './memory-estimate.js';

/** The supported depths. */
export const RESNET_DEPTHS = [18, 34, 50] as const;
/** A supported depth. */
export type ResNetDepth = (typeof RESNET_DEPTHS)[number];
/** The stems. */
export const RESNET_STEMS = ['cifar', 'imagenet'] as const;
/** `'cifar'` (3x3/1 conv, no max-pool) or `'imagenet'` (7x7/2 conv + 3x3/2 max-pool). */
export type ResNetStem = (typeof RESNET_STEMS)[number];

/** Options of {@link resnet}. */
export interface ResNetOptions extends ImageEncoderOptions {
  /** 18 and 34 use basic blocks, 50 uses bottleneck blocks. */
  readonly depth: ResNetDepth;
  /** Default `'cifar'`. */
  readonly stem?: ResNetStem;
  /**
   * Multiplies every width (stem and the four stages, 64-128-256-512 at 1), rounding to the
   * nearest integer; e.g. 0.25 gives the small 16-32-64-128 network. Default 1.
   */
  readonly widthMultiplier?: number;
  /**
   * Initialise the last BatchNorm gamma of every residual block to zero, so each block starts
   * as the identity (Goyal et al. 2017, "Accurate, Large Minibatch SGD", Sec. 5.1). Default false,
   * as torchvision.
   */
  readonly zeroInitResidual?: boolean;
}

/** Options of the depth-specific shorthands. */
export type ResNetShorthandOptions = Omit<ResNetOptions, 'depth'>;

const BLOCKS: Record<ResNetDepth, { kind: 'basic' | 'bottleneck'; counts: readonly [number, number, number, number] }> = {
  18: { kind: 'basic', counts: [2, 2, 2, 2] },
  34: { kind: 'basic', counts: [3, 4, 6, 3] },
  50: { kind: 'bottleneck', counts: [3, 4, 6, 3] },
};
const BASE_WIDTHS = [64, 128, 256, 512] as const;

/** The network description of a ResNet. @internal */
export function resnetSpec(where: string, options: ResNetOptions): GraphSpec {
  assertOptionsObject(where, 'options', options);
  assertKnownKeys(where, 'options', options, ['depth', 'stem', 'widthMultiplier', 'zeroInitResidual', 'inputShape', 'seed', 'name', 'bnMomentum', 'bnEpsilon']);
  if (options === undefined) throw new ArgumentError(`${where}: argument 'options' must be an options object with 'depth', received undefined`, { argument: 'options', expected: 'an options object', received: undefined });
  const depth = options.depth;
  if (!(RESNET_DEPTHS as readonly unknown[]).includes(depth)) {
    throw new ArgumentError(`${where}: argument 'options.depth' must be one of ${RESNET_DEPTHS.join(', ')}, received ${describeValue(depth)}`, {
      argument: 'options.depth',
      expected: `one of ${RESNET_DEPTHS.join(', ')}`,
      received: depth,
    });
  }
  const stem = options.stem ?? 'cifar';
  assertOneOf(where, 'options.stem', stem, RESNET_STEMS);
  const k = options.widthMultiplier ?? 1;
  assertPositive(where, 'options.widthMultiplier', k);
  const widths = BASE_WIDTHS.map((w) => Math.round(w * k));
  if (widths.some((w) => w < 1)) {
    throw new ArgumentError(`${where}: argument 'options.widthMultiplier' gives a stage width below 1 (widths ${widths.join('-')}), received ${k}`, {
      argument: 'options.widthMultiplier',
      expected: `a number >= ${1 / 128} (every width at least 1)`,
      received: k,
    });
  }
  const zeroInitResidual = options.zeroInitResidual ?? false;
  if (typeof zeroInitResidual !== 'boolean') {
    throw new ArgumentError(`${where}: argument 'options.zeroInitResidual' must be a boolean, received ${describeValue(zeroInitResidual)}`, {
      argument: 'options.zeroInitResidual',
      expected: 'a boolean',
      received: zeroInitResidual,
    });
  }
  const common = resolveImageOptions(where, options);
  const name = options.name ?? `resnet${depth}-${stem}${k === 1 ? '' : `-x${k}`}`;

  const b = new GraphBuilder();
  const inChannels = common.inputShape[2];
  const stemWidth = widths[0] as number;
  let h: string;
  if (stem === 'imagenet') {
    b.conv('conv1', INPUT, inChannels, stemWidth, 7, 2, 3);
    b.batchNorm('bn1', 'conv1', stemWidth);
    b.relu('relu', 'bn1');
    h = b.maxPool('maxpool', 'relu', 3, 2, 1);
  } else {
    b.conv('conv1', INPUT, inChannels, stemWidth, 3, 1, 1);
    b.batchNorm('bn1', 'conv1', stemWidth);
    h = b.relu('relu', 'bn1');
  }
  const { kind, counts } = BLOCKS[depth];
  const expansion = kind === 'basic' ? 1 : 4;
  let channels = stemWidth;
  counts.forEach((count, stage) => {
    const planes = widths[stage] as number;
    for (let i = 0; i < count; i++) {
      const stride = stage > 0 && i === 0 ? 2 : 1;
      const p = `layer${stage + 1}.${i}`;
      const out = planes * expansion;
      let r: string;
      if (kind === 'basic') {
        b.conv(`${p}.conv1`, h, channels, planes, 3, stride, 1);
        b.batchNorm(`${p}.bn1`, `${p}.conv1`, planes);
        b.relu(`${p}.relu1`, `${p}.bn1`);
        b.conv(`${p}.conv2`, `${p}.relu1`, planes, planes, 3, 1, 1);
        r = b.batchNorm(`${p}.bn2`, `${p}.conv2`, planes, { zeroGamma: zeroInitResidual });
      } else {
        b.conv(`${p}.conv1`, h, channels, planes, 1, 1, 0);
        b.batchNorm(`${p}.bn1`, `${p}.conv1`, planes);
        b.relu(`${p}.relu1`, `${p}.bn1`);
        b.conv(`${p}.conv2`, `${p}.relu1`, planes, planes, 3, stride, 1);
        b.batchNorm(`${p}.bn2`, `${p}.conv2`, planes);
        b.relu(`${p}.relu2`, `${p}.bn2`);
        b.conv(`${p}.conv3`, `${p}.relu2`, planes, out, 1, 1, 0);
        r = b.batchNorm(`${p}.bn3`, `${p}.conv3`, out, { zeroGamma: zeroInitResidual });
      }
      let shortcut = h;
      if (stride !== 1 || channels !== out) {
        b.conv(`${p}.downsample.0`, h, channels, out, 1, stride, 0);
        shortcut = b.batchNorm(`${p}.downsample.1`, `${p}.downsample.0`, out);
      }
      b.add(`${p}.add`, r, shortcut);
      h = b.relu(`${p}.out`, `${p}.add`);
      channels = out;
    }
  });
  b.globalAvgPool('avgpool', h);
  return {
    name,
    inputShape: common.inputShape,
    nodes: b.nodes,
    output: 'avgpool',
    outputDim: channels,
    variables: b.variables,
    bnMomentum: common.bnMomentum,
    bnEpsilon: common.bnEpsilon,
    inferenceOnly: false,
    recipe: {
      kind: 'resnet',
      options: {
        depth,
        stem,
        widthMultiplier: k,
        zeroInitResidual,
        bnMomentum: common.bnMomentum,
        bnEpsilon: common.bnEpsilon,
        name,
        ...(options.inputShape === undefined ? {} : { inputShape: [...options.inputShape] }),
      },
    },
  };
}

/**
 * A ResNet encoder f(·): `[B, H, W, C] -> [B, d]` with d = 512·k (18, 34) or 2048·k (50).
 *
 * Trainable parameters equal torchvision's `resnetXX()` without its fc layer: 11,176,512
 * (ResNet-18), 21,284,672 (ResNet-34), 23,508,032 (ResNet-50) with the ImageNet stem; the CIFAR
 * stem has (49 - 9)·C·w fewer, a 3x3 instead of a 7x7 first convolution over C input channels
 * with w stem filters (7,680 fewer for RGB at width 1).
 *
 * @example
 * ```ts
 * const f = resnet({ depth: 18, stem: 'cifar', seed: 1 });
 * const h = f.apply(images, { training: true }); // [B, 512]
 * ```
 */
export function resnet(options: ResNetOptions): GraphEncoder {
  const spec = resnetSpec('resnet', options);
  assertSpecFits('resnet', spec);
  return GraphEncoder.initialise(spec, options.seed ?? 0);
}

/** ResNet-18 (basic blocks 2-2-2-2, d = 512); see {@link resnet}. */
export function resnet18(options: ResNetShorthandOptions = {}): GraphEncoder {
  assertOptionsObject('resnet18', 'options', options);
  return resnet({ ...options, depth: 18 });
}

/** ResNet-34 (basic blocks 3-4-6-3, d = 512); see {@link resnet}. */
export function resnet34(options: ResNetShorthandOptions = {}): GraphEncoder {
  assertOptionsObject('resnet34', 'options', options);
  return resnet({ ...options, depth: 34 });
}

/** ResNet-50 (bottleneck blocks 3-4-6-3, d = 2048); see {@link resnet}. */
export function resnet50(options: ResNetShorthandOptions = {}): GraphEncoder {
  assertOptionsObject('resnet50', 'options', options);
  return resnet({ ...options, depth: 50 });
}
