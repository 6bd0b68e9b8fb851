/**
 * Colour jitter (SimCLR, Chen et al. 2020, Appendix A, "color distortion"), as torchvision's
 * `RandomApply([ColorJitter(brightness, contrast, saturation, hue)], p)`: with probability `p`
 * a sample gets brightness, contrast, saturation and hue adjustments with factors drawn
 * uniformly from their ranges, applied in an order drawn per sample (torchvision draws
 * `fn_idx = randperm(4)`), each followed by a clamp to [0, 1]. The operations are
 * {@link adjustBrightness}, {@link adjustContrast}, {@link adjustSaturation} and
 * {@link adjustHue}. SimCLR's colour distortion of strength s is
 * `ColorJitter(0.8 s, 0.8 s, 0.8 s, 0.2 s)` applied with p = 0.8 ({@link simclrJitter}).
 *
 * Batched: the samples are split into (at most five) groups by the step at which they rotate
 * hue (or never). Each group runs its four steps with one kernel per step: the hue rotation at
 * its hue step, and otherwise one blend kernel that applies every member's own brightness,
 * contrast or saturation (identity coefficients for members that skip the step). The groups
 * are then concatenated and put back in the original order. Each sample's hue is computed
 * once, and no work is spent on identity steps of a whole group.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@contrastive/core';
import { blendUnchecked, identityBlend, type BlendCoefficients } from './adjust.js';
import { assertRng, defineAugmentation, type Augmentation } from './augmentation.js';
import { gatherBatch } from './batch.js';
import { adjustHueUnchecked } from './hsv.js';
import { assertImages, type BatchGeometry } from './images.js';
import { assertPerSample, fail, optionsRecord, probabilityOption, rangeOption, rejectUnknownKeys } from './params.js';

/** The four operations, in torchvision's index order (the order `fn_idx` permutes). */
export const JITTER_OPS = ['brightness', 'contrast', 'saturation', 'hue'] as const;
/** One of {@link JITTER_OPS}. */
export type JitterOp = (typeof JITTER_OPS)[number];

/** The parameters drawn for one sample. */
export interface ColorJitterSample {
  /** The order in which the four operations run (a permutation of {@link JITTER_OPS}). */
  readonly order: readonly JitterOp[];
  /** Brightness factor (1 = unchanged). */
  readonly brightness: number;
  /** Contrast factor (1 = unchanged). */
  readonly contrast: number;
  /** Saturation factor (1 = unchanged). */
  readonly saturation: number;
  /** Hue shift in turns (0 = unchanged). */
  readonly hue: number;
}

/** Resolved factor ranges `[lo, hi]`. */
export interface ColorJitterRanges {
  readonly brightness: readonly [number, number];
  readonly contrast: readonly [number, number];
  readonly saturation: readonly [number, number];
  readonly hue: readonly [number, number];
}

/**
 * Jitter strengths, as torchvision's `ColorJitter`: a number `v` means the factor range
 * `[max(0, 1 - v), 1 + v]` (hue: `[-v, v]`, v <= 0.5); a pair gives the range itself.
 * Omitted means unchanged.
 */
export interface ColorJitterStrengths {
  readonly brightness?: number | readonly [number, number];
  readonly contrast?: number | readonly [number, number];
  readonly saturation?: number | readonly [number, number];
  readonly hue?: number | readonly [number, number];
}

/** Options of {@link randomColorJitter}. */
export interface RandomColorJitterOptions extends ColorJitterStrengths {
  /** Probability that a sample is jittered at all (torchvision's RandomApply); default 1. */
  readonly p?: number;
}

/**
 * SimCLR's colour distortion of strength `s` (Chen et al. 2020, Appendix A):
 * brightness, contrast and saturation 0.8 s, hue 0.2 s, applied with probability 0.8.
 * ImageNet uses s = 1, CIFAR-10 s = 0.5.
 */
export function simclrJitter(strength: number): Required<RandomColorJitterOptions> {
  if (typeof strength !== 'number' || !Number.isFinite(strength) || strength < 0 || 0.2 * strength > 0.5) {
    fail('simclrJitter', 'strength', 'a finite number in [0, 2.5] (hue 0.2 s must stay <= 0.5)', strength);
  }
  const s = 0.8 * strength;
  return { brightness: s, contrast: s, saturation: s, hue: 0.2 * strength, p: 0.8 };
}

