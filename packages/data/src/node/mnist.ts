/**
 * MNIST (LeCun et al. 1998) and Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, arXiv:1708.07747)
 * as {@link ImageDataset}s (28x28x1) from their IDX files.
 *
 * Debian's `dataset-fashion-mnist` package installs the four gzip files under
 * `/usr/share/datasets/fashion-mnist` (`train-images-idx3-ubyte.gz`,
 * `train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz`).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ArgumentError, DataFormatError, assertInteger, assertOneOf, assertOptionsObject } from '@contrastive/core';
import type { ImageDataset } from '../dataset.js';
import { readIdx } from './read-idx.js';
import { assertOptionalDir, resolveDataDir } from './paths.js';

import { FASHION_MNIST_CLASSES, MNIST_CLASSES } from '../classes.js';

export { FASHION_MNIST_CLASSES, MNIST_CLASSES };
/** Where Debian's `dataset-fashion-mnist` package puts the files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Options of {@link loadIdxImageDataset}. */
export interface IdxImageDatasetOptions {
  /** Path of the images file (`[N, H, W]` uint8), `.gz` or not. */
  readonly images: string;
  /** Path of the labels file (`[N]` uint8), `.gz` or not. */
  readonly labels: string;
  readonly classNames: readonly string[];
  readonly name?: string;
  /** Keep only the first `limit` images. */
  readonly limit?: number;
}

/**
 * Reads an IDX image file and its IDX label file into an {@link ImageDataset} with one
 * channel. Checks dtypes, ranks, equal counts and that every label names a class
 * ({@link DataFormatError} at the label's byte offset, `8 + k`, otherwise).
 */
export async function loadIdxImageDataset(options: IdxImageDatasetOptions): Promise<ImageDataset> {
  const where = 'loadIdxImageDataset';
  assertOptionsObject(where, 'options', options);
  for (const key of ['images', 'labels'] as const) {
    if (typeof options?.[key] !== 'string' || options[key] === '') {
      throw new ArgumentError(`${where}: argument 'options.${key}' must be a file path, received ${String(options?.[key])}`, { argument: `options.${key}`, received: options?.[key] });
    }
  }
  if (options.limit !== undefined) assertInteger(where, 'options.limit', options.limit, 1);
  const limit = options.limit === undefined ? {} : { limit: options.limit };
  const [images, labels] = await Promise.all([readIdx(options.images, limit), readIdx(options.labels, limit)]);
  if (images.dtype !== 'uint8' || images.dims.length !== 3) {
    throw new DataFormatError(`${options.images}: expected IDX images of dtype uint8 and 3 dimensions [N, H, W], found ${images.dtype} [${images.dims.join(', ')}]`, options.images, 2);
  }
  if (labels.dtype !== 'uint8' || labels.dims.length !== 1) {
    throw new DataFormatError(`${options.labels}: expected IDX labels of dtype uint8 and 1 dimension [N], found ${labels.dtype} [${labels.dims.join(', ')}]`, options.labels, 2);
  }
  const [n, height, width] = images.dims as [number, number, number];
  if (labels.dims[0] !== n) {
    throw new DataFormatError(`${options.labels}: ${labels.dims[0]} labels for ${n} images in ${options.images}`, options.labels, 4, { expected: `${n} labels`, received: labels.dims[0] });
  }
  const labelBytes = labels.data as Uint8Array;
  for (let k = 0; k < n; k++) {
    if ((labelBytes[k] as number) >= options.classNames.length) {
      throw new DataFormatError(`${options.labels}: label ${labelBytes[k]} of item ${k} at byte offset ${8 + k} is not a class index < ${options.classNames.length}`, options.labels, 8 + k, {
        received: labelBytes[k],
      });
    }
  }
  return {
    name: options.name ?? path.basename(options.images),
    images: images.data as Uint8Array,
    labels: labelBytes,
    length: n,
    height,
    width,
    channels: 1,
    classNames: [...options.classNames],
  };
}

