/**
 * CIFAR-10 in its original binary format (Krizhevsky 2009, "Learning Multiple Layers of
 * Features from Tiny Images", the "binary version" of https://www.cs.toronto.edu/~kriz/cifar.html).
 *
 * Each record is 3073 bytes with no header: one label byte (0-9), then 1024 red, 1024 green
 * and 1024 blue bytes, each plane 32x32 row-major. Records are transposed to NHWC on reading.
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { ArgumentError, DataFormatError, assertInteger, assertOneOf, assertOptionsObject, describeValue } from '@contrastive/core';
import type { ImageDataset } from '../dataset.js';
import { assertOptionalDir, resolveCacheDir, resolveDataDir, DATA_DIR_ENV, CACHE_DIR_ENV } from './paths.js';
import { unreadableFile } from '../unreadable.js';

import { CIFAR10_CLASSES, CIFAR10_RECORD_BYTES } from '../classes.js';

export { CIFAR10_CLASSES, CIFAR10_RECORD_BYTES };
const SIDE = 32;
const PLANE = SIDE * SIDE; // 1024
const PIXELS = PLANE * 3; // 3072

/** The two on-disk layouts {@link locateCifar10} recognises. */
export type Cifar10Layout =
  /** `data_batch_1.bin`..`data_batch_5.bin` + `test_batch.bin`, as in the official archive. */
  | 'batches'
  /** `train.bin` + `test.bin` (the batches concatenated), as in `../shared/data/cifar10`. */
  | 'single';

/** Where the CIFAR-10 files of each split are. */
export interface Cifar10Files {
  /** The directory holding the files. */
  readonly dir: string;
  readonly layout: Cifar10Layout;
  /** Training files in record order. */
  readonly train: readonly string[];
  /** Test files in record order. */
  readonly test: readonly string[];
}

const LAYOUTS: ReadonlyArray<{ layout: Cifar10Layout; train: string[]; test: string[] }> = [
  { layout: 'single', train: ['train.bin'], test: ['test.bin'] },
  { layout: 'batches', train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), test: ['test_batch.bin'] },
];

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * Finds the CIFAR-10 files under `dir`: in `dir` itself, `dir/cifar10`,
 * `dir/cifar-10-batches-bin` or `dir/cifar10/cifar-10-batches-bin` (the first that holds a
 * complete set of either layout). Returns `undefined` when none does.
 */
export async function locateCifar10(dir: string): Promise<Cifar10Files | undefined> {
  assertOptionalDir('locateCifar10', 'dir', dir);
  if (dir === undefined) throw new ArgumentError(`locateCifar10: argument 'dir' must be a directory path, received undefined`, { argument: 'dir' });
  const root = path.resolve(dir);
  const candidates = [root, path.join(root, 'cifar10'), path.join(root, 'cifar-10-batches-bin'), path.join(root, 'cifar10', 'cifar-10-batches-bin')];
  for (const candidate of candidates) {
    for (const { layout, train, test } of LAYOUTS) {
      const trainFiles = train.map((f) => path.join(candidate, f));
      const testFiles = test.map((f) => path.join(candidate, f));
      const present = await Promise.all([...trainFiles, ...testFiles].map(isFile));
      if (present.every(Boolean)) return { dir: candidate, layout, train: trainFiles, test: testFiles };
    }
  }
  return undefined;
}

/** Options of {@link readCifar10Binary}. */
export interface ReadCifar10Options {
  /** Read only the first `limit` records (of all files together). */
  readonly limit?: number;
  /** The data set's name; default the first file's name. */
  readonly name?: string;
}

/** Records per read: ~3 MB per chunk keeps memory flat while reading 150 MB files. */
const CHUNK_RECORDS = 1024;

/**
 * Reads CIFAR-10 binary files (records concatenated in the order given) into an in-memory
 * {@link ImageDataset}, transposing each record from planar RGB to NHWC.
 *
 * Throws {@link DataFormatError} (with `file` and `byteOffset`) when a file's size is not a
 * multiple of 3073 bytes (the offset is where the incomplete record starts), when a file is
 * empty, or when a label byte is not 0-9 (offset `k * 3073` for record `k` of that file).
 *
 * @example
 * ```ts
 * const lossless = await readCifar10Binary('data/cifar10/lossless/test_first1000.bin');
 * ```
 */
