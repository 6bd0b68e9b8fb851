/**
 * Decoding and resizing of one image file with `sharp` (libvips): the work runs on libuv's
 * worker threads, never on the JavaScript thread, so a training step and the decoding of the
 * next batch overlap.
 */
import sharp, { type OutputInfo } from 'sharp';
import { DataFormatError } from '@contrastive/core';
import { rgbaToChannels } from '../channels.js';

/** The size every image is brought to. */
export interface ImageTarget {
  readonly height: number;
  readonly width: number;
  /** 3 (RGB) or 1 (grey: ITU-R BT.601 luma of the resized RGB). */
  readonly channels: 1 | 3;
}

/**
 * Decodes `file` (PNG or JPEG, recognised by content; any format libvips reads) and resizes it
 * to exactly `target` (aspect ratio not kept, as `loadImageFolder`'s resize; libvips' default
 * Lanczos-3 kernel, which antialiases when shrinking). 16-bit images are reduced to 8 bits,
 * grey images expanded to RGB, alpha dropped. Returns `height * width * channels` bytes, HWC.
 *
 * Truncated and corrupt files fail (`failOn: 'warning'`: a JPEG that ends early is an error,
 * not a half-grey image). Every failure, including a missing or unreadable file, is a
 * {@link DataFormatError} whose `file` is the path.
 */
export async function decodeResized(file: string, target: ImageTarget): Promise<Uint8Array> {
  let data: Buffer;
  let info: OutputInfo;
  try {
    ({ data, info } = await sharp(file, { failOn: 'warning' })
      .resize(target.width, target.height, { fit: 'fill' })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true }));
  } catch (cause) {
    throw new DataFormatError(`${file}: cannot decode image: ${(cause as Error).message.split('\n')[0]}`, file, undefined, { cause });
  }
  if (info.channels !== 4 || info.width !== target.width || info.height !== target.height || data.length !== target.width * target.height * 4) {
    throw new DataFormatError(`${file}: decoder returned ${info.width}x${info.height}x${info.channels} (${data.length} bytes), expected ${target.width}x${target.height}x4`, file);
  }
  return rgbaToChannels(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), target.width * target.height, target.channels);
}
