import { assertKnownKeys } from '@contrastive/core';
/**
 * NT-Xent, the normalised temperature-scaled cross-entropy of SimCLR (Chen et al. 2020,
 * "A Simple Framework for Contrastive Learning of Visual Representations", eq. 1 and
 * Algorithm 1).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { l2NormalizeRows } from './normalize.js';
import { type BaseLossOptions, checkBaseOptions, type LossScale, scaleFactor } from './options.js';
import { checkEmbeddings } from './validate.js';
import { viewContrast } from './view-contrast.js';

/** Options of {@link ntXent}. */
export interface NtXentOptions extends BaseLossOptions {
  /** A published scaling of the loss (default `'paper'`: the mean over the 2N anchors). */
  readonly scale?: LossScale;
}

/**
 * NT-Xent over a batch of N samples seen in two views (SimCLR eq. 1, Algorithm 1).
 *
 * The 2N views are ordered `[z1 (all N) | z2 (all N)]`; view k's positive is the other view of
 * the same sample, the other 2N - 2 views are its negatives. With `s` the cosine similarity
 * (embeddings are L2-normalised inside) and τ the temperature,
 * `ℓ(i, j) = -log( exp(s_ij/τ) / Σ_{k≠i} exp(s_ik/τ) )`, and the loss is the mean of ℓ over
 * all 2N anchors, `L = 1/(2N) Σ_k [ℓ(2k-1, 2k) + ℓ(2k, 2k-1)]`. For identical embeddings it is
 * exactly `log(2N - 1)`.
 *
 * Stable in float32 down to τ = 1e-4 and for any finite embedding norm (log-sum-exp with the
 * row maximum subtracted, the anchor masked without -Infinity); differentiable on every
 * backend including wasm (no gather on the gradient path). Tidy: only the result survives.
 *
 * @param z1 - embeddings of the first view, `[N, D]` float32, N >= 2
 * @param z2 - embeddings of the second view, `[N, D]`; row k is the positive of `z1` row k
 * @param options - `temperature` (SimCLR uses 0.5 at batch 256, 0.1 at 4096), `scale`, `checkValues`
 * @returns the scalar loss
 * @throws ShapeError for a non-matrix, mismatched shapes or N < 2; ArgumentError for a bad
 *   temperature or an all-zero row; NonFiniteError for NaN/±Infinity embeddings
 *
 * @example
 * ```ts
 * const loss = ntXent(head(encoder(view1)), head(encoder(view2)), { temperature: 0.5 });
 * ```
 */
export function ntXent(z1: Tensor2D, z2: Tensor2D, options: NtXentOptions): Scalar {
  const where = 'ntXent';
  assertKnownKeys(where, 'options', options, ['temperature', 'checkValues', 'scale']);
  const { temperature, checkValues } = checkBaseOptions(where, options);
  const factor = scaleFactor(where, options.scale, temperature);
  checkEmbeddings(where, 'z1', z1, { minRows: 2, checkValues });
  checkEmbeddings(where, 'z2', z2, { rows: z1.shape[0], dim: z1.shape[1], checkValues });
  return tf.tidy(() =>
    viewContrast(l2NormalizeRows(tf.concat([z1, z2], 0)), {
      views: 2,
      positives: { kind: 'same-sample' },
      variant: 'out',
      temperature,
      factor,
    }),
  );
}
