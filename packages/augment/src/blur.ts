/**
 * Gaussian blur (SimCLR, Chen et al. 2020, Appendix A: "we blur the image 50% of the time
 * using a Gaussian kernel. We randomly sample sigma in [0.1, 2.0], and the kernel size is set to
 * be 10% of the image height/width"), as torchvision's `GaussianBlur(kernel_size, sigma)`:
 * kernel `exp(-x^2 / (2 sigma^2))` normalised to sum 1 over `x = -(k-1)/2 .. (k-1)/2`, reflect
 * padding (the edge pixel is not repeated), applied in both directions (separable).
 *
 * Batched: each sample has its own sigma, so the batch is laid out as one image with
 * `B * C` channels and blurred by two depthwise convolutions (k x 1, then 1 x k) whose filter
 * for channel `b * C + c` is sample b's kernel (padded with zero taps to 3, 9 or 25 taps, the
 * sizes XNNPACK runs fast). Samples that are not blurred are not computed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { defineAugmentation, type Augmentation } from './augmentation.js';
import { applyToSamples } from './batch.js';
import { assertImages, type BatchGeometry } from './images.js';
import { assertPerSample, fail, optionsRecord, probabilityOption, rangeOption, rejectUnknownKeys } from './params.js';

/**
 * The 1-D Gaussian kernel of torchvision's `_get_gaussian_kernel1d`: weights at
 * `-(k-1)/2 .. (k-1)/2`, proportional to `exp(-x^2 / (2 sigma^2))`, summing to 1.
 */
export function gaussianKernel1d(kernelSize: number, sigma: number): Float32Array {
  const where = 'gaussianKernel1d';
  if (!Number.isSafeInteger(kernelSize) || kernelSize < 1 || kernelSize % 2 !== 1) fail(where, 'kernelSize', 'an odd integer >= 1', kernelSize);
  if (typeof sigma !== 'number' || !Number.isFinite(sigma) || sigma <= 0) fail(where, 'sigma', 'a finite number > 0', sigma);
  const half = (kernelSize - 1) / 2;
  const weights = Array.from({ length: kernelSize }, (_, i) => Math.exp(-0.5 * ((i - half) / sigma) ** 2));
  const total = weights.reduce((s, v) => s + v, 0);
  return Float32Array.from(weights, (v) => v / total);
}

/**
 * SimCLR's kernel size for an image side: about 10% of the side, made odd
 * (`2 * floor(floor(side / 10) / 2) + 1`, as the official implementation): 3 for 32, 23 for 224.
 */
export function defaultBlurKernelSize(side: number): number {
  if (!Number.isSafeInteger(side) || side < 1) fail('defaultBlurKernelSize', 'side', 'an integer >= 1', side);
  return 2 * Math.floor(Math.floor(side / 10) / 2) + 1;
}

/** Parameters of a blur over a batch: one kernel size, one sigma (or null: not blurred) per sample. */
export interface GaussianBlurParams {
  readonly kernelSize: number;
  readonly sigmas: readonly (number | null)[];
}

function assertKernelFits(where: string, name: string, kernelSize: unknown, geometry: BatchGeometry): asserts kernelSize is number {
  const side = Math.min(geometry.height, geometry.width);
  if (!Number.isSafeInteger(kernelSize) || (kernelSize as number) < 1 || (kernelSize as number) % 2 !== 1 || ((kernelSize as number) - 1) / 2 >= side) {
    fail(where, name, `an odd integer >= 1 whose radius (k-1)/2 is below the image side ${side} (reflect padding)`, kernelSize);
  }
}

/** Throws unless `params` fits the geometry. */
export function assertBlurParams(where: string, name: string, params: unknown, geometry: BatchGeometry): asserts params is GaussianBlurParams {
  if (typeof params !== 'object' || params === null) fail(where, name, 'an object { kernelSize, sigmas }', params);
  const p = params as Partial<GaussianBlurParams>;
  assertKernelFits(where, `${name}.kernelSize`, p.kernelSize, geometry);
  assertPerSample(where, `${name}.sigmas`, p.sigmas, geometry.batchSize);
  p.sigmas.forEach((s, i) => {
    if (s !== null && (typeof s !== 'number' || !Number.isFinite(s) || s <= 0)) fail(where, `${name}.sigmas[${i}]`, 'a finite number > 0 or null', s);
  });
}

/**
 * The tap count the depthwise convolutions run with: XNNPACK (the wasm engine) has fast
 * single-pass kernels for 3, 9 and 25 taps and falls back to slow generic code otherwise
 * (23 taps measured 7x slower than 25), so odd kernels are padded with zero taps up to the next
 * of these sizes. Zero taps add exact zeros: the result is unchanged.
 */
function fastTapCount(kernelSize: number): number {
  return [3, 9, 25].find((t) => t >= kernelSize) ?? kernelSize;
}

