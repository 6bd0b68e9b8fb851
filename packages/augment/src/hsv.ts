/**
 * HSV conversion and hue rotation, matching torchvision's tensor functions `_rgb2hsv`,
 * `_hsv2rgb` and `adjust_hue` (which convert RGB -> HSV, add the shift to h modulo 1, and
 * convert back). The batched forms use closed expressions instead of torchvision's
 * six-way case split; they agree to float rounding (tests compare against a per-pixel port of
 * the case split in `reference.ts`).
 *
 * With `max`, `min` the largest and smallest channel and `C = max - min` (the chroma):
 * - `6h = (g - b) / C` (mod 6) when red is the largest channel, `2 + (b - r) / C` when green is,
 *   `4 + (r - g) / C` otherwise (ties go to red, then green, as in torchvision); `h = 0` for gray.
 * - `s = C / max` (0 for black), `v = max`.
 * - Back: channel `n` in (R, G, B) = (5, 3, 1) is `v - v s clamp(2 - |k - 2|, 0, 1)` with
 *   `k = (n + 6h) mod 6`.
 *
 * Hue rotation keeps `max` and `C`, so it is computed without materialising s and v.
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectSamples } from './batch.js';
import { assertImages } from './images.js';
import { perSampleNumbers } from './params.js';

/** Keeps 0 / 0 at 0 for gray pixels; far below any nonzero chroma of [0, 1] images. */
const TINY = 1e-30;

/** Columns g - b, b - r, r - g of an RGB row vector (rows: R, G, B). */
const CHANNEL_DIFFERENCES = [
  [0, -1, 1],
  [1, 0, -1],
  [-1, 1, 0],
];

interface HueParts {
  /** `[B,H,W,1]` the largest channel (= v). */
  readonly maxc: tf.Tensor4D;
  /** `[B,H,W,1]` max - min (the chroma). */
  readonly chroma: tf.Tensor4D;
  /** `[B,H,W,1]` 6 h, in (-1, 5] (not yet wrapped to [0, 6)). */
  readonly sixths: tf.Tensor4D;
}

/** The pieces of HSV that hue rotation needs. Call inside a tidy. */
function hueParts(images: tf.Tensor4D): HueParts {
  const [b, h, w] = images.shape;
  const maxc = tf.max(images, -1, true);
  const chroma = tf.sub(maxc, tf.min(images, -1, true));
  // argMax returns the first largest channel: red, then green, then blue, as torchvision.
  const largest = tf.argMax(images, -1);
  // [B,H,W,3] the numerators g - b, b - r, r - g; keep the one of the largest channel.
  const diffs = tf.reshape(tf.matMul(tf.reshape(images, [b * h * w, 3]), tf.tensor2d(CHANNEL_DIFFERENCES)), [b, h, w, 3]);
  // int32 one-hot, then cast: the stock wasm OneHot writes int32 bits into float32 outputs.
  const numerator = tf.sum(tf.mul(diffs, tf.cast(tf.oneHot(largest, 3), 'float32')), -1, true);
  // 6h = 2 * index of the largest channel + numerator / chroma (all on one channel).
  const offset = tf.mul(tf.expandDims(tf.cast(largest, 'float32'), -1), 2);
  const sixths = tf.add(tf.div(numerator, tf.add(chroma, TINY)), offset);
  return { maxc, chroma, sixths } as HueParts;
}

/** `x mod 6` in [0, 6] for any finite x (6 only through rounding, where the result is periodic). */
function mod6(x: tf.Tensor): tf.Tensor {
  return tf.sub(x, tf.mul(tf.floor(tf.div(x, 6)), 6));
}

