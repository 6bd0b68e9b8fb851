/**
 * The in-memory image data set every reader in this package returns, and the one function
 * that turns some of its samples into tensors.
 *
 * Pixels stay as bytes (`Uint8Array`, NHWC) until a batch is requested: CIFAR-10's 50,000
 * training images take 153.6 MB as bytes and would take four times that as float32.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, assertInteger, assertOptionsObject, describeValue, type Batch } from '@contrastive/core';
import { checkSampleIndices } from './sample-indices.js';

/**
 * An in-memory labelled image data set.
 *
 * `images` holds `length` images of `height x width x channels` bytes in NHWC order: the byte
 * of pixel `(y, x)`, channel `c` of image `i` is at `((i * height + y) * width + x) * channels + c`.
 */
export interface ImageDataset {
  /** A short name for messages and reports, e.g. `'cifar10/train'`. */
  readonly name: string;
  /** Pixel bytes 0..255, NHWC, `length * height * width * channels` of them. */
  readonly images: Uint8Array;
  /** Class index of each image, `0 <= label < classNames.length`. */
  readonly labels: Uint8Array;
  /** Number of images. */
  readonly length: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Class names; `classNames[label]` names an image's class. */
  readonly classNames: readonly string[];
}

/**
 * A batch of samples as tensors: the data side of the core {@link Batch} contract, with every
 * field present. The caller owns (and disposes) `images` and `labels`.
 */
export interface TensorBatch extends Batch {
  /** `[B, H, W, C]` float32 in [0, 1] (byte / 255). */
  readonly images: tf.Tensor4D;
  /** `[B]` int32 class indices. */
  readonly labels: tf.Tensor1D;
  /**
   * `[B]` positions of the samples in the data set: a memory bank stores one entry per sample
   * and is read and updated at these indices (Wu et al. 2018, InstDisc, sec. 3.2).
   */
  readonly indices: Int32Array;
}

/** The fields of {@link createImageDataset}. */
export interface ImageDatasetFields {
  readonly name?: string;
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly classNames: readonly string[];
}

const WHERE = 'createImageDataset';

/**
 * Builds an {@link ImageDataset} from arrays you already hold, checking that the sizes agree
 * and every label names a class. Readers in this package return data sets of the same shape.
 *
 * @example
 * ```ts
 * const ds = createImageDataset({
 *   images: new Uint8Array(2 * 4 * 4 * 3), labels: Uint8Array.of(0, 1),
 *   height: 4, width: 4, channels: 3, classNames: ['cat', 'dog'],
 * });
 * ```
 */
export function createImageDataset(fields: ImageDatasetFields): ImageDataset {
  assertOptionsObject(WHERE, 'fields', fields);
  if (fields === undefined) throw new ArgumentError(`${WHERE}: argument 'fields' must be an object, received undefined`, { argument: 'fields' });
  const { images, labels, height, width, channels, classNames } = fields;
  if (!(images instanceof Uint8Array)) {
    throw new ArgumentError(`${WHERE}: argument 'fields.images' must be a Uint8Array, received ${describeValue(images)}`, {
      argument: 'fields.images', expected: 'a Uint8Array', received: images,
    });
  }
  if (!(labels instanceof Uint8Array)) {
    throw new ArgumentError(`${WHERE}: argument 'fields.labels' must be a Uint8Array, received ${describeValue(labels)}`, {
      argument: 'fields.labels', expected: 'a Uint8Array', received: labels,
    });
  }
  assertInteger(WHERE, 'fields.height', height);
  assertInteger(WHERE, 'fields.width', width);
  assertInteger(WHERE, 'fields.channels', channels);
  if (!Array.isArray(classNames) || classNames.length === 0 || !classNames.every((c) => typeof c === 'string')) {
    throw new ArgumentError(`${WHERE}: argument 'fields.classNames' must be a non-empty array of strings, received ${describeValue(classNames)}`, {
      argument: 'fields.classNames', expected: 'a non-empty array of strings', received: classNames,
    });
  }
  const length = labels.length;
  const expectedBytes = length * height * width * channels;
  if (images.length !== expectedBytes) {
    throw new ArgumentError(
      `${WHERE}: argument 'fields.images' must hold labels.length * height * width * channels = ${length}*${height}*${width}*${channels} = ${expectedBytes} bytes, received ${images.length}`,
      { argument: 'fields.images', expected: `${expectedBytes} bytes`, received: images.length },
    );
  }
  for (let i = 0; i < length; i++) {
    if ((labels[i] as number) >= classNames.length) {
      throw new ArgumentError(`${WHERE}: argument 'fields.labels' must hold class indices < ${classNames.length}, found ${labels[i]} at index ${i}`, {
        argument: 'fields.labels', expected: `class indices in [0, ${classNames.length})`, received: labels[i],
      });
    }
  }
  return { name: fields.name ?? 'in-memory', images, labels, length, height, width, channels, classNames: [...classNames] };
}

