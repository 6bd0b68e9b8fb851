/**
 * The composable unit of this package: an {@link Augmentation} draws per-sample parameters on
 * the CPU from an explicit {@link Rng} (cheap, a few numbers per image) and then applies them
 * to the whole batch with batched tensor ops (fast: this runs on every training step).
 *
 * Splitting `sample` from `applyParams` keeps randomness out of the tensor code (the same
 * parameters always give the same pixels), lets tests inspect the sampled parameters, and lets
 * {@link compose} draw all parameters of a pipeline before any tensor work.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, Rng, describeValue } from '@contrastive/core';
import { assertImages, geometryOf, type BatchGeometry } from './images.js';

/**
 * A random image transform on a batch `[B, H, W, C]` with values in [0, 1].
 *
 * Every method is tidy: the returned tensor is new and owned by the caller; the input is
 * never disposed.
 */
export interface Augmentation<P = unknown> {
  /** A short name for logs, e.g. `'randomResizedCrop'`. */
  readonly name: string;
  /** The channel count this transform requires (3 for colour transforms), or `undefined` for any. */
  readonly channels: number | undefined;
  /** The geometry of the output for an input of the given geometry. */
  outputGeometry(input: BatchGeometry): BatchGeometry;
  /** Draws the per-sample parameters for a batch of the given geometry (CPU only). */
  sample(rng: Rng, input: BatchGeometry): P;
  /** Applies given parameters (deterministic). Validates `images` and `params`. */
  applyParams(images: tf.Tensor4D, params: P): tf.Tensor4D;
  /** `applyParams(images, sample(rng, geometryOf(images)))`, with the input validated once. */
  apply(images: tf.Tensor4D, rng: Rng): tf.Tensor4D;
}

/** What a transform is made of; {@link defineAugmentation} adds validation around it. */
export interface AugmentationSpec<P> {
  readonly name: string;
  /** An internal tag that lets {@link compose} fuse neighbouring steps (crop + flip). */
  readonly kind?: string;
  readonly channels?: number;
  readonly output?: (input: BatchGeometry) => BatchGeometry;
  readonly sample: (rng: Rng, input: BatchGeometry) => P;
  /** Throws a typed error if `params` does not fit `input` (argument name `params`). */
  readonly check: (where: string, params: unknown, input: BatchGeometry) => asserts params is P;
  /** The tensor work, without any validation. Must return a new tensor (never `images`). */
  readonly run: (images: tf.Tensor4D, params: P) => tf.Tensor4D;
  /**
   * The same work followed by a per-sample horizontal flip, in one pass (crop: a flipped
   * sampling box). {@link compose} uses it when a flip directly follows this step.
   */
  readonly runFlipped?: (images: tf.Tensor4D, params: P, flips: readonly boolean[]) => tf.Tensor4D;
}

const specs = new WeakMap<object, AugmentationSpec<unknown>>();

/** The unvalidated internals of a transform made by {@link defineAugmentation}, if it is one. */
export function specOf(augmentation: Augmentation): AugmentationSpec<unknown> | undefined {
  return specs.get(augmentation);
}

/** Throws unless `rng` is an {@link Rng}. */
export function assertRng(where: string, name: string, rng: unknown): asserts rng is Rng {
  if (!(rng instanceof Rng)) {
    throw new ArgumentError(`${where}: argument '${name}' must be an Rng (Rng.fromSeed(seed)), received ${describeValue(rng)}`, {
      argument: name,
      expected: 'an Rng',
      received: rng,
    });
  }
}

/** Builds an {@link Augmentation} whose public methods validate their arguments by name. */
export function defineAugmentation<P>(spec: AugmentationSpec<P>): Augmentation<P> {
  const output = spec.output ?? ((g: BatchGeometry) => g);
  const augmentation: Augmentation<P> = {
    name: spec.name,
    channels: spec.channels,
    outputGeometry: (input) => output(input),
    sample: (rng, input) => {
      assertRng(`${spec.name}.sample`, 'rng', rng);
      return spec.sample(rng, input);
    },
    applyParams: (images, params) => {
      const where = `${spec.name}.applyParams`;
      assertImages(where, 'images', images, spec.channels);
      spec.check(where, params, geometryOf(images));
      return spec.run(images, params);
    },
    apply: (images, rng) => {
      const where = `${spec.name}.apply`;
      assertImages(where, 'images', images, spec.channels);
      assertRng(where, 'rng', rng);
      return spec.run(images, spec.sample(rng, geometryOf(images)));
    },
  };
  specs.set(augmentation, spec as AugmentationSpec<unknown>);
  return Object.freeze(augmentation);
}

/** Runs a transform without re-validating the input (for pipelines that validated it once). */
export function runUnchecked<P>(augmentation: Augmentation<P>, images: tf.Tensor4D, params: P): tf.Tensor4D {
  const spec = specs.get(augmentation);
  return spec === undefined ? augmentation.applyParams(images, params) : spec.run(images, params);
}