/** RGB from max, chroma and 6h: channel n in (5, 3, 1) is `max - chroma * clamp(2 - |k - 2|, 0, 1)`. */
function fromHueParts(maxc: tf.Tensor, chroma: tf.Tensor, sixths: tf.Tensor): tf.Tensor4D {
  const k = mod6(tf.add(sixths, tf.tensor1d([5, 3, 1])));
  const ramp = tf.clipByValue(tf.sub(2, tf.abs(tf.sub(k, 2))), 0, 1);
  return tf.clipByValue(tf.sub(maxc, tf.mul(chroma, ramp)), 0, 1) as tf.Tensor4D;
}

/**
 * RGB to HSV, as torchvision's `_rgb2hsv`: h in [0, 1) (0 for gray pixels), s, v in [0, 1].
 *
 * @param images `[B, H, W, 3]` RGB in [0, 1].
 * @returns `[B, H, W, 3]` with channels (h, s, v).
 */
export function rgbToHsv(images: tf.Tensor4D): tf.Tensor4D {
  assertImages('rgbToHsv', 'images', images, 3);
  return tf.tidy(() => {
    const { maxc, chroma, sixths } = hueParts(images);
    const frac = (x: tf.Tensor): tf.Tensor => tf.sub(x, tf.floor(x));
    // Twice: a tiny negative 6h wraps to 1 - eps, which rounds to 1.0; the second pass maps it to 0.
    const hue = frac(frac(tf.div(sixths, 6)));
    const saturation = tf.div(chroma, tf.add(maxc, TINY));
    return tf.concat([hue, saturation, maxc], 3) as tf.Tensor4D;
  });
}

/**
 * HSV to RGB, as torchvision's `_hsv2rgb`.
 *
 * @param hsv `[B, H, W, 3]` with channels (h, s, v), each in [0, 1] (h = 1 is the same as 0).
 * @returns `[B, H, W, 3]` RGB in [0, 1].
 */
export function hsvToRgb(hsv: tf.Tensor4D): tf.Tensor4D {
  assertImages('hsvToRgb', 'hsv', hsv, 3);
  return tf.tidy(() => {
    const [h, s, v] = tf.split(hsv, 3, 3) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    return fromHueParts(v, tf.mul(v, s), tf.mul(h, 6));
  });
}

/** The unvalidated kernel; `shifts` has one entry per sample. */
export function adjustHueUnchecked(images: tf.Tensor4D, shifts: readonly number[]): tf.Tensor4D {
  const n = images.shape[0];
  if (shifts.every((s) => s === 0)) return tf.clone(images);
  return tf.tidy(() => {
    const { maxc, chroma, sixths } = hueParts(images);
    const shifted = tf.add(sixths, tf.tensor4d(Float32Array.from(shifts, (s) => 6 * s), [n, 1, 1, 1]));
    const out = fromHueParts(maxc, chroma, shifted);
    // A zero shift returns the input exactly (torchvision returns it to float rounding).
    return shifts.some((s) => s === 0) ? selectSamples(shifts.map((s) => s !== 0), out, images) : out;
  });
}

/**
 * Rotates the hue of image `b` by `shifts[b]` turns, as torchvision's `adjust_hue` (RGB -> HSV,
 * `h = (h + shift) mod 1`, HSV -> RGB). A shift of 0 or of a whole number of turns gives back the
 * image (exactly for 0, to float rounding otherwise).
 *
 * @param images `[B, H, W, 3]` RGB in [0, 1].
 * @param shifts A shift in turns for all images or one per image; torchvision's ColorJitter
 *   draws it from [-hue, hue] with hue <= 0.5.
 * @returns `[B, H, W, 3]`.
 * @example
 * ```ts
 * const rotated = adjustHue(images, 0.25); // red -> chartreuse, green -> azure, ...
 * ```
 */
export function adjustHue(images: tf.Tensor4D, shifts: number | readonly number[]): tf.Tensor4D {
  const where = 'adjustHue';
  assertImages(where, 'images', images, 3);
  const list = perSampleNumbers(where, 'shifts', shifts, images.shape[0], 'a finite number', () => true);
  return adjustHueUnchecked(images, list);
}
