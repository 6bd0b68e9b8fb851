/**
 * The computation NT-Xent and SupCon share: every one of the M = V·N views (view-major order)
 * is an anchor, contrasted with the other M - 1 views by a softmax over cosine / τ.
 *
 * The forward pass is a stable log-sum-exp (row maximum subtracted, the anchor itself masked
 * by a large finite penalty that makes its exponential exactly 0, never by -Infinity), and the
 * gradient is written out, so no operation on the differentiated path lacks a wasm kernel
 * (no gather: positives come from masks or from the view layout) and no masked entry can
 * turn a gradient into NaN.
 *
 * With P the softmax over the non-self entries of each anchor's row, Q the row of positive
 * weights (L_out: 1/|P(i)| on each positive; L_in: softmax over the positives only) and
 * w_i = 1/A for the A anchors that have a positive (0 otherwise), the loss is
 * `Σ_i w_i ℓ_i` and its gradient with respect to the unit embeddings z is
 * `G = diag(w)(P - Q)`, `dL/dz = (G + Gᵀ) z / τ`.
 *
 * External rows e (a labelled queue, SupCon only) add K columns to every row of P and Q but no
 * anchors; with G = [G_b | G_e], `dL/dz = ((G_b + G_bᵀ) z + G_e e) / τ`, and e gets no gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { unaryCustomGrad } from '@contrastive/nn';
import { l2NormalizeRows } from './normalize.js';

/**
 * Where each anchor's positives are.
 * - `same-sample`: the other views of the same sample (SimCLR; no labels). Computed from the
 *   view layout with O(V²·N·d) row products, without an M×M mask.
 * - `labels`: every other view whose sample has the same label (SupCon), from an M×M mask
 *   built on the device (a labels tensor is never read back to the host).
 */
export type PositiveLayout =
  | { readonly kind: 'same-sample' }
  | { readonly kind: 'labels'; readonly labels: Int32Array | Tensor1D };

/** What {@link viewContrast} needs besides the embeddings. */
export interface ViewContrastSpec {
  /** Number of views V (the M rows are V blocks of N). */
  readonly views: number;
  readonly positives: PositiveLayout;
  /** `'out'`: Khosla et al. eq. 2 (mean of log-probabilities); `'in'`: eq. 3 (log of mean probability). */
  readonly variant: 'out' | 'in';
  readonly temperature: number;
  /** Factor on the loss (a published scaling; 1 for the papers' equations). */
  readonly factor: number;
  /**
   * External rows (a queue or memory bank, K >= 1) that join every anchor's contrast set A(i),
   * but are no anchors themselves: `rows` `[K, d]` raw (normalised inside, stop-gradient), and
   * their labels (a row labelled like the anchor is a positive; a row labelled -1 never is), or
   * `null` for plain negatives. Requires `labels` positives.
   */
  readonly external?: ExternalRows;
}

/** Labelled (or unlabelled) rows from outside the batch; see {@link ViewContrastSpec.external}. */
export interface ExternalRows {
  readonly rows: Tensor2D;
  readonly labels: Int32Array | Tensor1D | null;
}

/** The label of an external row that has none yet (a labelled queue's initial rows): never a positive. */
export const NO_LABEL = -1;

/**
 * A penalty that pushes a masked logit below every unmasked one by more than the float32
 * exponential's range: logits lie in [-1/τ, 1/τ], so after subtracting a row maximum they
 * are >= -2/τ, and a masked entry ends below -2/τ - 400, where exp(...) is exactly 0.
 */
export function maskPenalty(temperature: number): number {
  return 4 / temperature + 400;
}

/**
 * The loss over unit embeddings `z` `[M, d]` (already L2-normalised, view-major). Gradients
 * flow to `z` only.
 */
