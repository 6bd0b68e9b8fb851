/**
 * Row-wise L2 normalisation, f(x) = x / max(‖x‖₂, ε), as `torch.nn.functional.normalize`:
 * the projection onto the unit hypersphere that cosine similarity (Wu et al. 2018) and the
 * alignment/uniformity metrics (Wang & Isola 2020) are defined on. A zero row stays zero
 * instead of becoming NaN.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';

/** ε of the normaliser: rows shorter than this are divided by ε instead of their norm. */
export const NORM_EPSILON = 1e-12;

/** `x / max(‖x‖, ε)` row by row: `[N, D] -> [N, D]`. Tidy. Internal helper. */
export function l2NormalizeRows(x: Tensor2D): Tensor2D {
  return tf.tidy(() => {
    // norms: [N, 1]
    const norms = tf.sqrt(tf.sum(tf.square(x), 1, true));
    return tf.div(x, tf.maximum(norms, NORM_EPSILON));
  });
}
