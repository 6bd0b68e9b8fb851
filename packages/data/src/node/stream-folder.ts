/**
 * An image folder read as it is consumed: only the file list is held in memory; each batch is
 * decoded and resized when the loader (or its prefetch) asks for it, optionally through an
 * on-disk cache. For folders that do not fit in memory as bytes.
 */
import { ArgumentError, DataFormatError, assertInteger, assertOptionsObject, describeValue } from '@contrastive/core';
import { batchFromIndices, disposeBatch, type ImageDataset, type TensorBatch } from '../dataset.js';
import type { LoaderBatch } from '../loader.js';
import { assertOptionalDir } from './paths.js';
import { checkSampleIndices } from '../sample-indices.js';
import { prefetch } from '../prefetch.js';
import { batchSchedule, checkLoaderOptions, type ScheduleOptions } from '../shuffle.js';
import { assertBadFilePolicy, SkippedFiles, type BadFilePolicy, type SkippedFilesReport } from './bad-files.js';
import { decodeResized, type ImageTarget } from './decode-resized.js';
import { DecodedImageCache, type CacheStats } from './image-cache.js';
import { listImageFolder } from './list-folder.js';
import { mapLimit } from './map-limit.js';

/** Options of {@link openImageFolder}. */
export interface StreamImageFolderOptions {
  /** The root: each sub-directory is a class, named by the directory (as `loadImageFolder`). */
  readonly dir: string;
  /** `[height, width]` every image is resized to. */
  readonly size: readonly [number, number];
  /** False: every image under `dir` is read, as one class `'(unlabelled)'` (as `loadImageFolder`); default true. */
  readonly labelled?: boolean;
  /** 3 (RGB, default) or 1 (grey, BT.601 luma). */
  readonly channels?: 1 | 3;
  /** A file that cannot be decoded: `'skip'` (default; counted, see `skipped()`) or `'error'`. */
  readonly onBadFile?: BadFilePolicy;
  /** Decodes in flight at most (default 64); the decoding itself runs on libuv's thread pool (`UV_THREADPOOL_SIZE`, default 4). */
  readonly concurrency?: number;
  /** Directory of an on-disk cache of decoded, resized images (see {@link DecodedImageCache}); default none. */
  readonly cacheDir?: string;
  /** How many skipped and ignored file names the reports keep (default 5). */
  readonly maxReported?: number;
  /** The data set's name; default the directory's name. */
  readonly name?: string;
}

/** Decoded samples of a {@link StreamingImageFolder}: those of the requested ones that decoded. */
export interface DecodedSamples {
  /** `length * height * width * channels` bytes, NHWC. */
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  /** Indices (into the folder or subset that read them) of the samples returned, in request order. */
  readonly indices: Int32Array;
  readonly length: number;
}

/** Options of {@link StreamingImageFolder.loader}: the batching of `createDataLoader`. */
export interface StreamingLoaderOptions extends ScheduleOptions {
  /** Batches decoded ahead of the consumer (>= 0, default 2): the bound on memory held ahead. */
  readonly prefetch?: number;
}

/**
 * Tensor batches over a streaming folder, one pass per `epochs` per iteration, as
 * `DataLoader`. A batch holding a skipped file is that much shorter (a batch left empty is
 * not yielded), so the number of batches can fall below `batchesPerEpoch`.
 */
export interface StreamingLoader extends AsyncIterable<LoaderBatch> {
  readonly folder: StreamingImageFolder;
  /** Batches per epoch before skipping (`ceil(n / batchSize)`, or `floor` with `dropLast`). */
  readonly batchesPerEpoch: number;
  readonly epochs: number;
  readonly batchSize: number;
}

/** A listed image folder whose images are decoded on demand. Made by {@link openImageFolder}. */
export interface StreamingImageFolder {
  readonly name: string;
  /** The folder (absolute). */
  readonly root: string;
  readonly classNames: readonly string[];
  /** Number of listed image files (skipped files included). */
  readonly length: number;
  /** Label of each listed file. */
  readonly labels: Uint8Array;
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
  /** Path of sample `index`. */
  file(index: number): string;
  /**
   * Decodes the samples at `indices` (at most `concurrency` at once). Under `'skip'` a file
   * that fails is left out and recorded; under `'error'` its {@link DataFormatError} is thrown.
   */
  read(indices: ArrayLike<number>): Promise<DecodedSamples>;
  /** Tensor batches (see {@link StreamingLoader}). */
  loader(options: StreamingLoaderOptions): StreamingLoader;
  /** A folder over the listed samples at `indices` (sharing decoder, cache and skip record). */
  subset(indices: ArrayLike<number>, name?: string): StreamingImageFolder;
  /** Files that could not be decoded so far (each counted once). */
  skipped(): SkippedFilesReport;
  /** Files in the class directories without an image ending, found when listing (never read). */
  ignored(): SkippedFilesReport;
  /** Hits and misses of the on-disk cache (zeros without one). */
  cacheStats(): CacheStats;
}