export function viewContrast(z: Tensor2D, spec: ViewContrastSpec): Scalar {
  const m = z.shape[0];
  const v = spec.views;
  const n = m / v;
  const invTau = 1 / spec.temperature;
  const penalty = maskPenalty(spec.temperature);
  const external = spec.external ?? null;
  if (external !== null && spec.positives.kind !== 'labels') throw new Error('viewContrast: external rows need label positives');
  // Same-sample positives: every anchor's count is known on the host. Labels: on the device.
  const { anchorWeight, anchors } = spec.positives.kind === 'same-sample' ? sameSampleAnchors(v, n) : { anchorWeight: null, anchors: 0 };

  const op = unaryCustomGrad((zu: Tensor2D, save) => {
    // logits: [M, M], logits[i][j] = cos(z_i, z_j) / τ; the diagonal (self) gets the penalty.
    // Transposes are taken of the thin [M, d] operands: tfjs-wasm's matMul with a transpose flag
    // is about 10x slower than without (measured at M = 2048, d = 128).
    const logits = tf.matMul(tf.mul(zu, invTau), tf.transpose(zu));
    const selfPenalty = tf.diag(tf.fill([m], -penalty));
    const batchMasked = tf.add(logits, selfPenalty);
    tf.dispose([logits, selfPenalty]);
    // externalUnit: [K, d] unit external rows (stop-gradient: closed over, not an input)
    const externalUnit = external === null ? null : l2NormalizeRows(external.rows);
    // masked: [M, M + K] with the external logits z_i·e_k/τ after the batch's
    const masked = externalUnit === null ? batchMasked : tf.concat([batchMasked, tf.matMul(tf.mul(zu, invTau), tf.transpose(externalUnit))], 1);
    const rowMax = tf.max(masked, 1, true); // [M, 1], the largest non-self logit
    const shifted = tf.sub(masked, rowMax); // [M, M], <= 0; diagonal < -2/τ - 400
    masked.dispose();
    const expShifted = tf.exp(shifted); // [M, M], diagonal exactly 0
    const denom = tf.sum(expShifted, 1, true); // [M, 1], >= 1 (holds exp(0) of the max)
    const logDenom = tf.log(denom);

    // perAnchor: [M, 1], ℓ_i = log Σ_{j≠i} exp(s_ij - max_i) - (positive part, shifted the same way).
    let perAnchor: Tensor;
    let gradParts: Tensor[];
    let weight: Tensor; // [M, 1]: 1 for an anchor with a positive, else 0
    let scale: Tensor | number; // factor / A (0 when no anchor has a positive)
    if (spec.positives.kind === 'same-sample') {
      const r = sameSamplePositives(zu, rowMax, v, n, invTau, spec.variant);
      perAnchor = tf.add(tf.sub(logDenom, r.positivePart), spec.variant === 'in' ? Math.log(Math.max(v - 1, 1)) : 0);
      gradParts = r.saved;
      weight = anchorWeight as Tensor;
      scale = anchors === 0 ? 0 : spec.factor / anchors;
    } else {
      const r = labelPositives(spec.positives.labels, v, shifted, penalty, spec.variant, external?.labels ?? null);
      perAnchor = tf.sub(logDenom, r.positivePart);
      weight = r.anchorWeight;
      scale = tf.div(spec.factor, tf.maximum(tf.sum(weight), 1)); // A = 0: the total is 0 as well
      gradParts = [...r.saved, ...(externalUnit === null ? [] : [externalUnit]), scale];
    }
    shifted.dispose();
    const total = tf.sum(tf.mul(perAnchor, weight)); // Σ_i [i has a positive] ℓ_i
    const value = scale === 0 ? tf.zerosLike(total) : tf.mul(total, scale);
    save([zu, expShifted, denom, weight, ...gradParts]);
    return {
      value: value as Scalar,
      gradFunc: (dy: Scalar, saved: Tensor[]) => {
        const [zs, e, den, aw, ...parts] = saved as [Tensor2D, Tensor, Tensor, Tensor, ...Tensor[]];
        // c: dL/dℓ_i for an anchor with a positive (dy · factor / A); labels keep factor / A last.
        const c = tf.mul(dy, typeof scale === 'number' ? scale : (parts.at(-1) as Tensor));
        const w = tf.mul(aw, c); // [M, 1]
        // softmaxPart: [M, M], w_i · P_ij
        const softmaxPart = tf.mul(e, tf.div(w, den));
        let g: Tensor;
        let positiveTerm: Tensor | null = null;
        if (spec.positives.kind === 'same-sample') {
          g = softmaxPart;
          positiveTerm = sameSampleGradient(zs, parts, v, n, c, spec.variant);
        } else {
          // labels: Q is an [M, M] matrix (saved), scaled row-wise by w.
          const [q] = parts as [Tensor];
          g = tf.sub(softmaxPart, tf.mul(q, w));
          softmaxPart.dispose();
        }
        // external rows: G = [G_batch | G_ext], and only the batch block is symmetric in z.
        let externalTerm: Tensor | null = null;
        if (external !== null) {
          const unit = parts[1] as Tensor2D; // [K, d]
          const k = unit.shape[0];
          externalTerm = tf.matMul(tf.slice(g, [0, m], [m, k]), unit);
          g = tf.slice(g, [0, 0], [m, m]);
        }
        // (G + Gᵀ) z as G z + (zᵀ G)ᵀ: no [M, M] transpose, no transpose flag on an [M, M] operand.
        let dz = tf.add(tf.matMul(g, zs), tf.transpose(tf.matMul(tf.transpose(zs), g)));
        if (externalTerm !== null) dz = tf.add(dz, externalTerm);
        if (positiveTerm !== null) dz = tf.sub(dz, positiveTerm);
        return tf.mul(dz, invTau);
      },
    };
  });
  return op(z);
}

