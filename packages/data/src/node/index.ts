/**
 * @packageDocumentation
 * `@contrastive/data/node`: reading datasets from disk (Node.js): CIFAR-10 binary files with a
 * verified, safe, atomic download; Fashion-MNIST/MNIST IDX files (gzip or not); image folders
 * (PNG/JPEG); the data and cache folders (`$CONTRASTIVE_DATA_DIR`, `$CONTRASTIVE_CACHE_DIR`).
 * Each loader returns the platform-neutral `ImageDataset` of `@contrastive/data`.
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
export { IMAGE_EXTENSIONS, loadImageFolder, decodeImage, type ImageFolderOptions, type DecodedImage } from './image-folder.js';
