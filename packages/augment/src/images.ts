/**
 * Input checks shared by every augmentation: a float32 batch `[B, H, W, C]` with values in
 * [0, 1]. The value check reads back three scalars (min, max and sum, the sum so that NaN is
 * caught), so public entry points run it once per call and internal steps skip it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, NonFiniteError, ShapeError, assertFloatTensor } from '@contrastive/core';

/** Checks rank, dtype and (optionally) the channel count, without reading values. */
export function assertImageBatch(where: string, name: string, images: unknown, channels?: number): asserts images is tf.Tensor4D {
  assertFloatTensor(where, name, images, 4);
  const [b, h, w, c] = images.shape as [number, number, number, number];
  if (b < 1 || h < 1 || w < 1 || c < 1) {
    throw new ShapeError(`${where}: argument '${name}' must be a non-empty batch [B, H, W, C], received shape [${images.shape.join(',')}]`, {
      argument: name,
      expected: 'a non-empty [B, H, W, C] batch',
      received: images,
    });
  }
  if (channels !== undefined && c !== channels) {
    throw new ShapeError(`${where}: argument '${name}' must have ${channels} channels (RGB), received shape [${images.shape.join(',')}]`, {
      argument: name,
      expected: `shape [*,*,*,${channels}]`,
      received: images,
    });
  }
}

/** Checks that every value lies in [0, 1] (and is not NaN). */
export function assertUnitRange(where: string, name: string, images: tf.Tensor4D): void {
  const stats = tf.tidy(() => tf.stack([tf.min(images), tf.max(images), tf.sum(images)]));
  const [lo, hi, sum] = stats.dataSync() as Float32Array;
  stats.dispose();
  if (!Number.isFinite(sum as number) || Number.isNaN(lo as number) || Number.isNaN(hi as number)) {
    throw new NonFiniteError(`${where}: argument '${name}' must hold finite values in [0, 1], found NaN or Infinity`, {
      argument: name,
      expected: 'finite values in [0, 1]',
      received: images,
    });
  }
  if ((lo as number) < 0 || (hi as number) > 1) {
    throw new ArgumentError(`${where}: argument '${name}' must hold values in [0, 1], received values in [${lo}, ${hi}]`, {
      argument: name,
      expected: 'values in [0, 1]',
      received: images,
    });
  }
}

/** Rank, dtype, channels and values: the full check run by public entry points. */
export function assertImages(where: string, name: string, images: unknown, channels?: number): asserts images is tf.Tensor4D {
  assertImageBatch(where, name, images, channels);
  assertUnitRange(where, name, images);
}

/** The shape of a batch, as plain numbers. */
export interface BatchGeometry {
  readonly batchSize: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** The geometry of a `[B, H, W, C]` tensor. */
export function geometryOf(images: tf.Tensor4D): BatchGeometry {
  const [batchSize, height, width, channels] = images.shape;
  return { batchSize, height, width, channels };
}
