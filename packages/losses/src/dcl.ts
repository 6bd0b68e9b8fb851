/**
 * Decoupled contrastive learning (Yeh et al. 2022, "Decoupled Contrastive Learning", ECCV,
 * eq. 6 and its weighted form DCLW with the negative von Mises–Fisher weighting, Sec. 4).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { unaryCustomGrad } from '@contrastive/nn';
import { l2NormalizeRows } from './normalize.js';
import { type BaseLossOptions, checkBaseOptions, knownOptions, positiveOrDefault } from './options.js';
import { checkEmbeddings } from './validate.js';
import { maskPenalty } from './view-contrast.js';

/** Options of {@link dcl}. */
export type DclOptions = BaseLossOptions;

/** Options of {@link dclw}. */
export interface DclwOptions extends BaseLossOptions {
  /** σ of the weighting `w_i = 2 − N·softmax_i(z1_i·z2_i / σ)`, > 0; default 0.5 (the paper's). */
  readonly sigma?: number;
}

/** The paper's σ for DCLW (Yeh et al. 2022, Sec. 4: σ = 0.5). */
export const DCLW_SIGMA = 0.5;

/**
 * DCL (Yeh et al. 2022, eq. 6): NT-Xent with the positive removed from the denominator. With the
 * 2N unit embeddings ordered `[z1 | z2]`, s_ik their cosine, p(i) the other view of sample i:
 *
 * `ℓ_i = −s_{i,p(i)}/τ + log Σ_{k ∉ {i, p(i)}} exp(s_ik/τ)`,  `L = 1/(2N) Σ_i ℓ_i`.
 *
 * So L <= NT-Xent on the same input (the denominator lacks the positive), L may be negative,
 * and identical embeddings give exactly log(2N − 2). Same conventions as {@link ntXent}
 * (normalised inside, view order, mean over the 2N anchors); N >= 2. Stable in float32 down to
 * τ = 1e-4 (log-sum-exp with the row maximum, masked entries pushed down by a finite penalty);
 * gradient written out, no gather. Tidy.
 *
 * @param z1 - embeddings of the first view, `[N, D]` float32, N >= 2
 * @param z2 - embeddings of the second view, `[N, D]`; row k is the positive of `z1` row k
 * @param options - `temperature` (required; the paper uses 0.1 on ImageNet), `checkValues`
 * @throws ShapeError for a non-matrix, mismatched shapes or N < 2; ArgumentError for an unknown
 *   or bad option or an all-zero row; NonFiniteError for NaN/±Infinity
 *
 * @example
 * ```ts
 * const loss = dcl(head(encoder(view1)), head(encoder(view2)), { temperature: 0.1 });
 * ```
 */
export function dcl(z1: Tensor2D, z2: Tensor2D, options: DclOptions): Scalar {
  const where = 'dcl';
  const { temperature, checkValues } = dclOptions(where, options, false);
  checkPair(where, z1, z2, checkValues);
  return tf.tidy(() => decoupled(l2NormalizeRows(tf.concat([z1, z2], 0)), temperature, null));
}

/**
 * DCLW (Yeh et al. 2022, Sec. 4): {@link dcl} with the positive term of sample i weighted by the
 * negative von Mises–Fisher weight
 *
 * `w_i = 2 − exp(z1_i·z2_i/σ) / mean_j exp(z1_j·z2_j/σ) = 2 − N·softmax_i(z1_i·z2_i/σ)`
 *
 * (unit embeddings; the same weight for both views of sample i; the weights average to 1), so
 * `ℓ_i = −w_i s_{i,p(i)}/τ + log Σ_{k ∉ {i, p(i)}} exp(s_ik/τ)`. Easy positives (high
 * similarity) get less weight. The weights are a **stop-gradient** (as in the lightly
 * implementation; the official repository's `2 − softmax` lacks the paper's factor N). When every
 * positive pair has the same similarity (e.g. identical views) every w_i = 1 and DCLW = DCL; as
 * σ → ∞ it tends to DCL.
 *
 * @param z1 - embeddings of the first view, `[N, D]` float32, N >= 2
 * @param z2 - embeddings of the second view, `[N, D]`
 * @param options - `temperature` (required), `sigma` (default 0.5), `checkValues`
 * @throws as {@link dcl}; ArgumentError for a bad `sigma`
 *
 * @example
 * ```ts
 * const loss = dclw(z1, z2, { temperature: 0.1, sigma: 0.5 });
 * ```
 */
export function dclw(z1: Tensor2D, z2: Tensor2D, options: DclwOptions): Scalar {
  const where = 'dclw';
  const { temperature, checkValues, sigma } = dclOptions(where, options, true);
  checkPair(where, z1, z2, checkValues);
  return tf.tidy(() => decoupled(l2NormalizeRows(tf.concat([z1, z2], 0)), temperature, sigma));
}

