/**
 * The supervised contrastive loss (Khosla et al. 2020, "Supervised Contrastive Learning",
 * eq. 2 L_out and eq. 3 L_in).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { ArgumentError, describeValue, assertKnownKeys } from '@contrastive/core';
import { l2NormalizeRows } from './normalize.js';
import { type BaseLossOptions, checkBaseOptions, type LossScale, oneOfOrDefault, scaleFactor } from './options.js';
import { checkEmbeddings, checkLabelTensor, checkLabels } from './validate.js';
import { viewContrast } from './view-contrast.js';

/** Where SupCon puts the average over positives (Khosla et al. 2020, Sec. 3.2.2). */
export type SupConVariant = 'out' | 'in';

/** Options of {@link supCon}. */
export interface SupConOptions extends BaseLossOptions {
  /** `'out'` (default): eq. 2, the paper's recommended L_out; `'in'`: eq. 3, L_in. */
  readonly variant?: SupConVariant;
  /**
   * A published scaling (default `'paper'`: no factor). `{ baseTemperature: 0.07 }`
   * reproduces the SupContrast code's `temperature / base_temperature` factor.
   */
  readonly scale?: LossScale;
}

/** Integer class labels, one per sample. */
export type Labels = Tensor1D | Int32Array | readonly number[];

/**
 * SupCon over V >= 1 views of a batch of N samples (Khosla et al. 2020, eq. 2 and eq. 3).
 *
 * The anchors are all M = V·N views in view-major order (`views[0]` rows, then `views[1]`, ...);
 * labels repeat per view. For anchor i, A(i) is every other view and P(i) the views in A(i)
 * with the anchor's label; with unit embeddings z and temperature τ,
 * - L_out (eq. 2): `ℓ_i = -1/|P(i)| Σ_{p∈P(i)} log( exp(z_i·z_p/τ) / Σ_{a∈A(i)} exp(z_i·z_a/τ) )`
 * - L_in (eq. 3): `ℓ_i = -log( 1/|P(i)| Σ_{p∈P(i)} exp(z_i·z_p/τ) / Σ_{a∈A(i)} exp(z_i·z_a/τ) )`
 *
 * and the loss is the mean of ℓ over the anchors with at least one positive. Anchors without
 * one are left out (never NaN); if no anchor has one, the loss is 0 with a zero gradient.
 * Without labels every sample is its own class, so with two views this is SimCLR's NT-Xent
 * (either variant). By Jensen's inequality L_in <= L_out, equal when every anchor has one
 * positive. No temperature factor is applied unless `scale` asks for one.
 *
 * Stable in float32 down to τ = 1e-4 for any finite norms; differentiable on every backend
 * (positives are masks, never a gather). Tidy.
 *
 * @param views - V embedding matrices `[N, D]` float32 (gradients flow to each)
 * @param labels - N integer labels (a Tensor1D, Int32Array or number[]), or `undefined` for none
 *   (then V >= 2 is required)
 * @param options - `temperature` (the paper uses 0.1), `variant`, `scale`, `checkValues`
 * @throws ArgumentError for an empty `views`, a bad option, non-integer labels, or a zero row;
 *   ShapeError for mismatched shapes or a wrong number of labels; NonFiniteError for NaN/±Infinity
 *
 * @example
 * ```ts
 * const loss = supCon([z1, z2], batch.labels, { temperature: 0.1 });          // L_out
 * const lin = supCon([z1, z2], batch.labels, { temperature: 0.1, variant: 'in' });
 * ```
 */
export function supCon(views: readonly Tensor2D[], labels: Labels | null | undefined, options: SupConOptions): Scalar {
  const where = 'supCon';
  assertKnownKeys(where, 'options', options, ['temperature', 'checkValues', 'variant', 'scale']);
  const { temperature, checkValues } = checkBaseOptions(where, options);
  const variant = oneOfOrDefault(where, 'options.variant', options.variant, ['out', 'in'] as const, 'out');
  const factor = scaleFactor(where, options.scale, temperature);
  if (!Array.isArray(views) || views.length === 0) {
    throw new ArgumentError(`${where}: argument 'views' must be a non-empty array of [N, D] tensors, received ${describeValue(views)}`, {
      argument: 'views',
      expected: 'a non-empty array of [N, D] tensors',
      received: views,
    });
  }
  const first: unknown = views[0];
  checkEmbeddings(where, 'views[0]', first, { checkValues });
  const [n, d] = first.shape;
  for (let i = 1; i < views.length; i++) checkEmbeddings(where, `views[${i}]`, views[i], { rows: n, dim: d, checkValues });
  let classes: Int32Array | Tensor1D | null = null;
  if (labels !== undefined && labels !== null) {
    // Without checkValues a labels tensor is checked by shape only and never read back.
    const onDevice = !checkValues && typeof labels === 'object' && 'dataId' in labels;
    classes = onDevice ? checkLabelTensor(where, 'labels', labels as Tensor1D, n) : checkLabels(where, 'labels', labels, n);
  } else if (views.length < 2) {
    throw new ArgumentError(
      `${where}: argument 'labels' must be given when there is a single view (without labels no anchor has a positive), received ${describeValue(labels)}`,
      { argument: 'labels', expected: 'N integer labels, or at least 2 views', received: labels },
    );
  }
  return tf.tidy(() =>
    viewContrast(l2NormalizeRows(views.length === 1 ? first : tf.concat(views as Tensor2D[], 0)), {
      views: views.length,
      positives: classes === null ? { kind: 'same-sample' } : { kind: 'labels', labels: classes },
      variant,
      temperature,
      factor,
    }),
  );
}
