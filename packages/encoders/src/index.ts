/**
 * @packageDocumentation
 * Encoders f(·) for contrastive learning: ResNet-18/34/50 with CIFAR and ImageNet stems, a
 * small ConvNet and an MLP, built from plain tfjs ops with train/inference BatchNorm; momentum
 * (EMA) copies; BatchNorm folding for fast inference; save and load as a standard tfjs-layers
 * artifact that also loads in the browser.
 */
export type { GraphEncoder, NamedVariable, CloneOptions } from './graph-encoder.js';
export {
  resnet,
  resnet18,
  resnet34,
  resnet50,
  RESNET_DEPTHS,
  RESNET_STEMS,
  type ResNetOptions,
  type ResNetShorthandOptions,
  type ResNetDepth,
  type ResNetStem,
} from './resnet.js';
export { convNet, type ConvNetOptions } from './convnet.js';
export { mlpEncoder, type MlpEncoderOptions } from './mlp-encoder.js';
export type { ImageEncoderOptions, BatchNormOptions } from './options.js';
export { setBatchNormFrozen, type BatchNormFreezable } from './batch-norm-frozen.js';
export { countParameters } from './parameters.js';
export {
  momentumCopy,
  type MomentumCopy,
  type MomentumUpdate,
  type MomentumCopyOptions,
  type BufferPolicy,
  type CloneableModule,
} from './momentum-copy.js';
export { foldBatchNorm } from './fold-batch-norm.js';
export {
  encoderToArtifacts,
  encoderFromArtifacts,
  ENCODER_FORMAT,
  ENCODER_FORMAT_VERSION,
  type EncoderMetadata,
} from './artifacts.js';
export { saveEncoder, loadEncoder, type SaveEncoderResult } from './save-load.js';