/** Same-sample positives: every anchor has V - 1 of them (none with one view). */
function sameSampleAnchors(v: number, n: number): { anchorWeight: Tensor; anchors: number } {
  const m = v * n;
  const has = v > 1 ? 1 : 0;
  return { anchorWeight: tf.fill([m, 1], has), anchors: has * m };
}

/**
 * Positives from the view layout: the positives of view v of sample k are views u ≠ v of
 * sample k. Returns the positive part of ℓ (shifted by the row maximum) and what the gradient
 * needs (L_in: the softmax over positives, per ordered view pair).
 */
function sameSamplePositives(
  z: Tensor2D,
  rowMax: Tensor,
  v: number,
  n: number,
  invTau: number,
  variant: 'out' | 'in',
): { positivePart: Tensor; saved: Tensor[] } {
  const d = z.shape[1];
  const blocks = Array.from({ length: v }, (_, i) => tf.slice(z, [i * n, 0], [n, d]));
  const maxBlocks = Array.from({ length: v }, (_, i) => tf.slice(rowMax, [i * n, 0], [n, 1]));
  // pair[a][b]: [N, 1], cos(z_a,k, z_b,k)/τ - max_(a,k): the shifted logit of positive (a→b).
  const pair: Tensor[][] = blocks.map((za, a) =>
    blocks.map((zb, b) => (a === b ? tf.zeros([n, 1]) : tf.sub(tf.mul(tf.sum(tf.mul(za, zb), 1, true), invTau), maxBlocks[a] as Tensor))),
  );
  const parts: Tensor[] = [];
  const saved: Tensor[] = [];
  for (let a = 0; a < v; a++) {
    const others = (pair[a] as Tensor[]).filter((_, b) => b !== a);
    if (others.length === 0) {
      parts.push(tf.zeros([n, 1]));
      continue;
    }
    if (variant === 'out') {
      parts.push(tf.div(tf.addN(others), others.length)); // mean over positives of the shifted logit
    } else {
      // log-sum-exp over the V-1 positives, with its own maximum.
      const top = others.reduce((acc, t) => tf.maximum(acc, t));
      const exps = others.map((t) => tf.exp(tf.sub(t, top)));
      const sum = tf.addN(exps);
      parts.push(tf.add(top, tf.log(sum)));
      for (const e of exps) saved.push(tf.div(e, sum)); // Q for (a → b), b ≠ a, in order
    }
  }
  return { positivePart: tf.concat(parts, 0), saved };
}

/**
 * The positive terms of the gradient, `(Q + Qᵀ) z` scaled by c (every anchor has a positive
 * here, so w_i = c for all i), built from the view blocks.
 */
