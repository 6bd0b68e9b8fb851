/**
 * Views of feature vectors by additive Gaussian noise: the augmentation of the tabular
 * (MLP-encoder) path, where crops and colour have no meaning.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, Rng, assertInteger, assertNonNegative, assertOptionsObject, assertTensor, describeValue, type ViewAugmenter } from '@contrastive/core';

/** Options of {@link gaussianNoiseViews}. */
export interface GaussianNoiseViewsOptions {
  /** Standard deviation of the noise, in the features' units (standardise features first); 0 gives identical views. */
  readonly std: number;
  /** Views per call (default 2). */
  readonly numViews?: number;
}

/**
 * A {@link ViewAugmenter} whose views are `x + N(0, std^2)` noise, drawn independently per
 * view and element from the `rng` passed to `apply` (same state, same views). Works on
 * inputs of any rank `[B, ...]` (`[B, F]` rows of features for an MLP encoder), although the
 * contract types them as images.
 *
 * @example
 * ```ts
 * const strategy = supcon({ encoder: mlpEncoder({ inputDim: 4, hidden: [10, 6], activation: 'tanh' }), head,
 *   augment: gaussianNoiseViews({ std: 0.1 }) });
 * ```
 */
export function gaussianNoiseViews(options: GaussianNoiseViewsOptions): ViewAugmenter {
  const where = 'gaussianNoiseViews';
  assertOptionsObject(where, 'options', options);
  if (options === undefined) throw new ArgumentError(`${where}: argument 'options' must be { std, numViews? }, received undefined`, { argument: 'options' });
  assertNonNegative(where, 'options.std', options.std);
  const numViews = options.numViews ?? 2;
  assertInteger(where, 'options.numViews', numViews, 1);
  const { std } = options;
  return {
    name: `gaussian-noise(${std})`,
    numViews,
    apply(images: tf.Tensor4D, rng: Rng): tf.Tensor4D[] {
      assertTensor('gaussianNoiseViews.apply', 'images', images);
      if (!(rng instanceof Rng)) {
        throw new ArgumentError(`gaussianNoiseViews.apply: argument 'rng' must be an Rng, received ${describeValue(rng)}`, { argument: 'rng', expected: 'an Rng', received: rng });
      }
      return Array.from({ length: numViews }, () => {
        const noise = rng.normalArray(images.size, 0, std);
        return tf.tidy(() => tf.add(images, tf.tensor(noise, images.shape, 'float32')));
      });
    },
  };
}
