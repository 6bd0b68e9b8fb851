/**
 * VICReg, variance-invariance-covariance regularisation (Bardes, Ponce & LeCun 2022, "VICReg:
 * Variance-Invariance-Covariance Regularization for Self-Supervised Learning", eq. 1–6, as
 * their official code computes it).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { centreColumns, crossProduct, offDiagonalSquares, unbiasedColumnVariance } from './feature-statistics.js';
import { booleanOrDefault, knownOptions, nonNegativeOrDefault, positiveOrDefault } from './options.js';
import { checkEmbeddings } from './validate.js';

/** Options of {@link vicreg} and {@link vicregTerms}. */
export interface VicregOptions {
  /** λ, the weight of the invariance (mean squared error) term; default 25. */
  readonly invariance?: number;
  /** μ, the weight of the variance (hinge on the standard deviation) term; default 25. */
  readonly variance?: number;
  /** ν, the weight of the covariance term; default 1. */
  readonly covariance?: number;
  /** ε inside the standard deviation `sqrt(var + ε)`, > 0; default 1e-4. */
  readonly epsilon?: number;
  /** Read the inputs back and reject NaN and ±Infinity with a typed error (default `true`). */
  readonly checkValues?: boolean;
}

/**
 * The three terms of VICReg, unweighted, and the weighted loss (all scalars). A type alias, not
 * an interface, so that it is a tfjs `TensorContainer` (`tf.tidy` can return it).
 */
export type VicregTerms = {
  /** `λ·invariance + μ·variance + ν·covariance`, the value {@link vicreg} returns. */
  readonly loss: Scalar;
  /** s(Z, Z') = mean over N·D entries of (z1 − z2)² (eq. 5). */
  readonly invariance: Scalar;
  /** (v(Z) + v(Z')) / 2, with v the mean hinge `relu(1 − sqrt(var_j + ε))` over dimensions (eq. 1). */
  readonly variance: Scalar;
  /** c(Z) + c(Z'), with c the sum of squared off-diagonal covariances over D (eq. 3–4). */
  readonly covariance: Scalar;
};

/** The defaults of the paper and its official code: λ = μ = 25, ν = 1, ε = 1e-4. */
export const VICREG_DEFAULTS = { invariance: 25, variance: 25, covariance: 1, epsilon: 1e-4 } as const;

const KNOWN = ['invariance', 'variance', 'covariance', 'epsilon', 'checkValues'] as const;

/**
 * VICReg (Bardes et al. 2022), as the official code computes it:
 *
 * ```
 * L = λ s(Z, Z') + μ (v(Z) + v(Z')) / 2 + ν (c(Z) + c(Z'))
 * s(Z, Z') = 1/(N·D) Σ_{i,j} (z_ij − z'_ij)²
 * v(Z)     = 1/D Σ_j relu(1 − sqrt(Var_j(Z) + ε))                unbiased variance over the batch
 * c(Z)     = 1/D Σ_{i≠j} Cov(Z)_ij²,   Cov(Z) = Z̄ᵀ Z̄ / (N − 1),  Z̄ = Z centred per dimension
 * ```
 *
 * with λ = μ = 25, ν = 1, ε = 1e-4 by default. The invariance term is 0 for identical branches;
 * the variance term is 0 once every dimension's standard deviation is at least 1. Embeddings are
 * used as they are (no normalisation). Use {@link vicregTerms} to monitor the three terms.
 *
 * Gradients by automatic differentiation (no gather; every backend). Tidy.
 *
 * @param z1 - embeddings of the first view `[N, D]` float32, N >= 2
 * @param z2 - embeddings of the second view `[N, D]`
 * @param options - `invariance` (λ), `variance` (μ), `covariance` (ν), `epsilon`, `checkValues`
 * @returns the scalar loss
 * @throws ShapeError for a non-matrix, mismatched shapes or N < 2; ArgumentError for an unknown
 *   or bad option; NonFiniteError for NaN/±Infinity
 *
 * @example
 * ```ts
 * const loss = vicreg(expander(encoder(view1)), expander(encoder(view2))); // 25 / 25 / 1
 * ```
 */
