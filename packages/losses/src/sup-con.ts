/**
 * The supervised contrastive loss (Khosla et al. 2020, "Supervised Contrastive Learning",
 * eq. 2 L_out and eq. 3 L_in).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { ArgumentError, describeValue } from '@contrastive/core';
import { l2NormalizeRows } from './normalize.js';
import { type BaseLossOptions, checkBaseOptions, knownOptions, type LossScale, oneOfOrDefault, scaleFactor } from './options.js';
import { checkEmbeddings, checkLabelTensor, checkLabels } from './validate.js';
import { type ExternalRows, type PositiveLayout, viewContrast } from './view-contrast.js';

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
  /**
   * External rows `[K, D]` (a queue or memory bank; stop-gradient, L2-normalised inside) added
   * to every anchor's contrast set A(i); they are no anchors. `null`/absent: none. K = 0 (an
   * empty queue) is the same as none.
   */
  readonly negatives?: Tensor2D | null;
  /**
   * The class of each `negatives` row (K integers, as `labels`): a row with the anchor's label
   * is one of its positives too (MoCo-style supervised contrast); a row labelled -1 (a labelled
   * queue's "no label yet") never is. Absent: the rows are plain negatives. Needs `labels`.
   */
  readonly negativeLabels?: Labels | null;
}

/** Integer class labels, one per sample. */
export type Labels = Tensor1D | Int32Array | readonly number[];

const KNOWN = ['temperature', 'variant', 'scale', 'checkValues', 'negatives', 'negativeLabels'] as const;

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
 * **External rows** (`negatives`, a queue of K rows, with `negativeLabels`): they join every
 * A(i), and those with the anchor's label join P(i); they are not anchors and receive no
 * gradient. With an empty queue this is plain SupCon; with a queue whose labels match no anchor
 * (or without `negativeLabels`) the rows are plain negatives.
 *
 * Stable in float32 down to τ = 1e-4 for any finite norms; differentiable on every backend
 * (positives are masks, never a gather). Tidy.
 *
 * @param views - V embedding matrices `[N, D]` float32 (gradients flow to each)
 * @param labels - N integer labels (a Tensor1D, Int32Array or number[]), or `undefined` for none
 *   (then V >= 2 is required, and `negativeLabels` is not allowed)
 * @param options - `temperature` (the paper uses 0.1), `variant`, `scale`, `checkValues`,
 *   `negatives` and `negativeLabels`; any other key is an error
 * @throws ArgumentError for an empty `views`, an unknown or bad option, non-integer labels, or a
 *   zero row; ShapeError for mismatched shapes or a wrong number of labels; NonFiniteError for
 *   NaN/±Infinity
 *
 * @example
 * ```ts
 * const loss = supCon([z1, z2], batch.labels, { temperature: 0.1 });          // L_out
 * const lin = supCon([z1, z2], batch.labels, { temperature: 0.1, variant: 'in' });
 * // against a labelled queue: same-class queue rows are positives too
 * const queued = supCon([z1, z2], batch.labels, { temperature: 0.1, negatives: rows, negativeLabels: rowLabels });
 * ```
 */
export function supCon(views: readonly Tensor2D[], labels: Labels | null | undefined, options: SupConOptions): Scalar {
  const where = 'supCon';
  knownOptions(where, options, KNOWN);
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
    classes = readLabels(where, 'labels', labels, n, checkValues);
  } else if (views.length < 2) {
    throw new ArgumentError(
      `${where}: argument 'labels' must be given when there is a single view (without labels no anchor has a positive), received ${describeValue(labels)}`,
      { argument: 'labels', expected: 'N integer labels, or at least 2 views', received: labels },
    );
  }
  const external = readExternal(where, options, d, labels, checkValues);
  // External rows need label masks: without labels every sample is its own class.
  const positives: PositiveLayout =
    classes !== null ? { kind: 'labels', labels: classes } : external !== null ? { kind: 'labels', labels: Int32Array.from({ length: n }, (_, i) => i) } : { kind: 'same-sample' };
  return tf.tidy(() =>
    viewContrast(l2NormalizeRows(views.length === 1 ? first : tf.concat(views as Tensor2D[], 0)), {
      views: views.length,
      positives,
      variant,
      temperature,
      factor,
      ...(external === null ? {} : { external }),
    }),
  );
}

/** Labels as the checks allow: without checkValues a labels tensor is checked by shape only and never read back. */
function readLabels(where: string, name: string, labels: Labels, n: number, checkValues: boolean): Int32Array | Tensor1D {
  const onDevice = !checkValues && typeof labels === 'object' && 'dataId' in labels;
  return onDevice ? checkLabelTensor(where, name, labels as Tensor1D, n) : checkLabels(where, name, labels, n);
}

/** `options.negatives` and `options.negativeLabels`, checked; `null` when there are no external rows (none, or K = 0). */
function readExternal(where: string, options: SupConOptions, d: number, labels: unknown, checkValues: boolean): ExternalRows | null {
  const { negatives, negativeLabels } = options;
  const hasNegatives = negatives !== undefined && negatives !== null;
  const hasNegativeLabels = negativeLabels !== undefined && negativeLabels !== null;
  if (hasNegativeLabels && !hasNegatives) {
    throw new ArgumentError(`${where}: argument 'options.negativeLabels' needs options.negatives (the rows they label), received ${describeValue(negativeLabels)}`, {
      argument: 'options.negativeLabels',
      expected: 'undefined when options.negatives is absent',
      received: negativeLabels,
    });
  }
  if (!hasNegatives) return null;
  checkEmbeddings(where, 'options.negatives', negatives, { dim: d, minRows: 0, checkValues });
  const k = negatives.shape[0];
  if (hasNegativeLabels && (labels === undefined || labels === null)) {
    throw new ArgumentError(`${where}: argument 'labels' must be given with options.negativeLabels (a queue row is a positive when it has the anchor's label), received ${describeValue(labels)}`, {
      argument: 'labels',
      expected: 'N integer labels',
      received: labels,
    });
  }
  const rowLabels = hasNegativeLabels ? readLabels(where, 'options.negativeLabels', negativeLabels, k, checkValues) : null;
  return k === 0 ? null : { rows: negatives, labels: rowLabels };
}
