/**
 * A chosen composition of SimCLR's transformations, for the ablation of Chen et al. 2020
 * ("A Simple Framework for Contrastive Learning of Visual Representations"), Sec. 3, Figure 5:
 * which pairs of transformations make the prediction task hard enough to learn good
 * representations. Each transformation keeps its probability and strength from the SimCLR
 * recipe (Appendix A); the listed ones run in the given order on every view.
 */
import type { Augmentation } from './augmentation.js';
import { randomGaussianBlur } from './blur.js';
import { randomColorJitter, simclrJitter } from './color-jitter.js';
import { compose } from './compose.js';
import { randomResizedCrop } from './crop.js';
import { randomHorizontalFlip } from './flip.js';
import { randomGrayscale } from './grayscale.js';
import { fail, optionsRecord, rejectUnknownKeys, sizeOption } from './params.js';
import { randomSolarize } from './solarize.js';
import { multiView, type MultiViewAugmenter } from './views.js';

/** The transformations {@link composition} knows, with SimCLR's settings (Appendix A). */
export const COMPOSITION_TRANSFORMS = ['crop', 'color', 'grayscale', 'blur', 'flip', 'solarize', 'none'] as const;
/** One of {@link COMPOSITION_TRANSFORMS}. */
export type CompositionTransform = (typeof COMPOSITION_TRANSFORMS)[number];

/** Options of {@link composition}. */
export interface CompositionOptions {
  /** Output size: `S` (square) or `[height, width]`. */
  readonly size: number | readonly [number, number];
  /**
   * The transformations, in order, applied to every view:
   * `crop` random resized crop (scale (0.08, 1), ratio (3/4, 4/3));
   * `color` colour jitter of strength s (0.8 s, 0.8 s, 0.8 s, 0.2 s, p = 0.8);
   * `grayscale` (p = 0.2); `blur` Gaussian blur (p = 0.5, sigma in [0.1, 2]);
   * `flip` horizontal flip (p = 0.5); `solarize` (p = 0.2, threshold 0.5, as BYOL's second view);
   * `none` nothing. Without `crop`, images are resized to `size` (whole image).
   */
  readonly transforms: readonly CompositionTransform[];
  /** Colour distortion strength s of `color`; default 1. */
  readonly strength?: number;
  /** Number of views; default 2. */
  readonly views?: number;
  /** Check input values are in [0, 1] on every call; default true. */
  readonly checkValues?: boolean;
}

function transformStep(t: CompositionTransform, strength: number): Augmentation[] {
  switch (t) {
    case 'color':
      return [randomColorJitter(simclrJitter(strength))];
    case 'grayscale':
      return [randomGrayscale({ p: 0.2 })];
    case 'blur':
      return [randomGaussianBlur({ p: 0.5, sigma: [0.1, 2.0] })];
    case 'flip':
      return [randomHorizontalFlip({ p: 0.5 })];
    case 'solarize':
      return [randomSolarize({ p: 0.2, threshold: 0.5 })];
    default:
      return [];
  }
}

/**
 * The views of a chosen composition of SimCLR's transformations (Chen et al. 2020, Figure 5),
 * e.g. `['crop', 'color']` (the paper's strongest pair) or `['none']` (identical views).
 *
 * @example
 * ```ts
 * const aug = composition({ size: 32, transforms: ['crop', 'color'], strength: 0.5 });
 * const [v1, v2] = aug.apply(images, rng);
 * ```
 */
export function composition(options: CompositionOptions): MultiViewAugmenter {
  const where = 'composition';
  const record = optionsRecord(where, options);
  rejectUnknownKeys(where, record, ['size', 'transforms', 'strength', 'views', 'checkValues']);
  const size = sizeOption(where, 'options.size', record['size']);
  const transforms = record['transforms'];
  if (!Array.isArray(transforms) || transforms.length === 0) fail(where, 'options.transforms', `a non-empty array of ${COMPOSITION_TRANSFORMS.join(' | ')}`, transforms);
  transforms.forEach((t, i) => {
    if (!(COMPOSITION_TRANSFORMS as readonly unknown[]).includes(t)) fail(where, `options.transforms[${i}]`, `one of ${COMPOSITION_TRANSFORMS.join(', ')}`, t);
  });
  const strength = record['strength'] ?? 1;
  if (typeof strength !== 'number' || !Number.isFinite(strength) || strength < 0 || strength > 2.5) fail(where, 'options.strength', 'a finite number in [0, 2.5]', strength);
  const views = record['views'] ?? 2;
  if (typeof views !== 'number' || !Number.isSafeInteger(views) || views < 1 || views > 64) fail(where, 'options.views', 'an integer in [1, 64]', views);
  const checkValues = record['checkValues'] ?? true;
  if (typeof checkValues !== 'boolean') fail(where, 'options.checkValues', 'a boolean', checkValues);
  const list = transforms as readonly CompositionTransform[];
  const steps: Augmentation[] = [];
  // The crop (or a plain resize to `size`) comes where it is listed; without one, first.
  if (!list.includes('crop')) steps.push(randomResizedCrop({ size, scale: [1, 1], ratio: [1, 1] }));
  for (const t of list) steps.push(...(t === 'crop' ? [randomResizedCrop({ size })] : transformStep(t, strength)));
  const name = `composition(${list.join('+')})`;
  const view = compose(steps, { name });
  return multiView({ name, views: new Array<Augmentation>(views).fill(view), checkValues });
}
