/**
 * The negative cosine similarity of BYOL (Grill et al. 2020, "Bootstrap Your Own Latent",
 * eq. 2) and SimSiam (Chen & He 2021, "Exploring Simple Siamese Representation Learning",
 * eq. 1 and 2, Algorithm 1): a prediction pulled towards a stop-gradient target.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { unaryCustomGrad } from '@contrastive/nn';
import { l2NormalizeRows } from './normalize.js';
import { booleanOrDefault, knownOptions } from './options.js';
import { checkEmbeddings } from './validate.js';

/** Options of {@link negativeCosine} and {@link symmetricNegativeCosine}. */
export interface NegativeCosineOptions {
  /**
   * Read the inputs back and reject NaN, ±Infinity and all-zero rows (default `true`); see
   * `BaseLossOptions.checkValues`.
   */
  readonly checkValues?: boolean;
}

const KNOWN = ['checkValues'] as const;

/**
 * SimSiam's D(p, z) (Chen & He 2021, eq. 1) averaged over the batch:
 * `L = -1/N Σ_i (p_i / ‖p_i‖) · (z_i / ‖z_i‖)`, with `z` a **stop-gradient** target (SimSiam
 * eq. 2 `stopgrad(z)`, BYOL's target network). It lies in [-1, 1] and is -1 exactly when every
 * prediction points the way of its target, whatever the norms. BYOL's loss
 * `‖p̄ - z̄‖² = 2 - 2 p̄·z̄` is `2 + 2L` per sample (same gradient up to the factor 2).
 *
 * The gradient flows to `p` only: `∂L/∂p_i = -(z̄_i - p̄_i (p̄_i·z̄_i)) / (N ‖p_i‖)`; `z`
 * receives none (a zero gradient if it is on the tape). Stable for any finite norms (nn's
 * `l2Normalize`); tidy.
 *
 * @param p - predictions `[N, D]` float32 (the predictor's output; gradients flow)
 * @param z - targets `[N, D]` (the other view's projection or the target network's; stop-gradient)
 * @param options - `checkValues` (default true)
 * @returns the scalar loss
 * @throws ShapeError for a non-matrix or mismatched shapes; ArgumentError for an unknown or bad
 *   option or an all-zero row; NonFiniteError for NaN/±Infinity
 *
 * @example
 * ```ts
 * const loss = negativeCosine(predictor(online(view1)), target(view2));
 * ```
 */
export function negativeCosine(p: Tensor2D, z: Tensor2D, options?: NegativeCosineOptions): Scalar {
  const where = 'negativeCosine';
  const checkValues = negativeCosineOptions(where, options);
  checkEmbeddings(where, 'p', p, { checkValues });
  checkEmbeddings(where, 'z', z, { rows: p.shape[0], dim: p.shape[1], checkValues });
  return tf.tidy(() => pullTowards(l2NormalizeRows(p), z));
}

/**
 * The symmetric loss of SimSiam (Chen & He 2021, eq. 2), for two views:
 * `L = ½ D(p1, stopgrad(z2)) + ½ D(p2, stopgrad(z1))`, with D the {@link negativeCosine}.
 * `p1` is the prediction from view 1 and is pulled towards view 2's target `z2`, and the other
 * way round. BYOL (Grill et al. 2020, eq. 2 and its symmetrised form) sums the two directions
 * of `2 - 2 cos`, which is `4 + 4L`.
 *
 * @param p1 - predictions from view 1 `[N, D]` (gradients flow)
 * @param p2 - predictions from view 2 `[N, D]` (gradients flow)
 * @param z1 - targets from view 1 `[N, D]` (stop-gradient; the target of `p2`)
 * @param z2 - targets from view 2 `[N, D]` (stop-gradient; the target of `p1`)
 * @param options - `checkValues` (default true)
 * @throws as {@link negativeCosine}, naming `p1`, `p2`, `z1` or `z2`
 *
 * @example
 * ```ts
 * const [z1, z2] = [projector(encoder(x1)), projector(encoder(x2))];
 * const loss = symmetricNegativeCosine(predictor(z1), predictor(z2), z1, z2); // SimSiam
 * ```
 */
export function symmetricNegativeCosine(p1: Tensor2D, p2: Tensor2D, z1: Tensor2D, z2: Tensor2D, options?: NegativeCosineOptions): Scalar {
  const where = 'symmetricNegativeCosine';
  const checkValues = negativeCosineOptions(where, options);
  checkEmbeddings(where, 'p1', p1, { checkValues });
  const shape = { rows: p1.shape[0], dim: p1.shape[1], checkValues };
  checkEmbeddings(where, 'p2', p2, shape);
  checkEmbeddings(where, 'z1', z1, shape);
  checkEmbeddings(where, 'z2', z2, shape);
  return tf.tidy(() => tf.mul(tf.add(pullTowards(l2NormalizeRows(p1), z2), pullTowards(l2NormalizeRows(p2), z1)), 0.5) as Scalar);
}

/** Checks {@link NegativeCosineOptions} (unknown keys are errors); returns `checkValues`. */
export function negativeCosineOptions(where: string, options: unknown): boolean {
  const o = knownOptions(where, options, KNOWN);
  return booleanOrDefault(where, 'options.checkValues', o['checkValues'], true);
}

/**
 * `-mean_i p_i · z̄_i` for unit predictions `p` `[N, d]`; the target `z` is normalised inside the
 * forward pass and closed over, so it never receives a gradient (`∂L/∂p = -z̄ / N`).
 */
function pullTowards(p: Tensor2D, z: Tensor2D): Scalar {
  const n = p.shape[0];
  const op = unaryCustomGrad((pu: Tensor2D, save) => {
    const target = l2NormalizeRows(z);
    save([target]);
    return {
      value: tf.neg(tf.mean(tf.sum(tf.mul(pu, target), 1))) as Scalar,
      gradFunc: (dy: Scalar, saved: Tensor[]) => tf.mul(saved[0] as Tensor, tf.div(tf.neg(dy), n)),
    };
  });
  return op(p);
}