function factorRange(where: string, key: string, value: unknown): readonly [number, number] {
  if (value === undefined) return [1, 1];
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) fail(where, `options.${key}`, 'a finite number >= 0 or a pair [lo, hi] with 0 <= lo <= hi', value);
    return [Math.max(0, 1 - value), 1 + value];
  }
  return rangeOption(where, `options.${key}`, value, { min: 0 });
}

function hueRange(where: string, value: unknown): readonly [number, number] {
  if (value === undefined) return [0, 0];
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0 || value > 0.5) fail(where, 'options.hue', 'a number in [0, 0.5] or a pair [lo, hi] with -0.5 <= lo <= hi <= 0.5', value);
    return [-value, value];
  }
  return rangeOption(where, 'options.hue', value, { min: -0.5, max: 0.5 });
}

/**
 * Resolves jitter strengths into factor ranges, as torchvision's `ColorJitter._check_input`.
 *
 * @example
 * ```ts
 * colorJitterRanges({ brightness: 0.4, hue: 0.1 });
 * // { brightness: [0.6, 1.4], contrast: [1, 1], saturation: [1, 1], hue: [-0.1, 0.1] }
 * ```
 */
export function colorJitterRanges(strengths: ColorJitterStrengths = {}): ColorJitterRanges {
  const where = 'colorJitterRanges';
  const record = optionsRecord(where, strengths);
  return {
    brightness: factorRange(where, 'brightness', record['brightness']),
    contrast: factorRange(where, 'contrast', record['contrast']),
    saturation: factorRange(where, 'saturation', record['saturation']),
    hue: hueRange(where, record['hue']),
  };
}

function sampleOne(rng: Rng, ranges: ColorJitterRanges): ColorJitterSample {
  const order = Array.from(rng.permutation(4), (i) => JITTER_OPS[i] as JitterOp);
  return {
    order,
    brightness: rng.uniform(ranges.brightness[0], ranges.brightness[1]),
    contrast: rng.uniform(ranges.contrast[0], ranges.contrast[1]),
    saturation: rng.uniform(ranges.saturation[0], ranges.saturation[1]),
    hue: rng.uniform(ranges.hue[0], ranges.hue[1]),
  };
}

/**
 * Draws one sample's jitter parameters, as torchvision's `ColorJitter.get_params`: a random
 * order of the four operations, then each factor uniformly from its range.
 */
export function sampleColorJitter(rng: Rng, strengths: ColorJitterStrengths = {}): ColorJitterSample {
  assertRng('sampleColorJitter', 'rng', rng);
  return sampleOne(rng, colorJitterRanges(strengths));
}

/** Throws unless `params` holds one {@link ColorJitterSample} (or null: not jittered) per sample. */
export function assertJitterParams(where: string, name: string, params: unknown, geometry: BatchGeometry): asserts params is readonly (ColorJitterSample | null)[] {
  assertPerSample(where, name, params, geometry.batchSize);
  params.forEach((p, i) => {
    if (p === null) return;
    const s = p as Partial<ColorJitterSample>;
    const isPerm = Array.isArray(s.order) && s.order.length === 4 && JITTER_OPS.every((op) => (s.order as unknown[]).includes(op));
    if (!isPerm) fail(where, `${name}[${i}].order`, `a permutation of ${JITTER_OPS.join(', ')}`, s.order);
    for (const key of ['brightness', 'contrast', 'saturation'] as const) {
      const v = s[key];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(where, `${name}[${i}].${key}`, 'a finite number >= 0', v);
    }
    if (typeof s.hue !== 'number' || !Number.isFinite(s.hue)) fail(where, `${name}[${i}].hue`, 'a finite number', s.hue);
  });
}

/** The blend coefficients of step `t` for each sample of a group (identity for hue or null). */
function stepBlend(group: readonly (ColorJitterSample | null)[], t: number): BlendCoefficients {
  const blend = identityBlend(group.length);
  group.forEach((p, b) => {
    const op = p?.order[t];
    if (p === null || op === undefined) return;
    if (op === 'brightness') blend.a[b] = p.brightness;
    else if (op === 'contrast') {
      blend.a[b] = p.contrast;
      blend.c[b] = 1 - p.contrast;
    } else if (op === 'saturation') {
      blend.a[b] = p.saturation;
      blend.b[b] = 1 - p.saturation;
    }
  });
  return blend;
}

