/**
 * The Barlow Twins loss (Zbontar et al. 2021, "Barlow Twins: Self-Supervised Learning via
 * Redundancy Reduction", eq. 1 and Algorithm 1).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { centreColumns, crossProduct, offDiagonalSquares, unbiasedColumnVariance } from './feature-statistics.js';
import { booleanOrDefault, knownOptions, nonNegativeOrDefault } from './options.js';
import { checkEmbeddings } from './validate.js';

/** Options of {@link barlowTwins}. */
export interface BarlowTwinsOptions {
  /** λ, the weight of the redundancy-reduction (off-diagonal) term; default 5e-3 (the paper's). */
  readonly lambda?: number;
  /**
   * Read the inputs back and reject NaN, ±Infinity and constant columns (whose standard
   * deviation is 0) with a typed error (default `true`). Unchecked, a constant column
   * standardises to 0 (never NaN).
   */
  readonly checkValues?: boolean;
}

/** The paper's λ (Zbontar et al. 2021, Sec. 4 / Algorithm 1: `lambda = 5e-3`). */
export const BARLOW_TWINS_LAMBDA = 5e-3;

const KNOWN = ['lambda', 'checkValues'] as const;

/** The smallest normal float32: the floor of a column's variance (reached only by a constant column). */
const TINY_VARIANCE = 1.1754943508222875e-38;

/**
 * Barlow Twins (Zbontar et al. 2021, eq. 1, Algorithm 1). Each dimension of each branch is
 * standardised over the batch with the **unbiased** standard deviation and no epsilon
 * (Algorithm 1's `(z - z.mean(0)) / z.std(0)`), the cross-correlation matrix is
 * `C = z̃1ᵀ z̃2 / N` (`[D, D]`), and
 *
 * `L = Σ_i (1 - C_ii)² + λ Σ_i Σ_{j≠i} C_ij²`.
 *
 * Hence L >= 0, and L is unchanged by any per-dimension affine map `z_·j ↦ a_j z_·j + b_j`
 * (a_j ≠ 0) applied to both branches, or with a_j > 0 to either branch alone. With the
 * unbiased standard deviation, identical branches give `C_ii = (N-1)/N`, not 1.
 *
 * Columns are divided by their largest magnitude before the statistics are taken, so any finite
 * input works (no overflow in the squares). Gradients by automatic differentiation (no gather;
 * every backend, wasm included). Tidy.
 *
 * @param z1 - embeddings of the first view `[N, D]` float32, N >= 2
 * @param z2 - embeddings of the second view `[N, D]`
 * @param options - `lambda` (default 5e-3), `checkValues`
 * @returns the scalar loss
 * @throws ShapeError for a non-matrix, mismatched shapes or N < 2; ArgumentError for an unknown
 *   or bad option or a constant column; NonFiniteError for NaN/±Infinity
 *
 * @example
 * ```ts
 * const loss = barlowTwins(projector(encoder(view1)), projector(encoder(view2))); // λ = 5e-3
 * ```
 */
export function barlowTwins(z1: Tensor2D, z2: Tensor2D, options?: BarlowTwinsOptions): Scalar {
  const where = 'barlowTwins';
  const { lambda, checkValues } = barlowTwinsOptions(where, options);
  checkEmbeddings(where, 'z1', z1, { minRows: 2, checkValues, values: 'varying-features' });
  checkEmbeddings(where, 'z2', z2, { rows: z1.shape[0], dim: z1.shape[1], checkValues, values: 'varying-features' });
  return tf.tidy(() => {
    const n = z1.shape[0];
    const c = tf.div(crossProduct(standardise(z1), standardise(z2)), n) as Tensor2D; // [D, D]
    // C_ii as the row sums of C ⊙ I (a mask, no gather)
    const diagonal = tf.sum(tf.mul(c, tf.eye(c.shape[0])), 1);
    const invariance = tf.sum(tf.square(tf.sub(1, diagonal)));
    return (lambda === 0 ? invariance : tf.add(invariance, tf.mul(offDiagonalSquares(c), lambda))) as Scalar;
  });
}

/** Checks {@link BarlowTwinsOptions} (unknown keys are errors) and fills in the defaults. */
export function barlowTwinsOptions(where: string, options: unknown): { readonly lambda: number; readonly checkValues: boolean } {
  const o = knownOptions(where, options, KNOWN);
  return {
    lambda: nonNegativeOrDefault(where, 'options.lambda', o['lambda'], BARLOW_TWINS_LAMBDA),
    checkValues: booleanOrDefault(where, 'options.checkValues', o['checkValues'], true),
  };
}

/**
 * `(z - mean) / std` per column, unbiased std, no epsilon. Each column is first divided by its
 * largest magnitude (the result does not depend on that scale), so its squares cannot overflow.
 */
function standardise(z: Tensor2D): Tensor2D {
  const scale = tf.maximum(tf.max(tf.abs(z), 0, true), TINY_VARIANCE);
  const centred = centreColumns(tf.div(z, scale) as Tensor2D);
  const std: Tensor = tf.sqrt(tf.maximum(unbiasedColumnVariance(centred), TINY_VARIANCE));
  return tf.div(centred, std);
}
