/**
 * The augmentation recipes of the papers, as {@link ViewAugmenter}s:
 * - {@link simclr}: Chen et al. 2020, SimCLR, Appendix A (and its CIFAR-10 variant, B.9);
 * - {@link mocoV2}: Chen et al. 2020, "Improved Baselines with Momentum Contrastive Learning"
 *   (the `aug_plus` pipeline of the MoCo repository);
 * - {@link byol}: Grill et al. 2020, BYOL, Appendix B, Table 6 (two asymmetric views).
 *
 * Outputs are in [0, 1] unless `normalize` is given (then `(x - mean) / std` is the last step).
 */
import type { Augmentation } from './augmentation.js';
import { randomGaussianBlur } from './blur.js';
import { randomColorJitter, simclrJitter } from './color-jitter.js';
import { compose } from './compose.js';
import { randomResizedCrop } from './crop.js';
import { randomHorizontalFlip } from './flip.js';
import { randomGrayscale } from './grayscale.js';
import { assertStats, normalization, type ChannelStats } from './normalize.js';
import { fail, optionsRecord, rangeOption, rejectUnknownKeys, sizeOption } from './params.js';
import { randomSolarize } from './solarize.js';
import { multiView, type MultiViewAugmenter } from './views.js';
import { localCropsOption, type LocalCropsOptions } from './multi-crop.js';

/** Options shared by the recipes. */
export interface RecipeOptions {
  /** Output size: `S` (square) or `[height, width]`; e.g. 32 for CIFAR-10, 224 for ImageNet. */
  readonly size: number | readonly [number, number];
  /** Dataset statistics for a final `(x - mean) / std`; default none (outputs stay in [0, 1]). */
  readonly normalize?: ChannelStats;
  /** Check input values are in [0, 1] on every call; default true (see {@link MultiViewOptions}). */
  readonly checkValues?: boolean;
  /**
   * Multi-crop (Caron et al. 2020, SwAV, Sec. 3.2): N extra local views of a smaller size
   * (crop scale default (0.05, 0.14)), after the global views. Default none.
   */
  readonly localCrops?: LocalCropsOptions;
}

/** Options of {@link simclr}. */
export interface SimclrOptions extends RecipeOptions {
  /** Colour distortion strength s; default 1 (ImageNet). CIFAR-10 uses 0.5. */
  readonly strength?: number;
  /** Gaussian blur with p = 0.5; default true (ImageNet). CIFAR-10 turns it off. */
  readonly blur?: boolean;
  /** Number of views; default 2. */
  readonly views?: number;
  /** Crop area range; default `[0.08, 1]`. */
  readonly scale?: readonly [number, number];
}

/** Options of {@link mocoV2}. */
export interface MocoV2Options extends RecipeOptions {
  /** Number of views; default 2 (query and key). */
  readonly views?: number;
}

/** Options of {@link byol}. */
export type ByolOptions = RecipeOptions;

/** The most views a recipe makes of each image (multi-crop setups use up to 10; each view is a whole batch). */
export const MAX_VIEWS = 64;

function viewCount(where: string, value: unknown): number {
  const v = value ?? 2;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > MAX_VIEWS) fail(where, 'options.views', `an integer in [1, ${MAX_VIEWS}]`, v);
  return v;
}

/** Appends `normalization(stats)` when statistics are given (checked as `options.normalize`). */
function finish(where: string, steps: Augmentation[], stats: unknown): Augmentation[] {
  if (stats === undefined) return steps;
  assertStats(where, 'options.normalize', stats, 3);
  return [...steps, normalization(stats)];
}

/** The local views of `options.localCrops` (none when absent), built by the recipe's own view factory. */
function localViews(
  where: string,
  record: Record<string, unknown>,
  globalSize: readonly [number, number],
  makeView: (crop: { size: readonly [number, number]; scale: readonly [number, number] }, name: string) => Augmentation,
  name: string,
): Augmentation[] {
  const local = localCropsOption(where, record['localCrops'], globalSize);
  if (local === null) return [];
  return new Array<Augmentation>(local.count).fill(makeView({ size: local.size, scale: local.scale }, name));
}

function checkValuesOption(where: string, value: unknown): boolean {
  const v = value ?? true;
  if (typeof v !== 'boolean') fail(where, 'options.checkValues', 'a boolean', v);
  return v;
}

/**
 * SimCLR's augmentation (Chen et al. 2020, Appendix A): random resized crop (scale
 * (0.08, 1), ratio (3/4, 4/3)) with horizontal flip (p = 0.5), colour jitter of strength s
 * (0.8 s, 0.8 s, 0.8 s, 0.2 s, random order, p = 0.8), grayscale (p = 0.2), and Gaussian
 * blur (p = 0.5, sigma in [0.1, 2], kernel 10% of the side). Paper defaults: s = 1, blur on;
 * CIFAR-10: s = 0.5, blur off (Appendix B.9).
 *
 * @example
 * ```ts
 * const aug = simclr({ size: 32, strength: 0.5, blur: false }); // CIFAR-10
 * const [v1, v2] = aug.apply(images, rng);
 * ```
 */
