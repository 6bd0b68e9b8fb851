/**
 * Grayscale conversion (SimCLR, Chen et al. 2020, Appendix A: "color drop", `RandomGrayscale(p=0.2)`).
 *
 * Luma uses the ITU-R 601-2 weights that PIL's `Image.convert('L')` uses:
 * `L = 0.299 R + 0.587 G + 0.114 B`. (torchvision's tensor path rounds the red weight to
 * 0.2989; the difference is at most 1e-4.) The output keeps three equal channels, as
 * torchvision's `Grayscale(num_output_channels=3)`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { defineAugmentation, type Augmentation } from './augmentation.js';
import { selectSamples } from './batch.js';
import { assertImages } from './images.js';
import { assertFlags, optionsRecord, probabilityOption, rejectUnknownKeys } from './params.js';

/** ITU-R 601-2 luma weights for R, G, B (PIL's `convert('L')`). */
export const LUMA_WEIGHTS: readonly [number, number, number] = [0.299, 0.587, 0.114];

/**
 * Luma of each pixel as one matmul with the weight column(s): `[B, H, W, 3]` ->
 * `[B, H, W, channels]`, every output channel the same luma. Three equal channels cost less than
 * broadcasting a single one onto RGB later (broadcasts are slow on the wasm engine).
 */
export function lumaUnchecked(images: tf.Tensor4D, channels: 1 | 3 = 1): tf.Tensor4D {
  const [b, h, w] = images.shape;
  const weights = LUMA_WEIGHTS.map((v) => new Array<number>(channels).fill(v));
  return tf.tidy(() => tf.reshape(tf.matMul(tf.reshape(images, [b * h * w, 3]), tf.tensor2d(weights)), [b, h, w, channels]));
}

/**
 * The luma of each pixel, `0.299 R + 0.587 G + 0.114 B`.
 *
 * @param images `[B, H, W, 3]` RGB in [0, 1].
 * @returns `[B, H, W, 1]`.
 */
export function rgbToGrayscale(images: tf.Tensor4D): tf.Tensor4D {
  assertImages('rgbToGrayscale', 'images', images, 3);
  return lumaUnchecked(images);
}

/** The unvalidated kernel. */
export function grayscaleUnchecked(images: tf.Tensor4D, flags: readonly boolean[]): tf.Tensor4D {
  if (!flags.some(Boolean)) return tf.clone(images);
  return tf.tidy(() => {
    const gray3 = lumaUnchecked(images, 3);
    return flags.every(Boolean) ? gray3 : selectSamples(flags, gray3, images);
  });
}

/**
 * Replaces image `b` by its luma, repeated into 3 channels, where `flags[b]` is true (all
 * images when `flags` is omitted).
 *
 * @param images `[B, H, W, 3]` RGB in [0, 1].
 * @param flags One boolean per sample; default all true.
 * @returns `[B, H, W, 3]`.
 */
export function grayscale(images: tf.Tensor4D, flags?: readonly boolean[]): tf.Tensor4D {
  const where = 'grayscale';
  assertImages(where, 'images', images, 3);
  const all = flags ?? new Array<boolean>(images.shape[0]).fill(true);
  assertFlags(where, 'flags', all, images.shape[0]);
  return grayscaleUnchecked(images, all);
}

/** Options of {@link randomGrayscale}. */
export interface RandomGrayscaleOptions {
  /** Probability of converting each sample; default 0.1 (torchvision); SimCLR uses 0.2. */
  readonly p?: number;
}

/**
 * `RandomGrayscale(p)` as an {@link Augmentation}. Parameters: one boolean per sample.
 *
 * @example
 * ```ts
 * const gray = randomGrayscale({ p: 0.2 });
 * ```
 */
export function randomGrayscale(options: RandomGrayscaleOptions = {}): Augmentation<readonly boolean[]> {
  const where = 'randomGrayscale';
  const record = optionsRecord(where, options);
  rejectUnknownKeys(where, record, ['p']);
  const p = probabilityOption(where, record, 'p', 0.1);
  return defineAugmentation<readonly boolean[]>({
    name: 'randomGrayscale',
    channels: 3,
    sample: (rng, g) => Array.from({ length: g.batchSize }, () => rng.bernoulli(p)),
    check: (w, params, g) => assertFlags(w, 'params', params, g.batchSize),
    run: grayscaleUnchecked,
  });
}
