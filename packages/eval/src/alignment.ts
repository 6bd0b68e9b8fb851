/**
 * Alignment of positive pairs (Wang & Isola 2020, "Understanding Contrastive Representation
 * Learning through Alignment and Uniformity on the Hypersphere", eq. 4):
 *
 *   L_align(f; α) = E_{(x, y) ~ p_pos} ‖f(x) − f(y)‖₂^α,
 *
 * with f(·) the L2-normalised representation. Lower is better: positives map close together.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { ShapeError, assertOptionsObject, assertPositive } from '@contrastive/core';
import { l2Normalize as l2NormalizeRows } from '@contrastive/nn';
import { checkFeatures } from './validate.js';

/** Options of {@link alignment}. */
export interface AlignmentOptions {
  /** The exponent α > 0; default 2 (the paper's default). */
  readonly alpha?: number;
}

/**
 * Mean ‖f(x_i) − f(y_i)‖^α over the positive pairs (row i of `z1` with row i of `z2`), rows
 * L2-normalised first (Wang & Isola 2020, eq. 4). Returns a number in [0, 2^α]; 0 when
 * every pair points the same way. Tidy: inputs are neither disposed nor leaked.
 *
 * @example
 * ```ts
 * const a = alignment(encoder.apply(view1, inference), encoder.apply(view2, inference)); // α = 2
 * ```
 */
export function alignment(z1: Tensor2D, z2: Tensor2D, options: AlignmentOptions = {}): number {
  const where = 'alignment';
  assertOptionsObject(where, 'options', options);
  const a = checkFeatures(where, 'z1', z1);
  const b = checkFeatures(where, 'z2', z2);
  if (a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1]) {
    throw new ShapeError(
      `${where}: arguments 'z1' and 'z2' must have the same shape (row i of each is a positive pair), received [${a.shape.join(',')}] and [${b.shape.join(',')}]`,
      { argument: 'z2', expected: `shape [${a.shape.join(',')}]`, received: b },
    );
  }
  const alpha = options.alpha ?? 2;
  assertPositive(where, 'options.alpha', alpha);
  const value = tf.tidy(() => {
    // squared[i] = ‖f(x_i) − f(y_i)‖²: [N]
    const squared = tf.sum(tf.square(tf.sub(l2NormalizeRows(a), l2NormalizeRows(b))), 1);
    // ‖·‖^α = (‖·‖²)^(α/2); α = 2 skips the root so identical pairs give exactly 0.
    const powered = alpha === 2 ? squared : tf.pow(tf.relu(squared), alpha / 2);
    return tf.mean(powered);
  });
  const out = value.dataSync()[0] as number;
  value.dispose();
  return out;
}
