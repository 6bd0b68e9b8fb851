/**
 * @packageDocumentation
 * `@contrastive/data/node`: reading datasets from disk (Node.js): CIFAR-10 binary files with a
 * verified, safe, atomic download; Fashion-MNIST/MNIST IDX files (gzip or not); image folders
 * (PNG/JPEG); the data and cache folders (`$CONTRASTIVE_DATA_DIR`, `$CONTRASTIVE_CACHE_DIR`).
 * Each loader returns the platform-neutral `ImageDataset` of `@contrastive/data`. Also streaming
 * image folders (decoded and resized by `sharp` on libuv's worker threads as batches are consumed,
 * with a bounded queue, an optional on-disk cache, and bad files skipped with a count or reported
 * by name), and tabular files (CSV or JSON rows of numbers with a label column).
 */
export { DATA_DIR_ENV, CACHE_DIR_ENV, resolveDataDir, resolveCacheDir } from './paths.js';
export {
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
export { readIdx, type ReadIdxOptions } from './read-idx.js';
export {
  DEBIAN_FASHION_MNIST_DIR,
  loadFashionMnist,
  loadMnist,
  loadIdxImageDataset,
  type LoadMnistOptions,
  type IdxImageDatasetOptions,
} from './mnist.js';
export { UNLABELLED_CLASS, loadImageFolder, decodeImage, type ImageFolderOptions, type DecodedImage } from './image-folder.js';
export {
  openImageFolder,
  type StreamImageFolderOptions,
  type StreamingImageFolder,
  type StreamingLoader,
  type StreamingLoaderOptions,
  type DecodedSamples,
} from './stream-folder.js';
export { listImageFolder, IMAGE_EXTENSIONS, type ImageFolderListing } from './list-folder.js';
export { decodeResized, type ImageTarget } from './decode-resized.js';
export { DecodedImageCache, type CacheStats } from './image-cache.js';
export { SkippedFiles, type BadFilePolicy, type SkippedFile, type SkippedFilesReport } from './bad-files.js';
export { loadTabular, type LoadTabularOptions } from './tabular-file.js';