/** What every view of one folder shares. */
interface Shared {
  readonly target: ImageTarget;
  readonly policy: BadFilePolicy;
  readonly concurrency: number;
  readonly cache: DecodedImageCache | undefined;
  readonly skipped: SkippedFiles;
  readonly ignored: SkippedFilesReport;
  readonly classNames: readonly string[];
  readonly root: string;
  /** Absolute paths of every listed file; views hold indices into it. */
  readonly files: readonly string[];
  readonly labels: Uint8Array;
  /** Listed positions known to fail. */
  readonly bad: Set<number>;
}

const WHERE = 'openImageFolder';

/**
 * Lists an image folder (`dir/<class>/**\/*.{png,jpg,jpeg}`, classes in sorted order as
 * `loadImageFolder`) and returns a {@link StreamingImageFolder} that decodes images only when
 * asked. Memory: the file list, plus `prefetch + 1` batches of decoded images and up to
 * `concurrency` decodes in flight, whatever the folder's size.
 *
 * @example
 * ```ts
 * const folder = await openImageFolder({ dir: 'photos', size: [96, 96], cacheDir: '/tmp/photos-96' });
 * for await (const batch of folder.loader({ batchSize: 128, rng: Rng.fromSeed(0), dropLast: true })) {
 *   train(batch); disposeBatch(batch);
 * }
 * console.log(folder.skipped()); // { count: 2, first: [{ file: '.../cat/broken.jpg', reason: '...' }, ...] }
 * ```
 */
export async function openImageFolder(options: StreamImageFolderOptions): Promise<StreamingImageFolder> {
  assertOptionsObject(WHERE, 'options', options);
  if (options === undefined || options.dir === undefined) throw new ArgumentError(`${WHERE}: argument 'options.dir' is required`, { argument: 'options.dir' });
  assertOptionalDir(WHERE, 'options.dir', options.dir);
  const s = options.size as unknown;
  if (!Array.isArray(s) || s.length !== 2 || !s.every((v) => Number.isSafeInteger(v) && v >= 1 && v <= 16384)) {
    throw new ArgumentError(`${WHERE}: argument 'options.size' must be [height, width] of integers in [1, 16384], received ${describeValue(s)}`, {
      argument: 'options.size', expected: '[height, width]', received: s,
    });
  }
  const channels = options.channels ?? 3;
  if (channels !== 1 && channels !== 3) {
    throw new ArgumentError(`${WHERE}: argument 'options.channels' must be 1 or 3, received ${describeValue(channels)}`, { argument: 'options.channels', expected: '1 or 3', received: channels });
  }
  const policy = options.onBadFile ?? 'skip';
  assertBadFilePolicy(WHERE, 'options.onBadFile', policy);
  const concurrency = options.concurrency ?? 64;
  assertInteger(WHERE, 'options.concurrency', concurrency, 1);
  const maxReported = options.maxReported ?? 5;
  assertInteger(WHERE, 'options.maxReported', maxReported, 0);
  if (options.cacheDir !== undefined) assertOptionalDir(WHERE, 'options.cacheDir', options.cacheDir);

  const labelled = options.labelled ?? true;
  if (typeof labelled !== 'boolean') {
    throw new ArgumentError(`${WHERE}: argument 'options.labelled' must be a boolean, received ${describeValue(labelled)}`, { argument: 'options.labelled', expected: 'a boolean', received: labelled });
  }
  const listing = await listImageFolder(WHERE, options.dir, labelled);
  const target: ImageTarget = { height: s[0] as number, width: s[1] as number, channels };
  const ignored = new SkippedFiles(maxReported);
  for (const file of listing.ignored) ignored.record(file, 'not a .png/.jpg/.jpeg file');
  const shared: Shared = {
    target,
    policy,
    concurrency,
    cache: options.cacheDir === undefined ? undefined : new DecodedImageCache(options.cacheDir, target),
    skipped: new SkippedFiles(maxReported),
    ignored: ignored.report(),
    classNames: listing.classNames,
    root: listing.root,
    files: listing.files,
    labels: listing.labels,
    bad: new Set(),
  };
  const all = new Int32Array(listing.files.length);
  for (let i = 0; i < all.length; i++) all[i] = i;
  return makeView(shared, all, options.name ?? (listing.root.split(/[\\/]/).pop() || listing.root));
}

