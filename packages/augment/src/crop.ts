/**
 * Random resized crop (Szegedy et al. 2015, "Going deeper with convolutions", §6; the
 * "random crop and resize" of Chen et al. 2020, SimCLR, §3 and Appendix A): crop a random
 * rectangle covering a random fraction of the image area with a random aspect ratio, then
 * resize it to the output size with bilinear interpolation.
 *
 * Sampling follows torchvision's `RandomResizedCrop.get_params` exactly: up to 10 attempts of
 * (area fraction ~ U(scale), aspect ratio ~ exp(U(log ratio))), each rounded with Python's
 * round-half-to-even and accepted when it fits; otherwise a centre crop clamped to the ratio
 * range.
 *
 * Resizing uses torchvision's half-pixel sampling positions (`align_corners=False`,
 * no antialiasing): output pixel `y` of a crop of height `h` starting at `top` samples the
 * source at `top + (y + 0.5) * h / outHeight - 0.5`. It runs as one batched
 * `tf.image.cropAndResize` with one box per sample, on the image padded by one edge pixel, so
 * positions up to half a pixel outside the image read the edge pixel as torchvision does.
 * One documented difference: when a crop is upsampled, positions up to half a source pixel
 * outside an interior crop edge interpolate the true neighbouring pixel, where torchvision
 * (which crops first) repeats the crop's edge pixel. Interior positions are identical.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@contrastive/core';
import { assertRng, defineAugmentation, type Augmentation } from './augmentation.js';
import { assertImages, type BatchGeometry } from './images.js';
import { assertPerSample, fail, optionsRecord, rangeOption, rejectUnknownKeys, sizeOption } from './params.js';

/** A crop rectangle in source pixels: rows `top .. top+height-1`, columns `left .. left+width-1`. */
export interface CropBox {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

/** A sampled crop with the draws that produced it (for tests and diagnostics). */
export interface ResizedCropSample extends CropBox {
  /** The area fraction drawn from `scale` by the accepted attempt; `NaN` for the fallback. */
  readonly scale: number;
  /** The aspect ratio (width / height) drawn by the accepted attempt; `NaN` for the fallback. */
  readonly aspectRatio: number;
  /** The number of attempts drawn (1 to 10). */
  readonly attempts: number;
  /** True when all 10 attempts failed and the centre-crop fallback was used. */
  readonly fallback: boolean;
}

/** Options of {@link sampleResizedCrop} and {@link randomResizedCrop}. */
export interface ResizedCropRange {
  /** Range of the crop area as a fraction of the image area; default `[0.08, 1]`. */
  readonly scale?: readonly [number, number];
  /** Range of the aspect ratio width / height, sampled log-uniformly; default `[3/4, 4/3]`. */
  readonly ratio?: readonly [number, number];
}

/** torchvision's defaults: `scale = (0.08, 1.0)`, `ratio = (3/4, 4/3)`. */
export const DEFAULT_CROP_SCALE: readonly [number, number] = [0.08, 1];
/** torchvision's default aspect-ratio range `(3/4, 4/3)`. */
export const DEFAULT_CROP_RATIO: readonly [number, number] = [3 / 4, 4 / 3];

const MAX_ATTEMPTS = 10;

/** Python's `round()`: round half to even (so `round(2.5) = 2`, `round(3.5) = 4`). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function cropRanges(where: string, range: ResizedCropRange): { scale: readonly [number, number]; ratio: readonly [number, number] } {
  const scale = rangeOption(where, 'options.scale', range.scale ?? DEFAULT_CROP_SCALE, { minExclusive: 0, max: 1 });
  const ratio = rangeOption(where, 'options.ratio', range.ratio ?? DEFAULT_CROP_RATIO, { minExclusive: 0 });
  return { scale, ratio };
}

function sampleOne(rng: Rng, height: number, width: number, scale: readonly [number, number], ratio: readonly [number, number]): ResizedCropSample {
  const area = height * width;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const s = rng.uniform(scale[0], scale[1]);
    const aspectRatio = Math.exp(rng.uniform(logLo, logHi));
    const targetArea = area * s;
    const w = roundHalfEven(Math.sqrt(targetArea * aspectRatio));
    const h = roundHalfEven(Math.sqrt(targetArea / aspectRatio));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.int(0, height - h + 1);
      const left = rng.int(0, width - w + 1);
      return { top, left, height: h, width: w, scale: s, aspectRatio, attempts: attempt, fallback: false };
    }
  }
  // Fallback: the largest centred crop whose aspect ratio lies in the range.
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < ratio[0]) h = roundHalfEven(w / ratio[0]);
  else if (inRatio > ratio[1]) w = roundHalfEven(h * ratio[1]);
  h = Math.min(Math.max(h, 1), height);
  w = Math.min(Math.max(w, 1), width);
  return {
    top: Math.floor((height - h) / 2),
    left: Math.floor((width - w) / 2),
    height: h,
    width: w,
    scale: Number.NaN,
    aspectRatio: Number.NaN,
    attempts: MAX_ATTEMPTS,
    fallback: true,
  };
}

/**
 * Draws one crop for an image of `height` x `width` pixels, as torchvision's
 * `RandomResizedCrop.get_params`.
 *
 * @example
 * ```ts
 * const s = sampleResizedCrop(Rng.fromSeed(0), 32, 32);
 * // s.width * s.height is about s.scale * 32 * 32
 * ```
 */
export function sampleResizedCrop(rng: Rng, height: number, width: number, range: ResizedCropRange = {}): ResizedCropSample {
  const where = 'sampleResizedCrop';
  assertRng(where, 'rng', rng);
  if (!Number.isSafeInteger(height) || height < 1) fail(where, 'height', 'an integer >= 1', height);
  if (!Number.isSafeInteger(width) || width < 1) fail(where, 'width', 'an integer >= 1', width);
  const { scale, ratio } = cropRanges(where, optionsRecord(where, range) as ResizedCropRange);
  return sampleOne(rng, height, width, scale, ratio);
}

/** Throws unless `boxes` holds one integer crop box inside the image per sample. */
export function assertCropBoxes(where: string, name: string, boxes: unknown, geometry: BatchGeometry): asserts boxes is readonly CropBox[] {
  assertPerSample(where, name, boxes, geometry.batchSize);
  boxes.forEach((b, i) => {
    const box = b as Partial<CropBox> | null;
    const int = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
    const ok =
      typeof box === 'object' &&
      box !== null &&
      int(box.top) &&
      int(box.left) &&
      int(box.height) &&
      int(box.width) &&
      box.top >= 0 &&
      box.left >= 0 &&
      box.height >= 1 &&
      box.width >= 1 &&
      box.top + box.height <= geometry.height &&
      box.left + box.width <= geometry.width;
    if (!ok) fail(where, `${name}[${i}]`, `an integer box { top, left, height, width } inside the ${geometry.height}x${geometry.width} image`, b);
  });
}

/** The unvalidated kernel: one `cropAndResize` over the edge-padded batch. */
export function resizedCropUnchecked(
  images: tf.Tensor4D,
  boxes: readonly CropBox[],
  size: readonly [number, number],
  flips?: readonly boolean[],
): tf.Tensor4D {
  const [batchSize, height, width] = images.shape;
  const [outH, outW] = size;
  // Normalised box coordinates in the image padded by one pixel on each side: padded
  // coordinate = source coordinate + 1, normalised by (padded size - 1).
  const coords = new Float32Array(batchSize * 4);
  boxes.forEach((box, b) => {
    const sy = box.height / outH;
    const sx = box.width / outW;
    const y1 = box.top + 0.5 * sy - 0.5 + 1;
    const y2 = box.top + box.height - 0.5 * sy - 0.5 + 1;
    const x1 = box.left + 0.5 * sx - 0.5 + 1;
    const x2 = box.left + box.width - 0.5 * sx - 0.5 + 1;
    const flip = flips?.[b] === true;
    coords[4 * b] = y1 / (height + 1);
    coords[4 * b + 1] = (flip ? x2 : x1) / (width + 1);
    coords[4 * b + 2] = y2 / (height + 1);
    coords[4 * b + 3] = (flip ? x1 : x2) / (width + 1);
  });
  return tf.tidy(() => {
    // 'symmetric' padding by one repeats the edge pixel (torchvision clamps at the border).
    const padded = tf.mirrorPad(images, [[0, 0], [1, 1], [1, 1], [0, 0]], 'symmetric');
    const boxTensor = tf.tensor2d(coords, [batchSize, 4]);
    const boxIndex = tf.range(0, batchSize, 1, 'int32') as tf.Tensor1D;
    return tf.image.cropAndResize(padded, boxTensor, boxIndex, [outH, outW], 'bilinear');
  });
}

/**
 * Crops `boxes[b]` out of image `b` and resizes it to `size` (bilinear, half-pixel sampling as
 * torchvision). With `flips[b]` true the result is also mirrored left-right, in the same pass.
 *
 * @param images `[B, H, W, C]` in [0, 1].
 * @param boxes One {@link CropBox} per sample, in source pixels.
 * @param size Output size: `S` (square) or `[height, width]`.
 * @param flips Optional per-sample horizontal flips.
 * @returns `[B, outHeight, outWidth, C]`.
 */
export function resizedCrop(
  images: tf.Tensor4D,
  boxes: readonly CropBox[],
  size: number | readonly [number, number],
  flips?: readonly boolean[],
): tf.Tensor4D {
  const where = 'resizedCrop';
  assertImages(where, 'images', images);
  const geometry = { batchSize: images.shape[0], height: images.shape[1], width: images.shape[2], channels: images.shape[3] };
  assertCropBoxes(where, 'boxes', boxes, geometry);
  const outSize = sizeOption(where, 'size', size);
  if (flips !== undefined) {
    assertPerSample(where, 'flips', flips, geometry.batchSize);
    flips.forEach((f, i) => {
      if (typeof f !== 'boolean') fail(where, `flips[${i}]`, 'a boolean', f);
    });
  }
  return resizedCropUnchecked(images, boxes, outSize, flips);
}

/** Options of {@link randomResizedCrop}. */
export interface RandomResizedCropOptions extends ResizedCropRange {
  /** Output size: `S` (square) or `[height, width]`. */
  readonly size: number | readonly [number, number];
}

/**
 * `RandomResizedCrop(size, scale, ratio)` as an {@link Augmentation}: one crop per sample.
 * Parameters: one {@link ResizedCropSample} per sample.
 *
 * @example
 * ```ts
 * const crop = randomResizedCrop({ size: 32 });              // scale (0.08, 1), ratio (3/4, 4/3)
 * const out = crop.apply(images, Rng.fromSeed(1));           // [B, 32, 32, C]
 * ```
 */
export function randomResizedCrop(options: RandomResizedCropOptions): Augmentation<readonly CropBox[]> {
  const where = 'randomResizedCrop';
  const record = optionsRecord(where, options);
  rejectUnknownKeys(where, record, ['size', 'scale', 'ratio']);
  const size = sizeOption(where, 'options.size', record['size']);
  const { scale, ratio } = cropRanges(where, record as ResizedCropRange);
  return defineAugmentation<readonly CropBox[]>({
    name: 'randomResizedCrop',
    kind: 'resizedCrop',
    output: (g) => ({ ...g, height: size[0], width: size[1] }),
    sample: (rng, g) => Array.from({ length: g.batchSize }, () => sampleOne(rng, g.height, g.width, scale, ratio)),
    check: (w, params, g) => assertCropBoxes(w, 'params', params, g),
    run: (images, boxes) => resizedCropUnchecked(images, boxes, size),
    runFlipped: (images, boxes, flips) => resizedCropUnchecked(images, boxes, size, flips),
  });
}
