/**
 * Solarization (BYOL, Grill et al. 2020, Appendix B, Table 6: probability 0 / 0.2 for the two
 * views), as torchvision's `RandomSolarize(threshold, p)` and PIL's `ImageOps.solarize`: every
 * value at or above the threshold is inverted, `x >= t ? 1 - x : x`.
 *
 * Batched as exact arithmetic: `m = 1 - step(t_b - x)` is 1 exactly where `x >= t_b`, and
 * `x (1 - m) + (1 - x) m` picks one branch; samples that are not solarized get `t_b = 2`,
 * which no value in [0, 1] reaches.
 */
import * as tf from '@tensorflow/tfjs-core';
import { defineAugmentation, type Augmentation } from './augmentation.js';
import { assertImages } from './images.js';
import { assertFlags, fail, optionsRecord, probabilityOption, rejectUnknownKeys } from './params.js';

/** The unvalidated kernel. */
export function solarizeUnchecked(images: tf.Tensor4D, threshold: number, flags: readonly boolean[]): tf.Tensor4D {
  const n = flags.length;
  if (!flags.some(Boolean)) return tf.clone(images);
  return tf.tidy(() => {
    const thresholds = tf.tensor4d(Float32Array.from(flags, (f) => (f ? threshold : 2)), [n, 1, 1, 1]);
    const invert = tf.sub(1, tf.step(tf.sub(thresholds, images)));
    return tf.add(tf.mul(images, tf.sub(1, invert)), tf.mul(tf.sub(1, images), invert)) as tf.Tensor4D;
  });
}

function assertThreshold(where: string, name: string, threshold: unknown): asserts threshold is number {
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
    fail(where, name, 'a number in [0, 1]', threshold);
  }
}

/**
 * Inverts every value `>= threshold` of image `b` where `flags[b]` is true (all images when
 * `flags` is omitted).
 *
 * @param images `[B, H, W, C]` in [0, 1].
 * @param threshold In [0, 1]; BYOL uses 0.5 (PIL's 128 of 255).
 * @param flags One boolean per sample; default all true.
 */
export function solarize(images: tf.Tensor4D, threshold: number, flags?: readonly boolean[]): tf.Tensor4D {
  const where = 'solarize';
  assertImages(where, 'images', images);
  assertThreshold(where, 'threshold', threshold);
  const all = flags ?? new Array<boolean>(images.shape[0]).fill(true);
  assertFlags(where, 'flags', all, images.shape[0]);
  return solarizeUnchecked(images, threshold, all);
}

/** Options of {@link randomSolarize}. */
export interface RandomSolarizeOptions {
  /** Probability of solarizing each sample; default 0.5 (torchvision). */
  readonly p?: number;
  /** Threshold in [0, 1]; default 0.5 (BYOL). */
  readonly threshold?: number;
}

/**
 * `RandomSolarize(threshold, p)` as an {@link Augmentation}. Parameters: one boolean per sample.
 *
 * @example
 * ```ts
 * const sol = randomSolarize({ p: 0.2 }); // BYOL's second view
 * ```
 */
export function randomSolarize(options: RandomSolarizeOptions = {}): Augmentation<readonly boolean[]> {
  const where = 'randomSolarize';
  const record = optionsRecord(where, options);
  rejectUnknownKeys(where, record, ['p', 'threshold']);
  const p = probabilityOption(where, record, 'p', 0.5);
  const threshold = record['threshold'] ?? 0.5;
  assertThreshold(where, 'options.threshold', threshold);
  return defineAugmentation<readonly boolean[]>({
    name: 'randomSolarize',
    sample: (rng, g) => Array.from({ length: g.batchSize }, () => rng.bernoulli(p)),
    check: (w, params, g) => assertFlags(w, 'params', params, g.batchSize),
    run: (images, flags) => solarizeUnchecked(images, threshold, flags),
  });
}
