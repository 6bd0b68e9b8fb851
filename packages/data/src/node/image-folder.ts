/**
 * An image-folder data set: one sub-directory per class (as torchvision's `ImageFolder`),
 * PNG decoded with `pngjs`, JPEG with `jpeg-js`, every image brought to one fixed size.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ArgumentError, DataFormatError, assertOneOf, assertOptionsObject, describeValue } from '@contrastive/core';
import type { ImageDataset } from '../dataset.js';
import { assertOptionalDir } from './paths.js';
import { resizeImage, type ResizeMethod } from '../resize.js';
import { unreadableFile } from '../unreadable.js';
import { rgbaToChannels } from '../channels.js';
import { listImageFolder } from './list-folder.js';

export { IMAGE_EXTENSIONS, UNLABELLED_CLASS } from './list-folder.js';


/** Options of {@link loadImageFolder}. */
export interface ImageFolderOptions {
  /** The root: each sub-directory is a class, named by the directory. */
  readonly dir: string;
  /** `[height, width]` of every image; default: the size of the first image read. */
  readonly size?: readonly [number, number];
  /**
   * What to do with an image of another size: `'error'` (default; a {@link DataFormatError}
   * naming the file and both sizes), or resize it with `'bilinear'` or `'nearest'`
   * interpolation (half-pixel centres, no antialiasing; see {@link resizeImage}).
   */
  readonly resize?: 'error' | ResizeMethod;
  /** 3 (RGB, default) or 1 (grey: ITU-R BT.601 luma, round(0.299 R + 0.587 G + 0.114 B)). */
  readonly channels?: 1 | 3;
  /** The data set's name; default the directory's name. */
  readonly name?: string;
  /**
   * False: `dir` holds the images themselves (recursively, no classes); every label is 0 of
   * the one class {@link UNLABELLED_CLASS}. Default true (a sub-directory per class).
   */
  readonly labelled?: boolean;
}


/** A decoded image: `width x height` RGBA bytes. */
export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  /** RGBA, row-major, 4 bytes per pixel. */
  readonly rgba: Uint8Array;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];
const startsWith = (bytes: Uint8Array, magic: readonly number[]): boolean => magic.every((b, i) => bytes[i] === b);

/**
 * Decodes PNG or JPEG bytes (recognised by their signature, not the file name) to RGBA.
 * 16-bit PNGs are scaled to 8 bits. Throws {@link DataFormatError} naming `file`: offset 0
 * for an unknown signature; the decoder's message (no offset) for a corrupt or truncated body.
 */
export function decodeImage(bytes: Uint8Array, file: string): DecodedImage {
  if (!(bytes instanceof Uint8Array)) {
    throw new ArgumentError(`decodeImage: argument 'bytes' must be a Uint8Array, received ${describeValue(bytes)}`, { argument: 'bytes', received: bytes });
  }
  try {
    if (startsWith(bytes, PNG_MAGIC)) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    }
    if (startsWith(bytes, JPEG_MAGIC)) {
      // tolerantDecoding: false, so a truncated JPEG is an error rather than a half-grey image.
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, tolerantDecoding: false, maxResolutionInMP: 100, maxMemoryUsageInMB: 512 });
      if (img.data.length !== img.width * img.height * 4) throw new Error(`decoded ${img.data.length} bytes for ${img.width}x${img.height} RGBA`);
      return { width: img.width, height: img.height, rgba: img.data };
    }
  } catch (cause) {
    throw new DataFormatError(`${file}: cannot decode image: ${(cause as Error).message}`, file, undefined, { cause });
  }
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new DataFormatError(`${file}: not a PNG or JPEG file (first bytes at offset 0: ${head || 'none, empty file'})`, file, 0, { received: head });
}

/**
 * Loads an image folder: `dir/<class>/**\/*.{png,jpg,jpeg}`. Classes are the sub-directories
 * in sorted (code-point) order, label = position; files in the root and hidden entries are
 * ignored; alpha is dropped. Every image ends up `size` (see `resize`). At most 256 classes.
 *
 * @example
 * ```ts
 * const ds = await loadImageFolder({ dir: 'photos', size: [32, 32], resize: 'bilinear' });
 * // ds.classNames = ['cats', 'dogs']; ds.images: N x 32 x 32 x 3 bytes
 * ```
 */
export async function loadImageFolder(options: ImageFolderOptions): Promise<ImageDataset> {
  const where = 'loadImageFolder';
  assertOptionsObject(where, 'options', options);
  if (options === undefined || options.dir === undefined) throw new ArgumentError(`${where}: argument 'options.dir' is required`, { argument: 'options.dir' });
  assertOptionalDir(where, 'options.dir', options.dir);
  const resize = options.resize ?? 'error';
  assertOneOf(where, 'options.resize', resize, ['error', 'bilinear', 'nearest'] as const);
  const channels = options.channels ?? 3;
  if (channels !== 1 && channels !== 3) {
    throw new ArgumentError(`${where}: argument 'options.channels' must be 1 or 3, received ${describeValue(channels)}`, { argument: 'options.channels', expected: '1 or 3', received: channels });
  }
  if (options.size !== undefined) {
    const s = options.size as unknown;
    if (!Array.isArray(s) || s.length !== 2 || !s.every((v) => Number.isSafeInteger(v) && v >= 1)) {
      throw new ArgumentError(`${where}: argument 'options.size' must be [height, width] of integers >= 1, received ${describeValue(s)}`, {
        argument: 'options.size', expected: '[height, width]', received: s,
      });
    }
  }
  const labelled = options.labelled ?? true;
  if (typeof labelled !== 'boolean') {
    throw new ArgumentError(`${where}: argument 'options.labelled' must be a boolean, received ${describeValue(labelled)}`, { argument: 'options.labelled', expected: 'a boolean', received: labelled });
  }
  const { root, classNames, files: paths, labels: listedLabels } = await listImageFolder(where, options.dir, labelled);
  const files = paths.map((file, i) => ({ file, label: listedLabels[i] as number }));

  let height = options.size?.[0];
  let width = options.size?.[1];
  let images = new Uint8Array(0);
  const labels = new Uint8Array(files.length);
  for (let i = 0; i < files.length; i++) {
    const { file, label } = files[i] as { file: string; label: number };
    const decoded = decodeImage(await readFile(file).catch((cause: unknown) => Promise.reject(unreadableFile(file, 'image', cause))), file);
    if (height === undefined || width === undefined) {
      height = decoded.height;
      width = decoded.width;
    }
    if (images.length === 0) images = new Uint8Array(files.length * height * width * channels);
    let pixels = rgbaToChannels(decoded.rgba, decoded.width * decoded.height, channels);
    if (decoded.height !== height || decoded.width !== width) {
      if (resize === 'error') {
        throw new DataFormatError(
          `${file}: image is ${decoded.height}x${decoded.width} (height x width), expected ${height}x${width}${options.size === undefined ? ' (the size of the first image)' : ''}; pass resize: 'bilinear' or 'nearest' to resize`,
          file,
          undefined,
          { expected: `${height}x${width}`, received: `${decoded.height}x${decoded.width}` },
        );
      }
      pixels = resizeImage(pixels, decoded.height, decoded.width, channels, height, width, resize);
    }
    images.set(pixels, i * height * width * channels);
    labels[i] = label;
  }
  return {
    name: options.name ?? path.basename(root),
    images,
    labels,
    length: files.length,
    height: height as number,
    width: width as number,
    channels,
    classNames,
  };
}