export async function readCifar10Binary(files: string | readonly string[], options: ReadCifar10Options = {}): Promise<ImageDataset> {
  const where = 'readCifar10Binary';
  const list = typeof files === 'string' ? [files] : files;
  if (!Array.isArray(list) || list.length === 0 || !list.every((f) => typeof f === 'string' && f !== '')) {
    throw new ArgumentError(`${where}: argument 'files' must be a file path or a non-empty array of file paths, received ${describeValue(files)}`, {
      argument: 'files', expected: 'a path or a non-empty array of paths', received: files,
    });
  }
  assertOptionsObject(where, 'options', options);
  if (options.limit !== undefined) assertInteger(where, 'options.limit', options.limit, 1);

  // Sizes first, so a truncated file fails before anything is read.
  const records: number[] = [];
  for (const file of list) {
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch (cause) {
      throw new DataFormatError(`${file}: cannot read CIFAR-10 file (${(cause as Error).message})`, file, undefined, { cause });
    }
    if (size === 0) throw new DataFormatError(`${file}: empty file, expected CIFAR-10 records of ${CIFAR10_RECORD_BYTES} bytes`, file, 0);
    const rest = size % CIFAR10_RECORD_BYTES;
    if (rest !== 0) {
      const offset = size - rest;
      throw new DataFormatError(
        `${file}: truncated or not a CIFAR-10 binary file: ${size} bytes is not a multiple of ${CIFAR10_RECORD_BYTES}; record ${offset / CIFAR10_RECORD_BYTES} starting at byte offset ${offset} has only ${rest} bytes`,
        file,
        offset,
        { expected: `a multiple of ${CIFAR10_RECORD_BYTES} bytes`, received: size },
      );
    }
    records.push(size / CIFAR10_RECORD_BYTES);
  }
  const available = records.reduce((a, b) => a + b, 0);
  const total = Math.min(available, options.limit ?? available);

  const images = new Uint8Array(total * PIXELS);
  const labels = new Uint8Array(total);
  const chunk = Buffer.allocUnsafe(CHUNK_RECORDS * CIFAR10_RECORD_BYTES);
  let n = 0; // records read so far, over all files
  for (let f = 0; f < list.length && n < total; f++) {
    const file = list[f] as string;
    const wanted = Math.min(records[f] as number, total - n);
    const handle = await open(file, 'r').catch((cause: unknown) => Promise.reject(unreadableFile(file, 'CIFAR-10 batch', cause)));
    try {
      for (let k0 = 0; k0 < wanted; k0 += CHUNK_RECORDS) {
        const count = Math.min(CHUNK_RECORDS, wanted - k0);
        const bytes = count * CIFAR10_RECORD_BYTES;
        const position = k0 * CIFAR10_RECORD_BYTES;
        const { bytesRead } = await handle.read(chunk, 0, bytes, position);
        if (bytesRead !== bytes) {
          throw new DataFormatError(`${file}: unexpected end of file at byte offset ${position + bytesRead} (file changed while reading?)`, file, position + bytesRead);
        }
        for (let r = 0; r < count; r++) {
          const rec = r * CIFAR10_RECORD_BYTES;
          const label = chunk[rec] as number;
          if (label > 9) {
            const offset = (k0 + r) * CIFAR10_RECORD_BYTES;
            throw new DataFormatError(
              `${file}: record ${k0 + r} at byte offset ${offset} has label byte ${label}, expected a CIFAR-10 class 0-9 (corrupt file, or not CIFAR-10 binary; CIFAR-100 records are 3074 bytes)`,
              file,
              offset,
              { expected: 'a label byte 0-9', received: label },
            );
          }
          labels[n] = label;
          // Planar [3][32][32] -> interleaved [32][32][3].
          const out = n * PIXELS;
          const px = rec + 1;
          for (let p = 0; p < PLANE; p++) {
            const o = out + p * 3;
            images[o] = chunk[px + p] as number;
            images[o + 1] = chunk[px + PLANE + p] as number;
            images[o + 2] = chunk[px + 2 * PLANE + p] as number;
          }
          n++;
        }
      }
    } finally {
      await handle.close();
    }
  }
  return {
    name: options.name ?? path.basename(list[0] as string),
    images,
    labels,
    length: total,
    height: SIDE,
    width: SIDE,
    channels: 3,
    classNames: [...CIFAR10_CLASSES],
  };
}

/** Options of {@link loadCifar10}. */
export interface LoadCifar10Options {
  /**
   * A directory holding the files (either layout; see {@link locateCifar10}). Default:
   * `$CONTRASTIVE_DATA_DIR`, then the download cache ({@link resolveCacheDir}).
   */
  readonly dir?: string;
  /** `'train'` (50,000 images) or `'test'` (10,000). Default `'train'`. */
  readonly split?: 'train' | 'test';
  /** Keep only the first `limit` images of the split. */
  readonly limit?: number;
}

/**
 * Loads a CIFAR-10 split from local files (no download; see {@link ensureCifar10} for that).
 *
 * @example
 * ```ts
 * const train = await loadCifar10({ dir: '../shared/data', split: 'train', limit: 5000 });
 * const batch = batchFromIndices(train, [0, 1, 2]); // images [3, 32, 32, 3] in [0, 1]
 * ```
 */
export async function loadCifar10(options: LoadCifar10Options = {}): Promise<ImageDataset> {
  const where = 'loadCifar10';
  assertOptionsObject(where, 'options', options);
  assertOptionalDir(where, 'options.dir', options.dir);
  const split = options.split ?? 'train';
  assertOneOf(where, 'options.split', split, ['train', 'test'] as const);
  if (options.limit !== undefined) assertInteger(where, 'options.limit', options.limit, 1);

  const searched: string[] = [];
  let found: Cifar10Files | undefined;
  if (options.dir !== undefined) {
    searched.push(path.resolve(options.dir));
    found = await locateCifar10(options.dir);
  } else {
    for (const dir of [resolveDataDir(), resolveCacheDir()]) {
      if (dir === undefined) continue;
      searched.push(dir);
      found = await locateCifar10(dir);
      if (found !== undefined) break;
    }
  }
  if (found === undefined) {
    throw new ArgumentError(
      `${where}: no CIFAR-10 files (train.bin + test.bin, or data_batch_1..5.bin + test_batch.bin) under ${searched.join(', ')}; pass options.dir, set ${DATA_DIR_ENV}, or download with ensureCifar10() (cache: ${CACHE_DIR_ENV})`,
      { argument: 'options.dir', expected: 'a directory holding CIFAR-10 binary files', received: options.dir },
    );
  }
  const readOptions: ReadCifar10Options = options.limit === undefined ? { name: `cifar10/${split}` } : { name: `cifar10/${split}`, limit: options.limit };
  return readCifar10Binary(split === 'train' ? found.train : found.test, readOptions);
}
