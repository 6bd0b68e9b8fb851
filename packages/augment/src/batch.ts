/**
 * Batch-axis helpers built from fast engine kernels. On the wasm engine `tf.gather` along the
 * batch axis costs about ten elementwise ops and broadcasting comparisons are slower still, so
 * these use `tf.image.cropAndResize` with whole-image boxes and nearest sampling (every sample
 * position is an integer pixel: an exact copy) and arithmetic blends.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * `out[i] = images[indices[i]]` along the batch axis (an exact copy), optionally mirrored
 * left-right where `flips[i]` is true.
 */
export function gatherBatch(images: tf.Tensor4D, indices: readonly number[], flips?: readonly boolean[]): tf.Tensor4D {
  const [, height, width] = images.shape;
  const n = indices.length;
  const coords = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) coords.set(flips?.[i] === true ? [0, 1, 1, 0] : [0, 0, 1, 1], 4 * i);
  return tf.tidy(() =>
    tf.image.cropAndResize(
      images,
      tf.tensor2d(coords, [n, 4]),
      tf.tensor1d(Int32Array.from(indices), 'int32'),
      [height, width],
      'nearest',
    ),
  );
}

/** `where(flags[b], a[b], b[b])` per sample, as an exact arithmetic blend `a*m + b*(1-m)`. */
export function selectSamples(flags: readonly boolean[], whenTrue: tf.Tensor4D, whenFalse: tf.Tensor4D): tf.Tensor4D {
  const n = flags.length;
  return tf.tidy(() => {
    const m = tf.tensor4d(Float32Array.from(flags, (f) => (f ? 1 : 0)), [n, 1, 1, 1]);
    const notM = tf.tensor4d(Float32Array.from(flags, (f) => (f ? 0 : 1)), [n, 1, 1, 1]);
    // Exact: x*1 + y*0 = x and x*0 + y*1 = y for finite x, y.
    return tf.add(tf.mul(whenTrue, m), tf.mul(whenFalse, notM));
  });
}

/**
 * Applies `fn` to the samples where `flags` is true and leaves the others untouched (exactly).
 * All, none and some are handled without wasted work: `fn` sees only the selected samples.
 */
export function applyToSamples(
  images: tf.Tensor4D,
  flags: readonly boolean[],
  fn: (subset: tf.Tensor4D, indices: readonly number[]) => tf.Tensor4D,
): tf.Tensor4D {
  const selected: number[] = [];
  flags.forEach((f, i) => {
    if (f) selected.push(i);
  });
  if (selected.length === 0) return tf.clone(images);
  if (selected.length === flags.length) return fn(images, selected);
  return tf.tidy(() => {
    const done = fn(gatherBatch(images, selected), selected);
    // Merge: sample b comes from `done` (rows 0..k-1) if selected, else from `images` (rows k..).
    const k = selected.length;
    const position = new Map(selected.map((b, j) => [b, j]));
    const source = flags.map((f, b) => (f ? (position.get(b) as number) : k + b));
    return gatherBatch(tf.concat([done, images], 0), source);
  });
}
