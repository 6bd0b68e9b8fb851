/**
 * InfoNCE with external negatives, as trained by MoCo (He et al. 2020, "Momentum Contrast for
 * Unsupervised Visual Representation Learning", eq. 1 and Algorithm 1; van den Oord et al. 2018
 * for InfoNCE), with an optional in-batch term (the other samples' keys, as in MoCo v3,
 * Chen et al. 2021) so a strategy can mix negative sources.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-core';
import { ArgumentError, describeValue, ShapeError, assertKnownKeys } from '@contrastive/core';
import { unaryCustomGrad } from '@contrastive/nn';
import { l2NormalizeRows } from './normalize.js';
import { type BaseLossOptions, booleanOrDefault, checkBaseOptions } from './options.js';
import { checkEmbeddings } from './validate.js';

/** Options of {@link infoNce}. */
export interface InfoNceOptions extends BaseLossOptions {
  /**
   * Also use the other samples' keys in the batch as negatives (query i against key j ≠ i).
   * Default: `true` when `negatives` is `null`, `false` otherwise (MoCo uses the queue only).
   */
  readonly inBatchNegatives?: boolean;
}

/**
 * InfoNCE of MoCo: for query q_i, positive key k_i and negatives n_1..n_K (queue or memory
 * bank rows), all L2-normalised inside,
 * `ℓ_i = -log( exp(q_i·k_i/τ) / (exp(q_i·k_i/τ) + Σ_j exp(q_i·n_j/τ)) )`, i.e. the
 * cross-entropy of the logits `[q·k₊ | q·Negᵀ] / τ` with target 0, averaged over the batch.
 * With `inBatchNegatives`, the keys k_j (j ≠ i) of the other samples join the denominator.
 * For a query, key and K negatives that are all identical the loss is exactly `log(K + 1)`.
 *
 * Keys and negatives are stop-gradient (MoCo's momentum encoder and queue): the gradient
 * flows to `query` only. Stable in float32 down to τ = 1e-4 for any finite norms;
 * differentiable on every backend (no gather). Tidy.
 *
 * @param query - online embeddings `[N, D]` float32
 * @param positiveKey - the positive key of each query `[N, D]` (stop-gradient)
 * @param negatives - external negatives `[K, D]`, K >= 1 (stop-gradient), or `null` for
 *   in-batch negatives only
 * @param options - `temperature` (MoCo v1 0.07, v2 0.2), `inBatchNegatives`, `checkValues`
 * @throws ShapeError for mismatched shapes or too few rows; ArgumentError for a bad option,
 *   no negatives at all, or an all-zero row; NonFiniteError for NaN/±Infinity
 *
 * @example
 * ```ts
 * const negatives = queue.read(state, { rng });              // [K, D] or null
 * const loss = infoNce(q, k, negatives, { temperature: 0.2 }); // MoCo v2
 * const mixed = infoNce(q, k, bankRows, { temperature: 0.2, inBatchNegatives: true });
 * ```
 */
export function infoNce(query: Tensor2D, positiveKey: Tensor2D, negatives: Tensor2D | null, options: InfoNceOptions): Scalar {
  const where = 'infoNce';
  assertKnownKeys(where, 'options', options, ['temperature', 'checkValues', 'inBatchNegatives']);
  const { temperature, checkValues } = checkBaseOptions(where, options);
  const hasExternal = negatives !== null && negatives !== undefined;
  const inBatch = booleanOrDefault(where, 'options.inBatchNegatives', options.inBatchNegatives, !hasExternal);
  checkEmbeddings(where, 'query', query, { checkValues });
  const [n, d] = query.shape;
  checkEmbeddings(where, 'positiveKey', positiveKey, { rows: n, dim: d, checkValues });
  if (hasExternal) {
    checkEmbeddings(where, 'negatives', negatives, { dim: d, checkValues });
  } else if (!inBatch) {
    throw new ArgumentError(
      `${where}: argument 'negatives' must be a [K, ${d}] tensor when options.inBatchNegatives is false (there would be no negative), received ${describeValue(negatives)}`,
      { argument: 'negatives', expected: `a [K, ${d}] tensor`, received: negatives },
    );
  }
  if (!hasExternal && n < 2) {
    throw new ShapeError(
      `${where}: argument 'query' must have at least 2 rows for in-batch negatives only, received shape [${query.shape.join(',')}]`,
      { argument: 'query', expected: 'at least 2 rows', received: query },
    );
  }
  return tf.tidy(() => queryContrast(l2NormalizeRows(query), positiveKey, hasExternal ? negatives : null, inBatch, temperature));
}