/** The unvalidated kernel. */
export function colorJitterUnchecked(images: tf.Tensor4D, params: readonly (ColorJitterSample | null)[]): tf.Tensor4D {
  // Step (0..3) at which each sample rotates hue; 4 = never (not jittered, or a zero shift).
  const hueStep = params.map((p) => (p === null || p.hue === 0 ? 4 : p.order.indexOf('hue')));
  const groups = [0, 1, 2, 3, 4].map((g) => hueStep.flatMap((t, i) => (t === g ? [i] : [])));
  return tf.tidy(() => {
    // Each group runs its four steps: blends (one kernel for all its samples) and, at step g,
    // the hue rotation of all its samples.
    const outputs = groups.flatMap((indices, g) => {
      if (indices.length === 0) return [];
      let x = indices.length === params.length ? images : gatherBatch(images, indices);
      const members = indices.map((i) => params[i] as ColorJitterSample | null);
      for (let t = 0; t < 4; t++) {
        x = t === g ? adjustHueUnchecked(x, members.map((p) => (p as ColorJitterSample).hue)) : blendUnchecked(x, stepBlend(members, t));
      }
      return [x];
    });
    if (outputs.length === 1) return outputs[0] === images ? tf.clone(images) : (outputs[0] as tf.Tensor4D);
    // Concatenated in group order; put every sample back at its place.
    const order = groups.flat();
    const inverse = new Array<number>(params.length);
    order.forEach((original, position) => {
      inverse[original] = position;
    });
    return gatherBatch(tf.concat(outputs, 0), inverse);
  });
}

/**
 * Applies given jitter parameters: sample `b` runs `params[b].order`, each operation with its
 * factor and followed by a clamp; `null` leaves the sample unchanged (exactly).
 *
 * @param images `[B, H, W, 3]` RGB in [0, 1].
 * @param params One {@link ColorJitterSample} or `null` per sample.
 * @returns `[B, H, W, 3]`.
 */
export function colorJitter(images: tf.Tensor4D, params: readonly (ColorJitterSample | null)[]): tf.Tensor4D {
  const where = 'colorJitter';
  assertImages(where, 'images', images, 3);
  assertJitterParams(where, 'params', params, { batchSize: images.shape[0], height: images.shape[1], width: images.shape[2], channels: 3 });
  return colorJitterUnchecked(images, params);
}

/**
 * `RandomApply([ColorJitter(brightness, contrast, saturation, hue)], p)` as an
 * {@link Augmentation}. Parameters: one {@link ColorJitterSample} per jittered sample, `null`
 * for the others.
 *
 * @example
 * ```ts
 * const jitter = randomColorJitter(simclrJitter(0.5)); // CIFAR-10 strength
 * const out = jitter.apply(images, Rng.fromSeed(0));
 * ```
 */
export function randomColorJitter(options: RandomColorJitterOptions = {}): Augmentation<readonly (ColorJitterSample | null)[]> {
  const where = 'randomColorJitter';
  const record = optionsRecord(where, options);
  rejectUnknownKeys(where, record, ['brightness', 'contrast', 'saturation', 'hue', 'p']);
  const p = probabilityOption(where, record, 'p', 1);
  const ranges: ColorJitterRanges = {
    brightness: factorRange(where, 'brightness', record['brightness']),
    contrast: factorRange(where, 'contrast', record['contrast']),
    saturation: factorRange(where, 'saturation', record['saturation']),
    hue: hueRange(where, record['hue']),
  };
  return defineAugmentation<readonly (ColorJitterSample | null)[]>({
    name: 'randomColorJitter',
    channels: 3,
    sample: (rng, g) => Array.from({ length: g.batchSize }, () => (rng.bernoulli(p) ? sampleOne(rng, ranges) : null)),
    check: (w, params, g) => assertJitterParams(w, 'params', params, g),
    run: colorJitterUnchecked,
  });
}
