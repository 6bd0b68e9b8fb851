/**
 * Row-wise L2 normalisation shared by the negative sources (internal).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@contrastive/core';

/** Smallest norm divided by; keeps an all-zero row finite (it stays zero). */
export const NORM_EPSILON = 1e-12;

/** `x / max(||x||_2, eps)` per row of a `[N, D]` tensor (tidy). */
export function l2NormalizeRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    // norms is [N, 1]: the L2 norm of each row.
    const norms = tf.sqrt(tf.sum(tf.square(x), 1, true));
    return tf.div(x, tf.maximum(norms, NORM_EPSILON)) as tf.Tensor2D;
  });
}

/**
 * `rows` unit vectors of size `dim` drawn uniformly on the sphere (normal draws, normalised
 * in float64 before rounding to float32), as a flat row-major array. Seeded by `rng`.
 */
export function randomUnitRows(rng: Rng, rows: number, dim: number): Float32Array {
  const out = new Float32Array(rows * dim);
  const row = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    let sq = 0;
    for (let j = 0; j < dim; j++) {
      const v = rng.normal();
      row[j] = v;
      sq += v * v;
    }
    const norm = Math.max(Math.sqrt(sq), NORM_EPSILON);
    for (let j = 0; j < dim; j++) out[r * dim + j] = (row[j] as number) / norm;
  }
  return out;
}