function sameSampleGradient(z: Tensor2D, savedQ: Tensor[], v: number, n: number, c: Tensor, variant: 'out' | 'in'): Tensor {
  if (v < 2) return tf.zerosLike(z);
  const d = z.shape[1];
  const blocks = Array.from({ length: v }, (_, i) => tf.slice(z, [i * n, 0], [n, d]));
  if (variant === 'out') {
    // Q_ij = 1/(V-1) on each positive and Q is symmetric: (Q + Qᵀ) z = 2 (T - z) / (V-1), T the sum over views.
    const total = tf.addN(blocks);
    const tiled = tf.concat(Array.from({ length: v }, () => total), 0);
    return tf.mul(tf.sub(tiled, z), tf.mul(c, 2 / (v - 1)));
  }
  // q[a][b]: [N, 1] softmax weight of positive (a → b) among a's positives.
  const q: (Tensor | null)[][] = Array.from({ length: v }, () => Array.from({ length: v }, () => null));
  let k = 0;
  for (let a = 0; a < v; a++) for (let b = 0; b < v; b++) if (a !== b) (q[a] as (Tensor | null)[])[b] = savedQ[k++] as Tensor;
  const rows: Tensor[] = [];
  for (let a = 0; a < v; a++) {
    const terms: Tensor[] = [];
    for (let b = 0; b < v; b++) {
      if (a === b) continue;
      // row side Q_(a→b) z_b, column side Q_(b→a) z_b
      const weight = tf.add(q[a]?.[b] as Tensor, q[b]?.[a] as Tensor);
      terms.push(tf.mul(weight, blocks[b] as Tensor));
    }
    rows.push(tf.addN(terms));
  }
  return tf.mul(tf.concat(rows, 0), c);
}

/**
 * Positives from labels: an [M, M] mask of same-label pairs without the diagonal, built on the
 * device, followed by an [M, K] mask of the external rows with the anchor's label (none
 * labelled {@link NO_LABEL}; all zeros for unlabelled external rows) when `shifted` has K more
 * columns. Returns the positive part of ℓ, which anchors have a positive, and Q (the positive
 * weights per row) for the gradient.
 */
function labelPositives(
  labels: Int32Array | Tensor1D,
  v: number,
  shifted: Tensor,
  penalty: number,
  variant: 'out' | 'in',
  externalLabels: Int32Array | Tensor1D | null,
): { positivePart: Tensor; anchorWeight: Tensor; saved: Tensor[] } {
  const m = shifted.shape[0] as number;
  const k = (shifted.shape[1] as number) - m;
  const perSample = labels instanceof Int32Array ? tf.tensor1d(labels, 'int32') : labels;
  const ids = v === 1 ? perSample : tf.concat(Array.from({ length: v }, () => perSample)); // [M], view-major
  const sameLabel = tf.cast(tf.equal(tf.reshape(ids, [m, 1]), tf.reshape(ids, [1, m])), 'float32');
  const eye = tf.diag(tf.ones([m]));
  const batchPositive = tf.sub(sameLabel, eye); // [M, M] 1 on same-label pairs j ≠ i
  tf.dispose([sameLabel, eye]);
  // positive: [M, M + K], the batch's mask then the external rows'
  const positive = k === 0 ? batchPositive : tf.concat([batchPositive, externalPositives(ids, externalLabels, m, k)], 1);
  const positives = tf.sum(positive, 1, true); // [M, 1] |P(i)|
  const anchorWeight = tf.cast(tf.greater(positives, 0), 'float32');
  const count = tf.maximum(positives, 1);
  if (variant === 'out') {
    // mean over positives of the shifted logit (the diagonal's penalty is multiplied by 0).
    const part = tf.div(tf.sum(tf.mul(positive, shifted), 1, true), count);
    return { positivePart: part, anchorWeight, saved: [tf.div(positive, count)] };
  }
  // L_in: log-sum-exp over positives only; non-positives sit a full penalty lower.
  const onPositives = tf.add(shifted, tf.mul(tf.sub(positive, 1), penalty));
  const top = tf.max(onPositives, 1, true);
  const exps = tf.exp(tf.sub(onPositives, top));
  onPositives.dispose();
  const sum = tf.sum(exps, 1, true); // >= 1
  const part = tf.sub(tf.add(top, tf.log(sum)), tf.log(count));
  return { positivePart: part, anchorWeight, saved: [tf.div(exps, sum)] };
}

/** [M, K]: 1 where external row k carries anchor i's label (never for {@link NO_LABEL}). */
function externalPositives(ids: Tensor, externalLabels: Int32Array | Tensor1D | null, m: number, k: number): Tensor {
  if (externalLabels === null) return tf.zeros([m, k]);
  // both sides as int32 (a float32 labels tensor holds integers)
  const ext = externalLabels instanceof Int32Array ? tf.tensor1d(externalLabels, 'int32') : tf.cast(externalLabels, 'int32');
  const same = tf.logicalAnd(tf.equal(tf.reshape(tf.cast(ids, 'int32'), [m, 1]), tf.reshape(ext, [1, k])), tf.reshape(tf.notEqual(ext, NO_LABEL), [1, k]));
  return tf.cast(same, 'float32');
}
