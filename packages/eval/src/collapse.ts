/**
 * Collapse monitors of a representation (a batch of embeddings `[N, D]`):
 *
 * - {@link embeddingStd}: the standard deviation of the L2-normalised embeddings per dimension,
 *   averaged over dimensions (SimSiam, Chen & He 2021, Sec. 4.1 and Fig. 2). It goes to 0 when
 *   every input maps to the same point (complete collapse) and is near 1/√D for embeddings
 *   spread isotropically over the unit sphere.
 * - {@link effectiveRank}: RankMe (Garrido et al. 2023, "RankMe: Assessing the Downstream
 *   Performance of Pretrained Self-Supervised Representations by Their Rank", eq. 1), the
 *   exponential of the entropy of the normalised singular values,
 *   `exp(−Σ_k p_k log p_k)` with `p_k = σ_k / ‖σ‖₁ + ε`: 1 for a rank-one (collapsed)
 *   representation, up to min(N, D) when every direction carries the same energy (dimensional
 *   collapse lowers it).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { l2Normalize } from '@contrastive/nn';
import { checkFeatures } from './validate.js';

/** RankMe's ε (Garrido et al. 2023, eq. 1: "a small constant" of 1e-7 in their code's float32). */
const RANKME_EPSILON = 1e-7;

/**
 * Mean over the D dimensions of the (population) std over the N rows of the L2-normalised
 * embeddings. Tidy; reads one number back.
 *
 * @param z - embeddings `[N, D]`, finite, N >= 1
 * @returns a number in [0, 1]: 0 for a collapsed representation, about 1/√D for a healthy one
 * @throws ShapeError / ArgumentError / NonFiniteError naming `z`
 *
 * @example
 * ```ts
 * const std = embeddingStd(features);   // SimSiam without stop-gradient: -> 0
 * ```
 */
export function embeddingStd(z: Tensor2D): number {
  checkFeatures('embeddingStd', 'z', z);
  return tf.tidy(() => {
    const { variance } = tf.moments(l2Normalize(z), 0);
    return tf.mean(tf.sqrt(variance)).dataSync()[0] as number;
  });
}

/**
 * RankMe (Garrido et al. 2023, eq. 1) of `z`: the singular values are the square roots of the
 * eigenvalues of the smaller Gram matrix (ZᵀZ or ZZᵀ), computed on the host in double
 * precision with the cyclic Jacobi method (O(min(N, D)³) per sweep: fine for D up to a few
 * hundred). Reads `z` back once; creates no tensor.
 *
 * @param z - embeddings `[N, D]`, finite, N >= 1 (not centred, not normalised: as in RankMe)
 * @returns a number in [1, min(N, D)] (0 for an all-zero `z`)
 * @throws ShapeError / ArgumentError / NonFiniteError naming `z`
 *
 * @example
 * ```ts
 * const rank = effectiveRank(features);   // 1 when collapsed, up to min(N, D)
 * ```
 */
export function effectiveRank(z: Tensor2D): number {
  checkFeatures('effectiveRank', 'z', z);
  const [n, d] = z.shape;
  const m = Math.min(n, d);
  const singular = symmetricEigenvalues(gramMatrix(z.dataSync(), n, d), m).map((l) => Math.sqrt(Math.max(l, 0)));
  const total = singular.reduce((a, s) => a + s, 0);
  if (total === 0) return 0;
  let entropy = 0;
  for (const s of singular) {
    const p = s / total + RANKME_EPSILON;
    entropy -= p * Math.log(p);
  }
  return Math.exp(entropy);
}

/**
 * The smaller Gram matrix of row-major `x` `[n, d]` in double precision: XᵀX (`d x d`) when
 * d <= n, else XXᵀ (`n x n`). Computed on the host: float32 rounding in the Gram matrix would
 * become noise of about 3e-4 σ_max in the square-rooted singular values.
 */
function gramMatrix(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const byColumns = d <= n;
  const m = byColumns ? d : n;
  const out = new Float64Array(m * m);
  if (byColumns) {
    for (let r = 0; r < n; r++) {
      const o = r * d;
      for (let i = 0; i < d; i++) {
        const xi = x[o + i] as number;
        if (xi === 0) continue;
        for (let j = i; j < d; j++) out[i * m + j] += xi * (x[o + j] as number);
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += (x[i * d + k] as number) * (x[j * d + k] as number);
        out[i * m + j] = s;
      }
    }
  }
  for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) out[i * m + j] = out[j * m + i] as number;
  return out;
}

/**
 * Eigenvalues of a symmetric `m x m` matrix (row-major, overwritten) by cyclic Jacobi
 * rotations until the off-diagonal mass is negligible.
 */
export function symmetricEigenvalues(a: Float64Array, m: number): number[] {
  const at = (i: number, j: number): number => a[i * m + j] as number;
  const scale = Math.max(1e-300, ...Array.from({ length: m }, (_, i) => Math.abs(at(i, i))));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) off += at(i, j) * at(i, j);
    if (Math.sqrt(off) <= 1e-14 * scale * m) break;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = at(p, q);
        if (apq === 0) continue;
        const theta = (at(q, q) - at(p, p)) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < m; k++) {
          const akp = at(k, p);
          const akq = at(k, q);
          a[k * m + p] = c * akp - s * akq;
          a[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = at(p, k);
          const aqk = at(q, k);
          a[p * m + k] = c * apk - s * aqk;
          a[q * m + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: m }, (_, i) => at(i, i));
}
