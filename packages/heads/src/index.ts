/**
 * @packageDocumentation
 * Projection heads g(·) for contrastive learning (SimCLR, Chen et al. 2020, Sec. 2.1: the loss is
 * applied to z = g(h); the representation h is what downstream tasks use, and g is thrown away
 * after training): linear, SimCLR v1 MLP, SimCLR v2 MLP with BatchNorm, and the BYOL/SimSiam
 * predictor.
 */
export type { DenseHead, HeadCommonOptions, NamedHeadVariable } from './dense-head.js';
export { identityHead, type IdentityHeadOptions } from './identity-head.js';
export { linearHead, type LinearHeadOptions } from './linear-head.js';
export { mlpHead, type MlpHeadOptions } from './mlp-head.js';
export { mlpHeadV2, type MlpHeadV2Options } from './mlp-head-v2.js';
export { predictorHead, type PredictorHeadOptions } from './predictor-head.js';