/**
 * Checks {@link DclOptions} or, when `weighted`, {@link DclwOptions} (unknown keys are errors);
 * `sigma` is null for DCL.
 */
export function dclOptions(where: string, options: unknown, weighted: boolean): { readonly temperature: number; readonly checkValues: boolean; readonly sigma: number | null } {
  const { temperature, checkValues } = checkBaseOptions(where, options);
  const o = knownOptions(where, options, weighted ? ['temperature', 'sigma', 'checkValues'] : ['temperature', 'checkValues']);
  return { temperature, checkValues, sigma: weighted ? positiveOrDefault(where, 'options.sigma', o['sigma'], DCLW_SIGMA) : null };
}

function checkPair(where: string, z1: unknown, z2: unknown, checkValues: boolean): asserts z1 is Tensor2D {
  checkEmbeddings(where, 'z1', z1, { minRows: 2, checkValues });
  checkEmbeddings(where, 'z2', z2, { rows: z1.shape[0], dim: z1.shape[1], checkValues });
}

/**
 * The loss over unit embeddings `u` `[2N, d]` (`[z1 | z2]`), with `sigma` null for DCL. With P
 * the softmax over each row's negatives and w the (stop-gradient) positive weights, the
 * gradient is `∂L/∂u = ((G + Gᵀ) u − 2 w ⊙ swap(u)) / (2Nτ)`, G = P, swap(u) = `[u2 | u1]`
 * (the positive of each row), since row i and its positive share the weight w_i.
 */
function decoupled(u: Tensor2D, temperature: number, sigma: number | null): Scalar {
  const m = u.shape[0];
  const n = m / 2;
  const d = u.shape[1];
  const invTau = 1 / temperature;
  const penalty = maskPenalty(temperature);
  const op = unaryCustomGrad((zu: Tensor2D, save) => {
    const u1 = tf.slice(zu, [0, 0], [n, d]);
    const u2 = tf.slice(zu, [n, 0], [n, d]);
    const cosine = tf.sum(tf.mul(u1, u2), 1, true); // [N, 1], z1_i·z2_i
    const positive = tf.mul(tf.concat([cosine, cosine], 0), invTau); // [2N, 1], s_{i,p(i)}/τ
    // weights: [2N, 1], 1 (DCL) or 2 − N·softmax(cos/σ) (DCLW), the same for both views
    const w = sigma === null ? tf.onesLike(positive) : tf.concat(Array.from({ length: 2 }, () => vonMisesFisherWeights(cosine, sigma)), 0);
    // logits: [2N, 2N], s/τ with self and positive (tile of I_N over the 2×2 blocks) pushed down
    const selfAndPositive = tf.tile(tf.eye(n), [2, 2]);
    const masked = tf.sub(tf.matMul(tf.mul(zu, invTau), tf.transpose(zu)), tf.mul(selfAndPositive, penalty));
    const rowMax = tf.max(masked, 1, true); // the largest negative logit
    const e = tf.exp(tf.sub(masked, rowMax)); // masked entries exactly 0
    const denom = tf.sum(e, 1, true); // >= 1
    // ℓ_i = log Σ_neg exp(s/τ) − w_i s_{i,p(i)}/τ
    const value = tf.mean(tf.sub(tf.add(tf.log(denom), rowMax), tf.mul(w, positive))) as Scalar;
    save([zu, e, denom, w]);
    return {
      value,
      gradFunc: (dy: Scalar, saved: Tensor[]) => {
        const [zs, es, den, ws] = saved as [Tensor2D, Tensor, Tensor, Tensor];
        const scale = tf.mul(dy, invTau / m);
        const g = tf.div(es, den); // [2N, 2N], P
        const swapped = tf.concat([tf.slice(zs, [n, 0], [n, d]), tf.slice(zs, [0, 0], [n, d])], 0);
        const softmaxPart = tf.add(tf.matMul(g, zs), tf.transpose(tf.matMul(tf.transpose(zs), g)));
        return tf.mul(tf.sub(softmaxPart, tf.mul(tf.mul(ws, 2), swapped)), scale);
      },
    };
  });
  return op(u);
}

/** `2 − N·softmax(cos/σ)` over the N samples, `[N, 1]` (softmax over the batch, along the last axis). */
function vonMisesFisherWeights(cosine: Tensor, sigma: number): Tensor {
  const n = cosine.shape[0] as number;
  const probability = tf.reshape(tf.softmax(tf.reshape(tf.div(cosine, sigma), [1, n])), [n, 1]);
  return tf.sub(2, tf.mul(probability, n));
}
