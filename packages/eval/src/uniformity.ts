/**
 * Uniformity of the representation on the hypersphere (Wang & Isola 2020, eq. 5): the log
 * of the average pairwise Gaussian potential,
 *
 *   L_uniform(f; t) = log E_{x, y ~ p_data} exp(−t ‖f(x) − f(y)‖₂²),
 *
 * over distinct pairs of L2-normalised representations (the paper's code: `torch.pdist` ...
 * `.mean().log()`). Lower is better: the features spread out. t = 2 by default.
 *
 * The N(N−1)/2 pairs are visited in blocks of rows, so memory stays at `chunkSize × N`
 * floats, and summed with log-sum-exp, so the value stays finite for large t.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { assertOptionsObject, assertPositive } from '@contrastive/core';
import { l2Normalize as l2NormalizeRows } from '@contrastive/nn';
import { checkFeatures, intOption } from './validate.js';

/** Options of {@link uniformity}. */
export interface UniformityOptions {
  /** The potential's scale t > 0; default 2 (the paper's default). */
  readonly t?: number;
  /** Rows per block of pairwise distances; default ⌊2^24 / N⌋ (at least 1). */
  readonly chunkSize?: number;
}

/** log Σ exp(v) over a list of log-values, in double precision. */
function logSumExp(values: readonly number[]): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (const v of values) s += Math.exp(v - max);
  return max + Math.log(s);
}

/**
 * log mean_{i<j} exp(−t ‖f(z_i) − f(z_j)‖²) over the distinct pairs of rows of `z` (N >= 2),
 * rows L2-normalised first (Wang & Isola 2020, eq. 5). Returns a number in [−4t, 0]: 0 when
 * all rows coincide, lower as they spread over the sphere. Invariant to the order of the rows
 * and to rotations. Tidy.
 *
 * @example
 * ```ts
 * const u = uniformity(features);          // t = 2
 * const u4 = uniformity(features, { t: 4 });
 * ```
 */
export function uniformity(z: Tensor2D, options: UniformityOptions = {}): number {
  const where = 'uniformity';
  assertOptionsObject(where, 'options', options);
  const x = checkFeatures(where, 'z', z, 2);
  const t = options.t ?? 2;
  assertPositive(where, 'options.t', t);
  const n = x.shape[0];
  const chunkSize = intOption(where, 'options.chunkSize', options.chunkSize, Math.max(1, Math.floor((1 << 24) / n)));

  const unit = l2NormalizeRows(x);
  // unitT: [D, N] (matMul with a pre-transposed operand is much faster than transposeB on wasm).
  let unitT: Tensor2D | undefined;
  const rowLogSums: number[] = [];
  try {
    // sqNorms[j] = ‖f(z_j)‖² (1, or 0 for an all-zero row): [1, N]
    unitT = tf.transpose(unit) as Tensor2D;
    const sqNorms = tf.tidy(() => tf.reshape(tf.sum(tf.square(unit), 1), [1, n]));
    try {
      // Rows 0..N−2 each have at least one partner j > i, so no block is empty.
      for (let start = 0; start < n - 1; start += chunkSize) {
        const rows = Math.min(chunkSize, n - 1 - start);
        const lse = tf.tidy(() => {
          const q = tf.slice(unit, [start, 0], [rows, -1]); // [B, D]
          const qNorms = tf.reshape(tf.slice(sqNorms, [0, start], [1, rows]), [rows, 1]); // [B, 1]
          // d2[r, j] = ‖f(z_{start+r}) − f(z_j)‖² = ‖q_r‖² + ‖z_j‖² − 2 q_r·z_j: [B, N]
          const d2 = tf.relu(tf.sub(tf.add(qNorms, sqNorms), tf.mul(2, tf.matMul(q, unitT as Tensor2D))));
          // Keep each unordered pair once: j > i.
          const i = tf.reshape(tf.range(start, start + rows, 1, 'int32'), [rows, 1]);
          const j = tf.reshape(tf.range(0, n, 1, 'int32'), [1, n]);
          const logPotential = tf.where(tf.greater(j, i), tf.mul(-t, d2), tf.fill([rows, n], -Infinity));
          // One log-sum per row ([B]); rows are combined below in double precision, so no
          // float32 sum runs over more than N terms.
          return tf.logSumExp(logPotential, 1);
        });
        for (const v of lse.dataSync()) rowLogSums.push(v);
        lse.dispose();
      }
    } finally {
      sqNorms.dispose();
    }
  } finally {
    unit.dispose();
    unitT?.dispose();
  }
  const pairs = (n * (n - 1)) / 2;
  const value = logSumExp(rowLogSums) - Math.log(pairs);
  // Mathematically in [−4t, 0]; clamp the last float32 ulp of rounding.
  return Math.min(0, Math.max(-4 * t, value));
}