/** Bytes per image of a data set. */
function imageBytes(dataset: ImageDataset): number {
  return dataset.height * dataset.width * dataset.channels;
}

/**
 * The samples at `indices` as tensors: images `[B, H, W, C]` float32 in [0, 1], labels `[B]`
 * int32, and the indices themselves. Creates exactly these two tensors (no intermediates);
 * the caller disposes them (see {@link disposeBatch}).
 *
 * @example
 * ```ts
 * const batch = batchFromIndices(cifar, [0, 1, 2, 3]);
 * // batch.images: [4, 32, 32, 3]; batch.labels: [4]; batch.indices: Int32Array [0, 1, 2, 3]
 * disposeBatch(batch);
 * ```
 */
export function batchFromIndices(dataset: ImageDataset, indices: ArrayLike<number>): TensorBatch {
  const where = 'batchFromIndices';
  assertDataset(where, 'dataset', dataset);
  const idx = checkSampleIndices(where, dataset.length, indices);
  const size = imageBytes(dataset);
  const pixels = new Float32Array(idx.length * size);
  const labels = new Int32Array(idx.length);
  const src = dataset.images;
  for (let b = 0; b < idx.length; b++) {
    const k = idx[b] as number;
    const from = k * size;
    const to = b * size;
    for (let j = 0; j < size; j++) pixels[to + j] = (src[from + j] as number) / 255;
    labels[b] = dataset.labels[k] as number;
  }
  return {
    images: tf.tensor4d(pixels, [idx.length, dataset.height, dataset.width, dataset.channels], 'float32'),
    labels: tf.tensor1d(labels, 'int32'),
    indices: idx,
  };
}

/** Disposes the tensors of a {@link TensorBatch} or any batch of `images` and `labels` tensors (safe to call twice). */
export function disposeBatch(batch: { readonly images: tf.Tensor; readonly labels: tf.Tensor }): void {
  batch.images.dispose();
  batch.labels.dispose();
}

/**
 * A new data set holding the samples at `indices`, in that order (pixels copied). Sample
 * indices of the result count from 0 in the new order.
 */
export function subsetDataset(dataset: ImageDataset, indices: ArrayLike<number>, name?: string): ImageDataset {
  const where = 'subsetDataset';
  assertDataset(where, 'dataset', dataset);
  const idx = checkSampleIndices(where, dataset.length, indices);
  const size = imageBytes(dataset);
  const images = new Uint8Array(idx.length * size);
  const labels = new Uint8Array(idx.length);
  for (let b = 0; b < idx.length; b++) {
    const k = idx[b] as number;
    images.set(dataset.images.subarray(k * size, (k + 1) * size), b * size);
    labels[b] = dataset.labels[k] as number;
  }
  return { ...dataset, name: name ?? `${dataset.name}[subset ${idx.length}]`, images, labels, length: idx.length };
}

/** The bytes of image `index` (a view, not a copy), `height * width * channels` long, HWC. */
export function imageAt(dataset: ImageDataset, index: number): Uint8Array {
  assertDataset('imageAt', 'dataset', dataset);
  assertInteger('imageAt', 'index', index, 0);
  if (index >= dataset.length) {
    throw new ArgumentError(`imageAt: argument 'index' must be < ${dataset.length}, received ${index}`, {
      argument: 'index', expected: `an integer in [0, ${dataset.length})`, received: index,
    });
  }
  const size = imageBytes(dataset);
  return dataset.images.subarray(index * size, (index + 1) * size);
}

/** Number of images of each class: `counts[c]` for class `c`. */
export function classCounts(dataset: ImageDataset): number[] {
  assertDataset('classCounts', 'dataset', dataset);
  const counts = new Array<number>(dataset.classNames.length).fill(0);
  for (let i = 0; i < dataset.length; i++) counts[dataset.labels[i] as number]! += 1;
  return counts;
}

/** Structural check that `value` is an {@link ImageDataset} whose sizes agree. */
export function assertDataset(where: string, name: string, value: unknown): asserts value is ImageDataset {
  const d = value as Partial<ImageDataset> | null;
  const ok =
    typeof d === 'object' &&
    d !== null &&
    d.images instanceof Uint8Array &&
    d.labels instanceof Uint8Array &&
    Number.isSafeInteger(d.length) &&
    d.labels.length === d.length &&
    Number.isSafeInteger(d.height) &&
    Number.isSafeInteger(d.width) &&
    Number.isSafeInteger(d.channels) &&
    d.images.length === (d.length as number) * (d.height as number) * (d.width as number) * (d.channels as number) &&
    Array.isArray(d.classNames);
  if (!ok) {
    // Not describeValue: JSON of a data set's pixel array could be hundreds of megabytes.
    const received = typeof d === 'object' && d !== null ? `an object with keys [${Object.keys(d).join(', ')}]` : describeValue(value);
    throw new ArgumentError(`${where}: argument '${name}' must be an ImageDataset (images, labels, length, height, width, channels, classNames that agree), received ${received}`, {
      argument: name, expected: 'an ImageDataset', received: value,
    });
  }
}
