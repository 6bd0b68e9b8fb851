/**
 * @packageDocumentation
 * `@contrastive/data/node`: the Node.js-only readers of the data package. Streaming image
 * folders (decoded and resized by `sharp` on libuv's worker threads as batches are consumed,
 * with a bounded queue, an optional on-disk cache, and bad files skipped with a count or
 * reported by name), and tabular files (CSV or JSON rows of numbers with a label column).
 */
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
