/**
 * @packageDocumentation
 * Batched, seeded image augmentations and the SimCLR / MoCo v2 / BYOL recipes.
 *
 * Every transform works on a batch `[B, H, W, C]` with values in [0, 1], draws per-sample
 * parameters on the CPU from an explicit {@link Rng} (same state, same output) and applies them
 * with batched tensor ops. Colour operations follow torchvision's tensor functions.
 */
export type { BatchGeometry } from './images.js';
export type { Augmentation } from './augmentation.js';
export {
  randomResizedCrop,
  resizedCrop,
  sampleResizedCrop,
  roundHalfEven,
  DEFAULT_CROP_SCALE,
  DEFAULT_CROP_RATIO,
  type CropBox,
  type ResizedCropSample,
  type ResizedCropRange,
  type RandomResizedCropOptions,
} from './crop.js';
export { randomHorizontalFlip, horizontalFlip, type RandomHorizontalFlipOptions } from './flip.js';
export { adjustBrightness, adjustContrast, adjustSaturation } from './adjust.js';
export { adjustHue, rgbToHsv, hsvToRgb } from './hsv.js';
export {
  randomColorJitter,
  colorJitter,
  sampleColorJitter,
  colorJitterRanges,
  simclrJitter,
  JITTER_OPS,
  type JitterOp,
  type ColorJitterSample,
  type ColorJitterRanges,
  type ColorJitterStrengths,
  type RandomColorJitterOptions,
} from './color-jitter.js';
export { randomGrayscale, grayscale, rgbToGrayscale, LUMA_WEIGHTS, type RandomGrayscaleOptions } from './grayscale.js';
export {
  randomGaussianBlur,
  gaussianBlur,
  gaussianKernel1d,
  defaultBlurKernelSize,
  type GaussianBlurParams,
  type RandomGaussianBlurOptions,
} from './blur.js';
export { randomSolarize, solarize, type RandomSolarizeOptions } from './solarize.js';
export { normalization, normalize, IMAGENET_STATS, CIFAR10_STATS, type ChannelStats } from './normalize.js';
export { compose, type ComposeOptions } from './compose.js';
export { multiView, type MultiViewAugmenter, type MultiViewOptions } from './views.js';
export { composition, COMPOSITION_TRANSFORMS, type CompositionOptions, type CompositionTransform } from './composition.js';
export { simclr, mocoV2, byol, type RecipeOptions, type SimclrOptions, type MocoV2Options, type ByolOptions } from './recipes.js';
export type { LocalCropsOptions } from './multi-crop.js';
export { previewGrid, type PreviewGridOptions, type RgbaImage } from './preview.js';
export { gaussianNoiseViews, type GaussianNoiseViewsOptions } from './noise-views.js';
