/**
 * @packageDocumentation
 * Data for contrastive learning, platform-neutral: the in-memory {@link ImageDataset}, seeded
 * shuffling, batching with sample indices (for memory banks), epochs, a bounded prefetch that
 * disposes what it prepared when the consumer stops early, IDX parsing, resizing, the class
 * names, tabular data (numeric rows with a label column) and seeded train/test splits. Reading
 * datasets from disk (CIFAR-10 binary with a verified, safe, atomic download; Fashion-MNIST/MNIST
 * IDX files, gzip or not; image folders of PNG/JPEG, in memory or streamed; tabular files) is in
 * `@contrastive/data/node`. Depends on `@contrastive/core` only.
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
export { CIFAR10_CLASSES, CIFAR10_RECORD_BYTES, FASHION_MNIST_CLASSES, MNIST_CLASSES } from './classes.js';
export { parseIdx, encodeIdx, IDX_TYPE_CODES, type IdxArray, type IdxDataType } from './idx.js';
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
