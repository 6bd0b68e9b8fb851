/**
 * Per-channel normalisation `(x - mean) / std` with dataset statistics, as torchvision's
 * `Normalize(mean, std)` (the last step of the SimCLR / MoCo / BYOL pipelines). The output is
 * no longer in [0, 1], so it belongs at the end of a pipeline.
 */
import * as tf from '@tensorflow/tfjs-core';
import { defineAugmentation, type Augmentation } from './augmentation.js';
import { assertImages } from './images.js';
import { fail, optionsRecord, rejectUnknownKeys } from './params.js';

/** Per-channel statistics. */
export interface ChannelStats {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** ImageNet RGB statistics used by torchvision's model zoo (and MoCo / BYOL). */
export const IMAGENET_STATS: ChannelStats = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
/** CIFAR-10 training-set RGB statistics. */
export const CIFAR10_STATS: ChannelStats = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] };

/** Throws unless `stats` holds finite means and positive stds, one per channel. */
export function assertStats(where: string, name: string, stats: unknown, channels?: number): asserts stats is ChannelStats {
  if (typeof stats !== 'object' || stats === null) fail(where, name, 'an object { mean, std }', stats);
  const { mean, std } = stats as Partial<ChannelStats>;
  const isList = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!isList(mean)) fail(where, `${name}.mean`, 'a non-empty array of finite numbers', mean);
  if (!isList(std) || std.some((s) => s <= 0)) fail(where, `${name}.std`, 'a non-empty array of finite numbers > 0', std);
  if (mean.length !== std.length) fail(where, `${name}.std`, `as many entries as mean (${mean.length})`, std);
  if (channels !== undefined && mean.length !== channels) fail(where, `${name}.mean`, `one entry per channel (${channels})`, mean);
}

/** The unvalidated kernel. */
export function normalizeUnchecked(images: tf.Tensor4D, stats: ChannelStats): tf.Tensor4D {
  return tf.tidy(() => tf.div(tf.sub(images, tf.tensor1d(stats.mean as number[])), tf.tensor1d(stats.std as number[])) as tf.Tensor4D);
}

/**
 * `(images - mean) / std` per channel.
 *
 * @param images `[B, H, W, C]` in [0, 1].
 * @param stats `mean` and `std`, one entry per channel.
 * @example
 * ```ts
 * const x = normalize(images, CIFAR10_STATS);
 * ```
 */
export function normalize(images: tf.Tensor4D, stats: ChannelStats): tf.Tensor4D {
  assertImages('normalize', 'images', images);
  assertStats('normalize', 'stats', stats, images.shape[3]);
  return normalizeUnchecked(images, stats);
}

/**
 * `Normalize(mean, std)` as an {@link Augmentation} (deterministic: its parameters are `null`).
 *
 * @example
 * ```ts
 * const pipeline = compose([randomResizedCrop({ size: 32 }), normalization(CIFAR10_STATS)]);
 * ```
 */
export function normalization(stats: ChannelStats): Augmentation<null> {
  const where = 'normalization';
  const record = optionsRecord(where, stats);
  rejectUnknownKeys(where, record, ['mean', 'std']);
  assertStats(where, 'stats', record);
  const channels = stats.mean.length;
  return defineAugmentation<null>({
    name: 'normalization',
    channels,
    sample: () => null,
    check: (w, params) => {
      if (params !== null) fail(w, 'params', 'null', params);
    },
    run: (images) => normalizeUnchecked(images, stats),
  });
}