/** Blurs every sample of `images` with its own sigma. */
function blurAll(images: tf.Tensor4D, sigmas: readonly number[], kernelSize: number): tf.Tensor4D {
  const [n, height, width, channels] = images.shape;
  const radius = (kernelSize - 1) / 2;
  const taps = fastTapCount(kernelSize);
  const extra = (taps - kernelSize) / 2;
  // Filter [taps, 1, n*C, 1]: channel b*C + c carries sample b's kernel (tap-major layout),
  // centred between `extra` zero taps on each side.
  const weights = new Float32Array(taps * n * channels);
  sigmas.forEach((sigma, b) => {
    const kernel = gaussianKernel1d(kernelSize, sigma);
    for (let i = 0; i < kernelSize; i++) {
      for (let c = 0; c < channels; c++) weights[(i + extra) * n * channels + b * channels + c] = kernel[i] as number;
    }
  });
  return tf.tidy(() => {
    // [n, H, W, C] -> [1, H, W, n*C]: one image whose channels are (sample, channel) pairs.
    const stacked = tf.reshape(tf.transpose(images, [1, 2, 0, 3]), [1, height, width, n * channels]) as tf.Tensor4D;
    let padded = tf.mirrorPad(stacked, [[0, 0], [radius, radius], [radius, radius], [0, 0]], 'reflect');
    // The zero taps read these extra rows and columns; their values do not matter.
    if (extra > 0) padded = tf.pad(padded, [[0, 0], [extra, extra], [extra, extra], [0, 0]]);
    const vertical = tf.depthwiseConv2d(padded, tf.tensor4d(weights, [taps, 1, n * channels, 1]), 1, 'valid');
    const both = tf.depthwiseConv2d(vertical, tf.tensor4d(weights, [1, taps, n * channels, 1]), 1, 'valid');
    const back = tf.transpose(tf.reshape(both, [height, width, n, channels]), [2, 0, 1, 3]) as tf.Tensor4D;
    return tf.clipByValue(back, 0, 1) as tf.Tensor4D;
  });
}

/** The unvalidated kernel. */
export function gaussianBlurUnchecked(images: tf.Tensor4D, params: GaussianBlurParams): tf.Tensor4D {
  if (params.kernelSize === 1) return tf.clone(images);
  const flags = params.sigmas.map((s) => s !== null);
  return applyToSamples(images, flags, (subset, indices) =>
    blurAll(
      subset,
      indices.map((i) => params.sigmas[i] as number),
      params.kernelSize,
    ),
  );
}

/**
 * Blurs image `b` with a Gaussian of standard deviation `sigmas[b]` (null: unchanged), kernel
 * size `kernelSize`, reflect padding, as torchvision's `gaussian_blur`.
 *
 * @param images `[B, H, W, C]` in [0, 1].
 * @param sigmas One sigma > 0 for all images or one (or null) per image.
 * @param kernelSize Odd; default {@link defaultBlurKernelSize} of the smaller side.
 * @returns `[B, H, W, C]`.
 */
export function gaussianBlur(images: tf.Tensor4D, sigmas: number | readonly (number | null)[], kernelSize?: number): tf.Tensor4D {
  const where = 'gaussianBlur';
  assertImages(where, 'images', images);
  const [n, height, width, channels] = images.shape;
  const geometry = { batchSize: n, height, width, channels };
  const size = kernelSize ?? defaultBlurKernelSize(Math.min(height, width));
  assertKernelFits(where, 'kernelSize', size, geometry);
  const list = typeof sigmas === 'number' ? new Array<number>(n).fill(sigmas) : sigmas;
  const params = { kernelSize: size, sigmas: list };
  assertBlurParams(where, 'params', params, geometry);
  return gaussianBlurUnchecked(images, params);
}

/** Options of {@link randomGaussianBlur}. */
export interface RandomGaussianBlurOptions {
  /** Probability of blurring each sample; default 0.5 (SimCLR). */
  readonly p?: number;
  /** Range of sigma, drawn uniformly; default `[0.1, 2.0]`. */
  readonly sigma?: readonly [number, number];
  /** Odd kernel size; default {@link defaultBlurKernelSize} of the smaller input side. */
  readonly kernelSize?: number;
}

/**
 * `RandomApply([GaussianBlur(kernel_size, sigma=(0.1, 2.0))], p)` as an {@link Augmentation}.
 * Parameters: {@link GaussianBlurParams}.
 *
 * @example
 * ```ts
 * const blur = randomGaussianBlur({ p: 0.5 }); // kernel 23 on 224 x 224 images
 * ```
 */
export function randomGaussianBlur(options: RandomGaussianBlurOptions = {}): Augmentation<GaussianBlurParams> {
  const where = 'randomGaussianBlur';
  const record = optionsRecord(where, options);
  rejectUnknownKeys(where, record, ['p', 'sigma', 'kernelSize']);
  const p = probabilityOption(where, record, 'p', 0.5);
  const sigma = rangeOption(where, 'options.sigma', record['sigma'] ?? [0.1, 2.0], { minExclusive: 0 });
  const fixedSize = record['kernelSize'];
  if (fixedSize !== undefined && (!Number.isSafeInteger(fixedSize) || (fixedSize as number) < 1 || (fixedSize as number) % 2 !== 1)) {
    fail(where, 'options.kernelSize', 'an odd integer >= 1', fixedSize);
  }
  return defineAugmentation<GaussianBlurParams>({
    name: 'randomGaussianBlur',
    sample: (rng, g) => {
      const kernelSize = (fixedSize as number | undefined) ?? defaultBlurKernelSize(Math.min(g.height, g.width));
      assertKernelFits(`${where}.sample`, 'options.kernelSize', kernelSize, g);
      return { kernelSize, sigmas: Array.from({ length: g.batchSize }, () => (rng.bernoulli(p) ? rng.uniform(sigma[0], sigma[1]) : null)) };
    },
    check: (w, params, g) => assertBlurParams(w, 'params', params, g),
    run: gaussianBlurUnchecked,
  });
}
