/**
 * Brightness, contrast and saturation, as torchvision's tensor `adjust_brightness`,
 * `adjust_contrast` and `adjust_saturation` (used by `ColorJitter`, SimCLR Appendix A):
 * each blends the image with a reference and clamps to [0, 1]:
 * - brightness: `clamp(f x)` (blend with black),
 * - contrast: `clamp(f x + (1 - f) mean(luma(x)))`, the mean over the whole image,
 * - saturation: `clamp(f x + (1 - f) luma(x))`, per pixel,
 *
 * with `luma = 0.299 R + 0.587 G + 0.114 B` ({@link LUMA_WEIGHTS}). A factor of 1 returns the
 * image exactly.
 *
 * All three are one batched kernel, `clamp(a x + b luma(x) + c mean(luma(x)))` with per-sample
 * coefficients (a, b, c), so colour jitter can run a different operation on each sample in
 * the same pass.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LUMA_WEIGHTS, lumaUnchecked } from './grayscale.js';
import { assertImages } from './images.js';
import { perSampleNumbers } from './params.js';

/** Per-sample coefficients of `clamp(a x + b luma(x) + c mean(luma(x)), 0, 1)`. */
export interface BlendCoefficients {
  readonly a: Float32Array;
  readonly b: Float32Array;
  readonly c: Float32Array;
}

/** Identity coefficients (a = 1, b = c = 0) for n samples. */
export function identityBlend(n: number): BlendCoefficients {
  return { a: new Float32Array(n).fill(1), b: new Float32Array(n), c: new Float32Array(n) };
}

/** The unvalidated blend kernel. */
export function blendUnchecked(images: tf.Tensor4D, coefficients: BlendCoefficients): tf.Tensor4D {
  const n = images.shape[0];
  const { a, b, c } = coefficients;
  const needLuma = b.some((v) => v !== 0) || c.some((v) => v !== 0);
  if (!needLuma && a.every((v) => v === 1)) return tf.clone(images);
  const column = (v: Float32Array): tf.Tensor4D => tf.tensor4d(v, [n, 1, 1, 1]);
  const perPixel = b.some((v) => v !== 0);
  const perImage = c.some((v) => v !== 0);
  return tf.tidy(() => {
    let out: tf.Tensor = tf.mul(images, column(a));
    if (needLuma) {
      // b * luma: [B,H,W,3] (three equal channels); c * mean(luma): [B,1,1,1].
      const luma = perPixel ? lumaUnchecked(images, 3) : null;
      let reference: tf.Tensor | null = luma === null ? null : tf.mul(luma, column(b));
      if (perImage) {
        // mean(luma) = luma(mean over pixels): a [B,3] x [3,1] product instead of a full luma pass.
        const meanLuma =
          luma === null
            ? tf.reshape(tf.matMul(tf.mean(images, [1, 2]), tf.tensor2d([...LUMA_WEIGHTS], [3, 1])), [n, 1, 1, 1])
            : tf.mean(luma, [1, 2, 3], true); // the mean of three equal channels is the mean luma
        const term = tf.mul(meanLuma, column(c));
        reference = reference === null ? term : tf.add(reference, term);
      }
      out = tf.add(out, reference as tf.Tensor);
    }
    return tf.clipByValue(out, 0, 1) as tf.Tensor4D;
  });
}

function readFactors(where: string, images: tf.Tensor4D, value: number | readonly number[]): number[] {
  return perSampleNumbers(where, 'factors', value, images.shape[0], 'a finite number >= 0', (v) => v >= 0);
}

/**
 * Multiplies image `b` by `factors[b]` and clamps to [0, 1] (torchvision `adjust_brightness`).
 *
 * @param images `[B, H, W, C]` in [0, 1].
 * @param factors One factor >= 0 for all images or one per image; 1 is the identity.
 */
export function adjustBrightness(images: tf.Tensor4D, factors: number | readonly number[]): tf.Tensor4D {
  assertImages('adjustBrightness', 'images', images);
  const f = readFactors('adjustBrightness', images, factors);
  const blend = identityBlend(f.length);
  blend.a.set(f);
  return blendUnchecked(images, blend);
}

/**
 * Blends image `b` with the mean of its luma: `clamp(f x + (1 - f) mean(luma))`
 * (torchvision `adjust_contrast`). 0 gives a uniform gray image, 1 the identity.
 *
 * @param images `[B, H, W, 3]` RGB in [0, 1].
 * @param factors One factor >= 0 for all images or one per image.
 */
export function adjustContrast(images: tf.Tensor4D, factors: number | readonly number[]): tf.Tensor4D {
  assertImages('adjustContrast', 'images', images, 3);
  const f = readFactors('adjustContrast', images, factors);
  const blend = identityBlend(f.length);
  blend.a.set(f);
  blend.c.set(f.map((v) => 1 - v));
  return blendUnchecked(images, blend);
}

/**
 * Blends each pixel of image `b` with its luma: `clamp(f x + (1 - f) luma)` (torchvision
 * `adjust_saturation`). 0 gives the grayscale image, 1 the identity.
 *
 * @param images `[B, H, W, 3]` RGB in [0, 1].
 * @param factors One factor >= 0 for all images or one per image.
 */
export function adjustSaturation(images: tf.Tensor4D, factors: number | readonly number[]): tf.Tensor4D {
  assertImages('adjustSaturation', 'images', images, 3);
  const f = readFactors('adjustSaturation', images, factors);
  const blend = identityBlend(f.length);
  blend.a.set(f);
  blend.b.set(f.map((v) => 1 - v));
  return blendUnchecked(images, blend);
}