export function simclr(options: SimclrOptions): MultiViewAugmenter {
  const where = 'simclr';
  const record = optionsRecord(where, options);
  rejectUnknownKeys(where, record, ['size', 'strength', 'blur', 'views', 'scale', 'normalize', 'checkValues', 'localCrops']);
  const size = sizeOption(where, 'options.size', record['size']);
  const strength = record['strength'] ?? 1;
  if (typeof strength !== 'number' || !Number.isFinite(strength) || strength < 0 || strength > 2.5) {
    fail(where, 'options.strength', 'a finite number in [0, 2.5]', strength);
  }
  const blur = record['blur'] ?? true;
  if (typeof blur !== 'boolean') fail(where, 'options.blur', 'a boolean', blur);
  const scale = rangeOption(where, 'options.scale', record['scale'] ?? [0.08, 1], { minExclusive: 0, max: 1 });
  const makeView = (crop: { size: readonly [number, number]; scale: readonly [number, number] }, name: string): Augmentation => {
    const steps: Augmentation[] = [
      randomResizedCrop(crop),
      randomHorizontalFlip({ p: 0.5 }),
      randomColorJitter(simclrJitter(strength)),
      randomGrayscale({ p: 0.2 }),
    ];
    if (blur) steps.push(randomGaussianBlur({ p: 0.5, sigma: [0.1, 2.0] }));
    return compose(finish(where, steps, record['normalize']), { name });
  };
  const views = viewCount(where, record['views']);
  const all = [...new Array<Augmentation>(views).fill(makeView({ size, scale }, 'simclr-view')), ...localViews(where, record, size, makeView, 'simclr-local')];
  return multiView({ name: 'simclr', views: all, checkValues: checkValuesOption(where, record['checkValues']) });
}

/**
 * MoCo v2's augmentation (Chen et al. 2020, "Improved Baselines", the MoCo repository's
 * `aug_plus`): random resized crop (scale (0.2, 1)), colour jitter (0.4, 0.4, 0.4, 0.1,
 * p = 0.8), grayscale (p = 0.2), Gaussian blur (sigma in [0.1, 2], p = 0.5), horizontal flip.
 * The repository blurs with PIL's `GaussianBlur(radius=sigma)`; here the Gaussian kernel of
 * 10% of the side is used, as in SimCLR.
 *
 * @example
 * ```ts
 * const aug = mocoV2({ size: 224, normalize: IMAGENET_STATS });
 * ```
 */
export function mocoV2(options: MocoV2Options): MultiViewAugmenter {
  const where = 'mocoV2';
  const record = optionsRecord(where, options);
  rejectUnknownKeys(where, record, ['size', 'views', 'normalize', 'checkValues', 'localCrops']);
  const size = sizeOption(where, 'options.size', record['size']);
  const makeView = (crop: { size: readonly [number, number]; scale: readonly [number, number] }, name: string): Augmentation =>
    compose(
      finish(
        where,
        [
          randomResizedCrop(crop),
          randomColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, p: 0.8 }),
          randomGrayscale({ p: 0.2 }),
          randomGaussianBlur({ p: 0.5, sigma: [0.1, 2.0] }),
          randomHorizontalFlip({ p: 0.5 }),
        ],
        record['normalize'],
      ),
      { name },
    );
  const views = viewCount(where, record['views']);
  const all = [...new Array<Augmentation>(views).fill(makeView({ size, scale: [0.2, 1] }, 'mocoV2-view')), ...localViews(where, record, size, makeView, 'mocoV2-local')];
  return multiView({ name: 'mocoV2', views: all, checkValues: checkValuesOption(where, record['checkValues']) });
}

/**
 * BYOL's two asymmetric views (Grill et al. 2020, Appendix B, Table 6): both use random
 * resized crop (scale (0.08, 1)), flip (p = 0.5), colour jitter (brightness 0.4, contrast 0.4,
 * saturation 0.2, hue 0.1, random order, p = 0.8) and grayscale (p = 0.2); view 1 always blurs
 * and never solarizes, view 2 blurs with p = 0.1 and solarizes (threshold 0.5) with p = 0.2.
 *
 * @example
 * ```ts
 * const aug = byol({ size: 224 });
 * const [online, target] = aug.apply(images, rng);
 * ```
 */
export function byol(options: ByolOptions): MultiViewAugmenter {
  const where = 'byol';
  const record = optionsRecord(where, options);
  rejectUnknownKeys(where, record, ['size', 'normalize', 'checkValues', 'localCrops']);
  const size = sizeOption(where, 'options.size', record['size']);
  const view = (blurP: number, solarizeP: number, name: string, crop: { size: readonly [number, number]; scale: readonly [number, number] } = { size, scale: [0.08, 1] }): Augmentation =>
    compose(
      finish(
        where,
        [
          randomResizedCrop(crop),
          randomHorizontalFlip({ p: 0.5 }),
          randomColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.2, hue: 0.1, p: 0.8 }),
          randomGrayscale({ p: 0.2 }),
          randomGaussianBlur({ p: blurP, sigma: [0.1, 2.0] }),
          randomSolarize({ p: solarizeP, threshold: 0.5 }),
        ],
        record['normalize'],
      ),
      { name },
    );
  return multiView({
    name: 'byol',
    // Local crops (multi-crop) blur with p = 0.5 and never solarize, as DINO's local views.
    views: [view(1.0, 0.0, 'byol-view1'), view(0.1, 0.2, 'byol-view2'), ...localViews(where, record, size, (crop, name) => view(0.5, 0, name, crop), 'byol-local')],
    checkValues: checkValuesOption(where, record['checkValues']),
  });
}
