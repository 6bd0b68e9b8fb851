import type { Tensor4D } from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';

/**
 * Produces V augmented views of a batch of images (SimCLR §3: "two separate data augmentation
 * operators are sampled from the same family of augmentations").
 *
 * Input: images `[B, H, W, C]` with values in [0, 1]. Output: `numViews` tensors
 * `[B, H', W', C]`. All randomness comes from `rng`; the same rng state gives the same views.
 * The caller owns (and disposes) the returned tensors; the input is not disposed.
 */
export interface ViewAugmenter {
  /** A short name for logs and configs, e.g. `'simclr'`. */
  readonly name: string;
  /** Number of views produced per call (V >= 1). */
  readonly numViews: number;
  /** The V views of `images`. */
  apply(images: Tensor4D, rng: Rng): Tensor4D[];
}