/** Options of {@link loadFashionMnist} and {@link loadMnist}. */
export interface LoadMnistOptions {
  /** Directory holding the four IDX files (`.gz` or not). See each loader for the default. */
  readonly dir?: string;
  /** `'train'` (60,000 images) or `'test'` (10,000). Default `'train'`. */
  readonly split?: 'train' | 'test';
  readonly limit?: number;
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The first existing spelling of an IDX file: `x-idx3-ubyte`, `x.idx3-ubyte`, each with or without `.gz`. */
async function findIdxFile(dir: string, prefix: string, kind: 'images' | 'labels'): Promise<string | undefined> {
  const rank = kind === 'images' ? 3 : 1;
  for (const base of [`${prefix}-${kind}-idx${rank}-ubyte`, `${prefix}-${kind}.idx${rank}-ubyte`]) {
    for (const name of [base, `${base}.gz`]) {
      const file = path.join(dir, name);
      if (await exists(file)) return file;
    }
  }
  return undefined;
}

async function loadMnistLike(where: string, what: string, defaults: () => string[], classNames: readonly string[], options: LoadMnistOptions): Promise<ImageDataset> {
  assertOptionsObject(where, 'options', options);
  assertOptionalDir(where, 'options.dir', options.dir);
  const candidates = options.dir !== undefined ? [path.resolve(options.dir)] : defaults();
  const split = options.split ?? 'train';
  assertOneOf(where, 'options.split', split, ['train', 'test'] as const);
  if (options.limit !== undefined) assertInteger(where, 'options.limit', options.limit, 1);
  const prefix = split === 'train' ? 'train' : 't10k';
  for (const dir of candidates) {
    const images = await findIdxFile(dir, prefix, 'images');
    const labels = await findIdxFile(dir, prefix, 'labels');
    if (images !== undefined && labels !== undefined) {
      return loadIdxImageDataset({ images, labels, classNames, name: `${what}/${split}`, ...(options.limit === undefined ? {} : { limit: options.limit }) });
    }
  }
  throw new ArgumentError(
    `${where}: no ${what} files ${prefix}-images-idx3-ubyte[.gz] + ${prefix}-labels-idx1-ubyte[.gz] in ${candidates.length === 0 ? '(no directory: set CONTRASTIVE_DATA_DIR)' : candidates.join(', ')}; pass options.dir`,
    { argument: 'options.dir', expected: `a directory holding the ${what} IDX files`, received: options.dir },
  );
}

/**
 * Loads a Fashion-MNIST split. Default directory: `$CONTRASTIVE_DATA_DIR/fashion-mnist`, then
 * {@link DEBIAN_FASHION_MNIST_DIR} (`apt-get install dataset-fashion-mnist`).
 *
 * @example
 * ```ts
 * const test = await loadFashionMnist({ split: 'test' }); // 10,000 images 28x28x1
 * ```
 */
export function loadFashionMnist(options: LoadMnistOptions = {}): Promise<ImageDataset> {
  const defaults = (): string[] => {
    const dataDir = resolveDataDir();
    return [...(dataDir === undefined ? [] : [path.join(dataDir, 'fashion-mnist')]), DEBIAN_FASHION_MNIST_DIR];
  };
  return loadMnistLike('loadFashionMnist', 'fashion-mnist', defaults, FASHION_MNIST_CLASSES, options);
}

/** Loads an MNIST split. Default directory: `$CONTRASTIVE_DATA_DIR/mnist`. */
export function loadMnist(options: LoadMnistOptions = {}): Promise<ImageDataset> {
  const defaults = (): string[] => {
    const dataDir = resolveDataDir();
    return dataDir === undefined ? [] : [path.join(dataDir, 'mnist')];
  };
  return loadMnistLike('loadMnist', 'mnist', defaults, MNIST_CLASSES, options);
}
