/**
 * Multi-view generation: the {@link ViewAugmenter} of the strategies (SimCLR §2.1: "two
 * separate data augmentation operators are sampled from the same family of augmentations and
 * applied to each data example to obtain two correlated views").
 *
 * View v is drawn from its own child stream `rng.split()` (taken in view order), so the
 * parameters of one view do not depend on how many numbers another view's pipeline draws; the
 * same rng state always gives the same views.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng, ViewAugmenter } from '@contrastive/core';
import { assertRng, specOf, type Augmentation } from './augmentation.js';
import { assertSteps, runSteps } from './compose.js';
import { assertImageBatch, assertUnitRange, geometryOf, type BatchGeometry } from './images.js';
import { assertPerSample, fail, optionsRecord, rejectUnknownKeys } from './params.js';

/** A {@link ViewAugmenter} made of one augmentation per view. */
export interface MultiViewAugmenter extends ViewAugmenter {
  /** The augmentation of each view (length `numViews`). */
  readonly views: readonly Augmentation[];
  /** Draws the parameters of every view (what `apply` draws from the same rng state). */
  sample(rng: Rng, input: BatchGeometry): unknown[];
  /** Applies given parameters (one entry per view); deterministic. */
  applyParams(images: tf.Tensor4D, params: readonly unknown[]): tf.Tensor4D[];
}

/** Options of {@link multiView}. */
export interface MultiViewOptions {
  /** Name for logs and configs, e.g. `'simclr'`. */
  readonly name: string;
  /** One augmentation per view (at least one). */
  readonly views: readonly Augmentation[];
  /**
   * Check that the input values lie in [0, 1] on every call (one small read-back); default
   * true. Rank, dtype and channels are always checked.
   */
  readonly checkValues?: boolean;
}

/**
 * Builds a {@link ViewAugmenter} that returns one tensor per view from one call.
 *
 * @example
 * ```ts
 * const two = multiView({ name: 'mine', views: [viewA, viewB] });
 * const [v1, v2] = two.apply(images, rng);
 * ```
 */
export function multiView(options: MultiViewOptions): MultiViewAugmenter {
  const where = 'multiView';
  const record = optionsRecord(where, options);
  rejectUnknownKeys(where, record, ['name', 'views', 'checkValues']);
  const name = record['name'];
  if (typeof name !== 'string' || name.length === 0) fail(where, 'options.name', 'a non-empty string', name);
  assertSteps(where, 'options.views', record['views']);
  const views = [...(record['views'] as readonly Augmentation[])];
  if (views.length === 0) fail(where, 'options.views', 'at least one augmentation', views);
  const checkValues = record['checkValues'] ?? true;
  if (typeof checkValues !== 'boolean') fail(where, 'options.checkValues', 'a boolean', checkValues);
  const channels = views.reduce<number | undefined>((c, v) => c ?? v.channels, undefined);

  const validate: (w: string, images: unknown) => asserts images is tf.Tensor4D = (w, images) => {
    assertImageBatch(w, 'images', images, channels);
    if (checkValues) assertUnitRange(w, 'images', images);
  };
  const sample = (rng: Rng, input: BatchGeometry): unknown[] => views.map((v) => v.sample(rng.split(), input));
  const run = (images: tf.Tensor4D, params: readonly unknown[]): tf.Tensor4D[] =>
    tf.tidy(() => views.map((v, i) => runSteps([v], images, [params[i]])));

  return Object.freeze({
    name,
    numViews: views.length,
    views,
    sample: (rng: Rng, input: BatchGeometry) => {
      assertRng(`${name}.sample`, 'rng', rng);
      return sample(rng, input);
    },
    applyParams: (images: tf.Tensor4D, params: readonly unknown[]) => {
      const w = `${name}.applyParams`;
      validate(w, images);
      assertPerSample(w, 'params', params, views.length);
      const g = geometryOf(images);
      views.forEach((v, i) => specOf(v)?.check(w, params[i], g));
      return run(images, params);
    },
    apply: (images: tf.Tensor4D, rng: Rng) => {
      const w = `${name}.apply`;
      validate(w, images);
      assertRng(w, 'rng', rng);
      return run(images, sample(rng, geometryOf(images)));
    },
  });
}
