/**
 * @packageDocumentation
 * Data for contrastive learning: CIFAR-10 (original binary format, with a verified, safe,
 * atomic download), Fashion-MNIST/MNIST (IDX, gzip or not), image folders (PNG/JPEG), all as
 * one in-memory {@link ImageDataset}; seeded shuffling, batching with sample indices (for
 * memory banks), epochs, and a bounded prefetch that disposes what it prepared when the
 * consumer stops early; tabular data (numeric rows with a label column) and seeded train/test
 * splits. Streaming image folders and file readers of tabular data are in the `./node` entry.
 * Depends on `@contrastive/core` only.
 */
export {
  createImageDataset,
  batchFromIndices,
  disposeBatch,
  subsetDataset,
  imageAt,
  classCounts,
  assertDataset,
  type ImageDataset,
  type ImageDatasetFields,
  type TensorBatch,
} from './dataset.js';
export { ChecksumError, UnsafeArchiveError, DownloadError } from './errors.js';
export { DATA_DIR_ENV, CACHE_DIR_ENV, resolveDataDir, resolveCacheDir } from './paths.js';
export {
  CIFAR10_CLASSES,
  CIFAR10_RECORD_BYTES,
  locateCifar10,
  readCifar10Binary,
  loadCifar10,
  type Cifar10Layout,
  type Cifar10Files,
  type ReadCifar10Options,
  type LoadCifar10Options,
} from './cifar10.js';
export { CIFAR10_URL, CIFAR10_OFFICIAL_MD5, ensureCifar10, type EnsureCifar10Options, type EnsureCifar10Result } from './ensure-cifar10.js';
export { downloadFile, type DownloadFileOptions, type DownloadProgress, type DownloadResult } from './download.js';
export { inspectTarArchive, extractTarSafely, unsafeEntryReason } from './archive.js';
export { parseIdx, readIdx, encodeIdx, IDX_TYPE_CODES, type IdxArray, type IdxDataType, type ReadIdxOptions } from './idx.js';
export {
  FASHION_MNIST_CLASSES,
  MNIST_CLASSES,
  DEBIAN_FASHION_MNIST_DIR,
  loadFashionMnist,
  loadMnist,
  loadIdxImageDataset,
  type LoadMnistOptions,
  type IdxImageDatasetOptions,
} from './mnist.js';
export { IMAGE_EXTENSIONS, UNLABELLED_CLASS, loadImageFolder, decodeImage, type ImageFolderOptions, type DecodedImage } from './image-folder.js';
export { resizeImage, type ResizeMethod } from './resize.js';
export {
  epochOrder,
  chunkOrder,
  epochBatches,
  batchesPerEpoch,
  batchSchedule,
  type BatchingOptions,
  type ScheduleOptions,
  type ScheduledBatch,
} from './shuffle.js';
export { prefetch, type PrefetchOptions } from './prefetch.js';
export { createDataLoader, type DataLoader, type DataLoaderOptions, type LoaderBatch } from './loader.js';
export { splitIndices, type SplitOptions, type SplitIndices } from './split.js';
export { tabularBatch, subsetTabular, type TabularDataset, type TabularBatch } from './tabular-dataset.js';
export { parseTabular, type ParseTabularOptions } from './tabular-parse.js';
export { createTabularLoader, type TabularLoader, type TabularLoaderBatch } from './tabular-loader.js';
