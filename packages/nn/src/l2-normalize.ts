/**
 * Row-wise L2 normalisation, the projection onto the unit hypersphere that the contrastive
 * losses (cosine similarity), the negative sources and the evaluation metrics all use: one
 * implementation, one way to treat tiny rows, one gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { assertFloatTensor } from '@contrastive/core';
import { unaryCustomGrad } from './custom-grad.js';

/**
 * The smallest positive float32 (a subnormal): the floor of a row's scale. This is the only
 * "epsilon" of the normalisation, and it only keeps an all-zero row at zero: every row with a
 * non-zero entry, however small or large, is normalised exactly.
 */
export const L2_NORMALIZE_TINY = 1.401298464324817e-45;

/*
 * `y = x / ‖x‖` per row of `[N, D]`. The row is first divided by its largest magnitude, so the
 * sum of squares lies in `[1, D]` whatever the input's scale (no overflow at norms of 1e20, no
 * underflow at 1e-20), then by its norm. An all-zero row maps to zeros and receives a zero
 * gradient (never NaN). Tidy.
 *
 * Gradient (Jacobian of the normalisation): `dx = (dy - y ⟨y, dy⟩) / ‖x‖`, so `⟨dx, x⟩ = 0`:
 * rescaling a row never changes a loss of `y`, and its gradient says so.
 */
const normalizeRows = unaryCustomGrad((x: Tensor2D, save) => {
  const largest = tf.max(tf.abs(x), 1, true); // [n, 1]
  // scale: [n, 1], the largest |x| of each row (TINY for an all-zero row, so 0 / TINY = 0).
  const scale = tf.maximum(largest, L2_NORMALIZE_TINY);
  const nonZero = tf.cast(tf.greater(largest, 0), 'float32'); // [n, 1], 0 for an all-zero row
  const unit = tf.div(x, scale); // [n, d], max |unit| = 1 per non-zero row
  // rootSumSq: [n, 1] in [1, sqrt(d)] for a non-zero row; the floor 1 keeps a zero row at 0.
  const rootSumSq = tf.maximum(tf.sqrt(tf.sum(tf.square(unit), 1, true)), 1);
  const y = tf.div(unit, rootSumSq) as Tensor2D;
  save([y, scale, rootSumSq, nonZero]);
  return {
    value: y,
    gradFunc: (dy: Tensor2D, saved: Tensor[]) => {
      const [ys, s, r, live] = saved as [Tensor, Tensor, Tensor, Tensor];
      const along = tf.sum(tf.mul(dy, ys), 1, true); // [n, 1] = ⟨y, dy⟩
      // An all-zero row (where x / ‖x‖ has no derivative) receives no gradient.
      const tangent = tf.mul(tf.sub(dy, tf.mul(ys, along)), live);
      // Divide by r then by s (not by r·s, which can overflow for huge rows).
      return tf.div(tf.div(tangent, r), s);
    },
  };
});

/**
 * `y = x / ‖x‖` per row of a float32 `[N, D]` tensor, exact for any finite row (see above);
 * an all-zero row stays zero with a zero gradient. Tidy.
 *
 * @example
 * ```ts
 * const unit = l2Normalize(z); // every row of z has norm 1 (or stays 0)
 * ```
 */
export function l2Normalize(x: Tensor2D): Tensor2D {
  assertFloatTensor('l2Normalize', 'x', x, 2);
  return normalizeRows(x);
}