/**
 * The loss over unit queries `q` `[N, d]`, with its gradient written out:
 * with p the softmax over [positive | in-batch keys | negatives] of each row,
 * `dL/dq_i = 1/(Nτ) ( (p_i+ - 1) k_i + Σ_{j≠i} p_ij k_j + Σ_j p_ij n_j )`.
 * Keys and negatives are normalised inside the forward pass and never receive a gradient.
 */
function queryContrast(q: Tensor2D, keys: Tensor2D, negatives: Tensor2D | null, inBatch: boolean, temperature: number): Scalar {
  const n = q.shape[0];
  const invTau = 1 / temperature;
  // Masked logits sit this far below every real logit (which lie in [-1/τ, 1/τ]).
  const penalty = 4 / temperature + 400;
  const op = unaryCustomGrad((qu: Tensor2D, save) => {
    const qScaled = tf.mul(qu, invTau); // [N, d], q/τ
    const k = l2NormalizeRows(keys); // [N, d] unit keys (stop-gradient)
    const positive = tf.sum(tf.mul(qScaled, k), 1, true); // [N, 1], q_i·k_i/τ
    let rowMax = positive;
    const negativeUnit = negatives === null ? null : l2NormalizeRows(negatives); // [K, d] (stop-gradient)
    // external: [N, K], q_i·n_j/τ
    // (transposes of the thin operands: tfjs-wasm's matMul with a transpose flag is ~10x slower)
    const external = negativeUnit === null ? null : tf.matMul(qScaled, tf.transpose(negativeUnit));
    // batch: [N, N], q_i·k_j/τ with the diagonal (the positive, counted above) masked
    const batch = inBatch ? tf.add(tf.matMul(qScaled, tf.transpose(k)), tf.diag(tf.fill([n], -penalty))) : null;
    for (const t of [external, batch]) if (t !== null) rowMax = tf.maximum(rowMax, tf.max(t, 1, true));
    const expPositive = tf.exp(tf.sub(positive, rowMax)); // [N, 1]
    const expExternal = external === null ? null : tf.exp(tf.sub(external, rowMax));
    const expBatch = batch === null ? null : tf.exp(tf.sub(batch, rowMax)); // diagonal exactly 0
    let denom: Tensor = expPositive;
    if (expExternal !== null) denom = tf.add(denom, tf.sum(expExternal, 1, true));
    if (expBatch !== null) denom = tf.add(denom, tf.sum(expBatch, 1, true)); // [N, 1] >= 1
    // ℓ_i = log Σ exp(l - max) - (l_+ - max) >= 0
    const value = tf.mean(tf.sub(tf.log(denom), tf.sub(positive, rowMax)));
    save([k, expPositive, denom, ...(expExternal === null || negativeUnit === null ? [] : [expExternal, negativeUnit]), ...(expBatch === null ? [] : [expBatch])]);
    return {
      value: value as Scalar,
      gradFunc: (dy: Scalar, saved: Tensor[]) => {
        const [ks, ePos, den, ...rest] = saved as [Tensor2D, Tensor, Tensor, ...Tensor[]];
        const c = tf.div(tf.mul(dy, invTau / n), den); // [N, 1], dy/(Nτ) / denominator
        // positive: (p_+ - 1) k_i
        let dq = tf.mul(tf.sub(tf.mul(ePos, c), tf.mul(dy, invTau / n)), ks);
        let i = 0;
        if (expExternal !== null) {
          const eExt = rest[i++] as Tensor;
          const negs = rest[i++] as Tensor;
          dq = tf.add(dq, tf.matMul(tf.mul(eExt, c), negs));
        }
        if (expBatch !== null) dq = tf.add(dq, tf.matMul(tf.mul(rest[i] as Tensor, c), ks));
        return dq;
      },
    };
  });
  return op(q);
}
