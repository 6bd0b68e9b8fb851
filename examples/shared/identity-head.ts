/**
 * The identity projection head: the contrastive loss is applied to the encoder's output h
 * itself (no g(·)), as in the small reference experiments where h is only a few dimensions.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ProjectionHead } from '@contrastive/core';

/** g(h) = h for `dim`-dimensional representations; no variables. */
export function identityHead(dim: number): ProjectionHead {
  return {
    name: `identity-${dim}`,
    inputDim: dim,
    outputDim: dim,
    trainableVariables: [],
    nonTrainableVariables: [],
    apply: (h: tf.Tensor2D): tf.Tensor2D => tf.clone(h),
    dispose: () => undefined,
  };
}
