/**
 * Feature standardisation for the linear probe: z = (x − μ) / σ per column, with μ and σ
 * estimated on the training features only, then applied unchanged to the test features (so
 * no test statistic leaks into the evaluation). As scikit-learn's `StandardScaler`, which the
 * linear evaluation of contrastive representations commonly uses, a column whose σ is
 * (numerically) zero is left unscaled (σ := 1).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError } from '@contrastive/core';
import { checkFeatures } from './validate.js';

/** Column statistics of a feature matrix, as plain arrays (no tensors to dispose). */
export interface Standardizer {
  /** Column means μ, length D. */
  readonly mean: Float32Array;
  /** Column scales σ (population standard deviation; 1 where it is below 1e-6), length D. */
  readonly std: Float32Array;
}

/** Standard deviations below this are treated as zero (the column is left unscaled). */
export const MIN_STD = 1e-6;

/**
 * Column means and standard deviations of `features` (`[N, D]`). Tidy.
 *
 * @example
 * ```ts
 * const stats = fitStandardizer(trainFeatures);
 * const xTest = standardize(stats, testFeatures); // train statistics, applied to test
 * ```
 */
export function fitStandardizer(features: Tensor2D): Standardizer {
  const x = checkFeatures('fitStandardizer', 'features', features);
  const [meanT, stdT] = tf.tidy(() => {
    const { mean, variance } = tf.moments(x, 0);
    const std = tf.sqrt(variance);
    return [mean, tf.where(tf.less(std, MIN_STD), tf.onesLike(std), std)];
  });
  const mean = meanT.dataSync() as Float32Array;
  const std = stdT.dataSync() as Float32Array;
  tf.dispose([meanT, stdT]);
  return { mean: Float32Array.from(mean), std: Float32Array.from(std) };
}

/**
 * (x − μ) / σ column by column with the statistics of {@link fitStandardizer}. Returns a new
 * `[N, D]` tensor the caller owns. Tidy.
 */
export function standardize(stats: Standardizer, features: Tensor2D): Tensor2D {
  const where = 'standardize';
  const x = checkFeatures(where, 'features', features);
  const d = x.shape[1];
  if (!(stats?.mean instanceof Float32Array) || !(stats.std instanceof Float32Array) || stats.mean.length !== d || stats.std.length !== d) {
    throw new ShapeError(`${where}: argument 'stats' must hold ${d} means and ${d} scales (one per column of 'features')`, {
      argument: 'stats',
      expected: `{ mean: Float32Array(${d}), std: Float32Array(${d}) }`,
      received: stats,
    });
  }
  for (let j = 0; j < d; j++) {
    const m = stats.mean[j] as number;
    const s = stats.std[j] as number;
    if (!Number.isFinite(m) || !Number.isFinite(s) || s <= 0) {
      throw new ArgumentError(`${where}: argument 'stats' must hold finite means and scales > 0, received mean ${m}, std ${s} at column ${j}`, {
        argument: 'stats',
        expected: 'finite means and scales > 0',
        received: stats,
      });
    }
  }
  return tf.tidy(() => tf.div(tf.sub(x, tf.tensor1d(stats.mean)), tf.tensor1d(stats.std)));
}
