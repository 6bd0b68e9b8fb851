/**
 * @packageDocumentation
 * The module layer between `@contrastive/core` and the middle packages (encoders, heads,
 * losses, negatives, eval): a {@link Module} with stable, hierarchical parameter paths and
 * state dicts; the building blocks every encoder and head is made of (Dense, Conv2d, BatchNorm
 * with its fused training op, ReLU fusion); the one `l2Normalize`; and the one momentum (EMA)
 * update with its cosine schedule.
 */
export {
  Module,
  joinPath,
  modulePaths,
  specParameterCount,
  type NamedVariable,
  type CloneOptions,
  type ModuleValues,
  type StateDict,
} from './module.js';
export { initialiseParameters, initialValues, sizeOf, type Init, type ParameterSpec } from './init.js';
export {
  batchNorm,
  batchNormParameters,
  batchNormPaths,
  foldBatchNormWeights,
  resolveModuleOptions,
  type ModuleOptions,
  type BatchNormMode,
  type BatchNormVariables,
} from './batch-norm.js';
export { dense, conv2d, denseParameters, conv2dParameters, type FusedActivation } from './layers.js';
export { l2Normalize, L2_NORMALIZE_TINY } from './l2-normalize.js';
export { unaryCustomGrad, type UnaryForward } from './custom-grad.js';
export { updateMomentum, assertBufferPolicy, type BufferPolicy, type MomentumOperand, type UpdateMomentumOptions } from './momentum.js';
export { cosineMomentum } from './cosine-momentum.js';
