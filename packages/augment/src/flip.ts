/**
 * Horizontal flip (SimCLR, Chen et al. 2020, Appendix A: "random crop with flip"), as
 * torchvision's `RandomHorizontalFlip(p)`: each sample is mirrored left-right with
 * probability `p`.
 *
 * The batched kernel is one `tf.image.cropAndResize` (nearest) whose box runs right-to-left for
 * the flipped samples and left-to-right for the others: every sampling position is an integer
 * pixel, so the result is an exact copy and one pass serves the whole batch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { gatherBatch } from './batch.js';
import { defineAugmentation, type Augmentation } from './augmentation.js';
import { assertImages } from './images.js';
import { assertFlags, optionsRecord, probabilityOption, rejectUnknownKeys } from './params.js';

/** The unvalidated kernel. */
export function horizontalFlipUnchecked(images: tf.Tensor4D, flags: readonly boolean[]): tf.Tensor4D {
  if (!flags.some(Boolean)) return tf.clone(images);
  return gatherBatch(images, flags.map((_, b) => b), flags);
}

/**
 * Mirrors image `b` left-right where `flags[b]` is true (all images when `flags` is omitted).
 *
 * @param images `[B, H, W, C]` in [0, 1].
 * @param flags One boolean per sample; default all true.
 * @returns `[B, H, W, C]`.
 */
export function horizontalFlip(images: tf.Tensor4D, flags?: readonly boolean[]): tf.Tensor4D {
  const where = 'horizontalFlip';
  assertImages(where, 'images', images);
  const all = flags ?? new Array<boolean>(images.shape[0]).fill(true);
  assertFlags(where, 'flags', all, images.shape[0]);
  return horizontalFlipUnchecked(images, all);
}

/** Options of {@link randomHorizontalFlip}. */
export interface RandomHorizontalFlipOptions {
  /** Probability of flipping each sample; default 0.5. */
  readonly p?: number;
}

/**
 * `RandomHorizontalFlip(p)` as an {@link Augmentation}. Parameters: one boolean per sample.
 *
 * @example
 * ```ts
 * const flip = randomHorizontalFlip({ p: 0.5 });
 * const out = flip.apply(images, Rng.fromSeed(3));
 * ```
 */
export function randomHorizontalFlip(options: RandomHorizontalFlipOptions = {}): Augmentation<readonly boolean[]> {
  const where = 'randomHorizontalFlip';
  const record = optionsRecord(where, options);
  rejectUnknownKeys(where, record, ['p']);
  const p = probabilityOption(where, record, 'p', 0.5);
  return defineAugmentation<readonly boolean[]>({
    name: 'randomHorizontalFlip',
    kind: 'horizontalFlip',
    sample: (rng, g) => Array.from({ length: g.batchSize }, () => rng.bernoulli(p)),
    check: (w, params, g) => assertFlags(w, 'params', params, g.batchSize),
    run: horizontalFlipUnchecked,
  });
}