/** Decodes listed file `k`, through the cache when there is one. */
async function decodeListed(shared: Shared, k: number): Promise<Uint8Array> {
  const file = shared.files[k] as string;
  if (shared.cache === undefined) return decodeResized(file, shared.target);
  let entry: string;
  try {
    entry = await shared.cache.entryPath(file);
  } catch (cause) {
    throw new DataFormatError(`${file}: cannot read file: ${(cause as Error).message}`, file, undefined, { cause });
  }
  const hit = await shared.cache.get(entry);
  if (hit !== undefined) return hit;
  const bytes = await decodeResized(file, shared.target);
  await shared.cache.put(entry, bytes);
  return bytes;
}

function makeView(shared: Shared, positions: Int32Array, name: string): StreamingImageFolder {
  const { height, width, channels } = shared.target;
  const imageBytes = height * width * channels;
  const labels = new Uint8Array(positions.length);
  for (let i = 0; i < positions.length; i++) labels[i] = shared.labels[positions[i] as number] as number;

  const checkIndices = (where: string, indices: ArrayLike<number>): Int32Array => checkSampleIndices(where, positions.length, indices);

  const read = async (indices: ArrayLike<number>): Promise<DecodedSamples> => {
    const idx = checkIndices('StreamingImageFolder.read', indices).filter((i) => !shared.bad.has(positions[i] as number));
    const decoded = await mapLimit(idx.length, shared.concurrency, async (j) => {
      const k = positions[idx[j] as number] as number;
      try {
        return await decodeListed(shared, k);
      } catch (error) {
        if (shared.policy === 'error') throw error;
        if (!shared.bad.has(k)) {
          shared.bad.add(k);
          shared.skipped.record(shared.files[k] as string, (error as Error).message);
        }
        return undefined;
      }
    });
    const kept = idx.filter((_, j) => decoded[j] !== undefined);
    const images = new Uint8Array(kept.length * imageBytes);
    let at = 0;
    for (const bytes of decoded) {
      if (bytes === undefined) continue;
      images.set(bytes, at * imageBytes);
      at++;
    }
    const keptLabels = new Uint8Array(kept.length);
    kept.forEach((i, j) => {
      keptLabels[j] = labels[i] as number;
    });
    return { images, labels: keptLabels, indices: kept, length: kept.length };
  };

  const view: StreamingImageFolder = {
    name,
    root: shared.root,
    classNames: shared.classNames,
    length: positions.length,
    labels,
    height,
    width,
    channels,
    file: (index) => shared.files[positions[checkIndices('StreamingImageFolder.file', [index])[0] as number] as number] as string,
    read,
    loader(options) {
      const where = 'StreamingImageFolder.loader';
      const { batchSize, epochs, perEpoch } = checkLoaderOptions(where, positions.length, name, options);
      const ahead = options.prefetch ?? 2;
      assertInteger(where, 'options.prefetch', ahead, 0);
      async function* batches(): AsyncGenerator<LoaderBatch, void, undefined> {
        for (const { epoch, step, indices } of batchSchedule(positions.length, options)) {
          const samples = await read(indices);
          if (samples.length === 0) continue;
          yield { ...samplesToBatch(name, shared.classNames, height, width, channels, samples), epoch, step };
        }
      }
      return {
        folder: view,
        batchesPerEpoch: perEpoch,
        epochs,
        batchSize,
        [Symbol.asyncIterator]: () => prefetch(batches(), { size: ahead, dispose: disposeBatch }),
      };
    },
    subset(indices, subsetName) {
      const idx = checkIndices('StreamingImageFolder.subset', indices);
      return makeView(shared, idx.map((i) => positions[i] as number), subsetName ?? `${name}[subset ${idx.length}]`);
    },
    skipped: () => shared.skipped.report(),
    ignored: () => shared.ignored,
    cacheStats: () => shared.cache?.stats() ?? { hits: 0, misses: 0 },
  };
  return view;
}

/** Decoded samples as a tensor batch; `indices` are the samples' positions in the folder. */
function samplesToBatch(name: string, classNames: readonly string[], height: number, width: number, channels: number, samples: DecodedSamples): TensorBatch {
  const batch: ImageDataset = { name, images: samples.images, labels: samples.labels, length: samples.length, height, width, channels, classNames };
  const positions = Array.from({ length: samples.length }, (_, i) => i);
  return { ...batchFromIndices(batch, positions), indices: samples.indices };
}