export function vicreg(z1: Tensor2D, z2: Tensor2D, options?: VicregOptions): Scalar {
  const where = 'vicreg';
  const spec = checkVicreg(where, z1, z2, options);
  return tf.tidy(() => vicregParts(z1, z2, spec).loss);
}

/**
 * {@link vicreg} with its three unweighted terms, for monitoring: `loss` equals
 * `λ·invariance + μ·variance + ν·covariance` and is the same value `vicreg` returns (and as
 * differentiable). The caller disposes the four scalars.
 *
 * @example
 * ```ts
 * const { loss, invariance, variance, covariance } = vicregTerms(z1, z2);
 * log({ inv: invariance.dataSync()[0], std: variance.dataSync()[0], cov: covariance.dataSync()[0] });
 * tf.dispose([invariance, variance, covariance]);
 * ```
 */
export function vicregTerms(z1: Tensor2D, z2: Tensor2D, options?: VicregOptions): VicregTerms {
  const where = 'vicregTerms';
  const spec = checkVicreg(where, z1, z2, options);
  return tf.tidy(() => vicregParts(z1, z2, spec));
}

interface VicregSpec {
  readonly invariance: number;
  readonly variance: number;
  readonly covariance: number;
  readonly epsilon: number;
  readonly checkValues: boolean;
}

/** Checks {@link VicregOptions} (unknown keys are errors) and fills in the defaults. */
export function vicregOptions(where: string, options: unknown): VicregSpec {
  const o = knownOptions(where, options, KNOWN);
  return {
    invariance: nonNegativeOrDefault(where, 'options.invariance', o['invariance'], VICREG_DEFAULTS.invariance),
    variance: nonNegativeOrDefault(where, 'options.variance', o['variance'], VICREG_DEFAULTS.variance),
    covariance: nonNegativeOrDefault(where, 'options.covariance', o['covariance'], VICREG_DEFAULTS.covariance),
    epsilon: positiveOrDefault(where, 'options.epsilon', o['epsilon'], VICREG_DEFAULTS.epsilon),
    checkValues: booleanOrDefault(where, 'options.checkValues', o['checkValues'], true),
  };
}

function checkVicreg(where: string, z1: unknown, z2: unknown, options: unknown): VicregSpec {
  const spec = vicregOptions(where, options);
  const checkValues = spec.checkValues;
  checkEmbeddings(where, 'z1', z1, { minRows: 2, checkValues, values: 'features' });
  checkEmbeddings(where, 'z2', z2, { rows: z1.shape[0], dim: z1.shape[1], checkValues, values: 'features' });
  return spec;
}

function vicregParts(z1: Tensor2D, z2: Tensor2D, spec: VicregSpec): VicregTerms {
  const invariance = tf.mean(tf.square(tf.sub(z1, z2))) as Scalar;
  const c1 = centreColumns(z1);
  const c2 = centreColumns(z2);
  const variance = tf.div(tf.add(stdHinge(c1, spec.epsilon), stdHinge(c2, spec.epsilon)), 2) as Scalar;
  const covariance = tf.add(covariancePenalty(c1), covariancePenalty(c2)) as Scalar;
  const loss = tf.addN([tf.mul(invariance, spec.invariance), tf.mul(variance, spec.variance), tf.mul(covariance, spec.covariance)]) as Scalar;
  return { loss, invariance, variance, covariance };
}

/** v(Z) = mean_j relu(1 − sqrt(Var_j + ε)) for centred Z. */
function stdHinge(centred: Tensor2D, epsilon: number): Scalar {
  return tf.mean(tf.relu(tf.sub(1, tf.sqrt(tf.add(unbiasedColumnVariance(centred), epsilon)))));
}

/** c(Z) = Σ_{i≠j} Cov_ij² / D for centred Z, Cov = Z̄ᵀ Z̄ / (N − 1). */
function covariancePenalty(centred: Tensor2D): Scalar {
  const [n, d] = centred.shape;
  const cov = tf.div(crossProduct(centred, centred), n - 1) as Tensor2D;
  return tf.div(offDiagonalSquares(cov), d);
}
