/**
 * Per-dimension batch statistics that the redundancy-reduction losses share (Barlow Twins,
 * VICReg): centring over the batch, the unbiased variance, and the sum of squared off-diagonal
 * entries of a square matrix. Internal; every function expects to run inside a tidy scope.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';

/** `z - mean(z, 0)`: every column centred over the batch (rows). */
export function centreColumns(z: Tensor2D): Tensor2D {
  return tf.sub(z, tf.mean(z, 0, true));
}

/** The unbiased variance of each column of a centred `[N, D]` matrix, `[1, D]` (N >= 2). */
export function unbiasedColumnVariance(centred: Tensor2D): Tensor {
  return tf.div(tf.sum(tf.square(centred), 0, true), centred.shape[0] - 1);
}

/** `Σ_{i≠j} m_ij²` for a square `[D, D]` matrix (a mask, so no cancellation against the diagonal). */
export function offDiagonalSquares(m: Tensor2D): Scalar {
  const d = m.shape[0];
  const offDiagonal = tf.sub(1, tf.eye(d));
  return tf.sum(tf.mul(tf.square(m), offDiagonal));
}

/** `aᵀ b` for thin `[N, D]` operands (the transpose taken explicitly: see view-contrast.ts on wasm). */
export function crossProduct(a: Tensor2D, b: Tensor2D): Tensor2D {
  return tf.matMul(tf.transpose(a), b);
}
