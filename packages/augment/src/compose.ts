/**
 * Sequential composition of augmentations, as torchvision's `Compose`. The composite draws
 * every step's parameters first (CPU), then runs the tensor work step by step inside one
 * `tf.tidy`, validating the input once. A horizontal flip directly after a resized crop runs
 * in the crop's pass (a mirrored sampling box), which gives the same pixels as two passes.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@contrastive/core';
import { defineAugmentation, runUnchecked, specOf, type Augmentation } from './augmentation.js';
import type { BatchGeometry } from './images.js';
import { assertPerSample, fail, optionsRecord, rejectUnknownKeys } from './params.js';

/** Options of {@link compose}. */
export interface ComposeOptions {
  /** Name for logs; default the step names joined by `+`. */
  readonly name?: string;
}

function isAugmentation(value: unknown): value is Augmentation {
  const v = value as Partial<Augmentation> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.name === 'string' &&
    typeof v.sample === 'function' &&
    typeof v.applyParams === 'function' &&
    typeof v.apply === 'function' &&
    typeof v.outputGeometry === 'function'
  );
}

/** Throws unless `steps` is an array of augmentations. */
export function assertSteps(where: string, name: string, steps: unknown): asserts steps is readonly Augmentation[] {
  if (!Array.isArray(steps)) fail(where, name, 'an array of augmentations', steps);
  steps.forEach((s, i) => {
    if (!isAugmentation(s)) fail(where, `${name}[${i}]`, 'an augmentation (e.g. randomResizedCrop({ size: 32 }))', s);
  });
}

/** Runs `steps` with `params` on an input that was already validated. Call inside a tidy. */
export function runSteps(steps: readonly Augmentation[], images: tf.Tensor4D, params: readonly unknown[]): tf.Tensor4D {
  let x = images;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as Augmentation;
    const spec = specOf(step);
    const next = steps[i + 1];
    if (spec?.runFlipped !== undefined && next !== undefined && specOf(next)?.kind === 'horizontalFlip') {
      x = spec.runFlipped(x, params[i], params[i + 1] as readonly boolean[]);
      i++;
    } else {
      x = runUnchecked(step, x, params[i]);
    }
  }
  return x === images ? tf.clone(images) : x;
}

/**
 * Chains augmentations: the output of each is the input of the next. Parameters: the array of
 * each step's parameters.
 *
 * @example
 * ```ts
 * const view = compose([
 *   randomResizedCrop({ size: 32 }),
 *   randomHorizontalFlip(),
 *   randomColorJitter(simclrJitter(0.5)),
 *   randomGrayscale({ p: 0.2 }),
 * ]);
 * const out = view.apply(images, Rng.fromSeed(0));
 * ```
 */
export function compose(steps: readonly Augmentation[], options: ComposeOptions = {}): Augmentation<readonly unknown[]> {
  const where = 'compose';
  assertSteps(where, 'steps', steps);
  const record = optionsRecord(where, options);
  rejectUnknownKeys(where, record, ['name']);
  const name = record['name'] ?? (steps.length === 0 ? 'identity' : steps.map((s) => s.name).join('+'));
  if (typeof name !== 'string' || name.length === 0) fail(where, 'options.name', 'a non-empty string', name);
  const list = [...steps];
  const channels = list.reduce<number | undefined>((c, s) => c ?? s.channels, undefined);
  const geometries = (input: BatchGeometry): BatchGeometry[] => {
    const out = [input];
    for (const s of list) out.push(s.outputGeometry(out[out.length - 1] as BatchGeometry));
    return out;
  };
  return defineAugmentation<readonly unknown[]>({
    name,
    ...(channels === undefined ? {} : { channels }),
    output: (input) => geometries(input)[list.length] as BatchGeometry,
    sample: (rng: Rng, input) => {
      let g = input;
      return list.map((s) => {
        const params = s.sample(rng, g);
        g = s.outputGeometry(g);
        return params;
      });
    },
    check: (w, params, input) => {
      assertPerSample(w, 'params', params, list.length);
      const gs = geometries(input);
      list.forEach((s, i) => {
        specOf(s)?.check(w, params[i], gs[i] as BatchGeometry);
      });
    },
    run: (images, params) => tf.tidy(() => runSteps(list, images, params)),
  });
}
