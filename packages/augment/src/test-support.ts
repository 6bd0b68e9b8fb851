/**
 * Helpers shared by this package's tests (not part of the public API): random image batches
 * drawn from an {@link Rng}, conversion to the plain arrays of `reference.ts`, and comparisons.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@contrastive/core';
import type { RefImages } from './reference.js';

/**
 * A random batch in [0, 1]. With `levels`, values are multiples of 1 / (levels - 1), which
 * makes ties between channels (gray pixels, equal maxima) common, as in 8-bit images.
 */
export function randomImages(seed: number, shape: readonly [number, number, number, number], levels?: number): tf.Tensor4D {
  const rng = Rng.fromSeed(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const values = rng.uniformArray(n);
  if (levels !== undefined) for (let i = 0; i < n; i++) values[i] = Math.round((values[i] as number) * (levels - 1)) / (levels - 1);
  return tf.tensor4d(values, [...shape] as [number, number, number, number]);
}

/** A tensor's values as a {@link RefImages}. */
export function toRef(t: tf.Tensor4D): RefImages {
  return { shape: t.shape, data: Float64Array.from(t.dataSync()) };
}

/** Largest absolute difference between a tensor and reference values (shapes must match). */
export function maxAbsDiff(t: tf.Tensor, ref: RefImages): number {
  expectShape(t, ref.shape);
  const a = t.dataSync();
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (ref.data[i] as number)));
  return worst;
}

function expectShape(t: tf.Tensor, shape: readonly number[]): void {
  if (t.shape.join(',') !== shape.join(',')) throw new Error(`shape [${t.shape.join(',')}] differs from [${shape.join(',')}]`);
}

/** The values of a tensor as a plain array (for exact equality checks). */
export function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

/** Runs `f`, disposes what it returns, and returns how many tensors were left behind. */
export function leakedBy(f: () => tf.Tensor | tf.Tensor[]): number {
  const before = tf.memory().numTensors;
  tf.dispose(f());
  return tf.memory().numTensors - before;
}

/** Minimum and maximum of a tensor. */
export function range(t: tf.Tensor): [number, number] {
  const v = t.dataSync();
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  return [lo, hi];
}
