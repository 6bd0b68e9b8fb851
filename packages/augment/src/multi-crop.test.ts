/**
 * Multi-crop (Caron et al. 2020, SwAV, Sec. 3.2) as the `localCrops` option of every recipe:
 * the global views first, then N local views of the smaller size; seeded, tidy, checked.
 */
import { initBackend } from '@contrastive/backend';
import { ArgumentError, Rng, type ViewAugmenter } from '@contrastive/core';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { byol, mocoV2, simclr } from './recipes.js';
import type { LocalCropsOptions } from './multi-crop.js';
import { leakedBy, randomImages, range, values } from './test-support.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

const recipes: [string, (size: number, localCrops: LocalCropsOptions) => ViewAugmenter][] = [
  ['simclr', (size, localCrops) => simclr({ size, strength: 0.5, blur: false, localCrops })],
  ['mocoV2', (size, localCrops) => mocoV2({ size, localCrops })],
  ['byol', (size, localCrops) => byol({ size, localCrops })],
];

describe.each(recipes)('%s with localCrops', (_, make) => {
  it('returns 2 global views of the global size, then N local views of the local size, in [0, 1]', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 4, max: 12 }), (seed, b, n, local) => {
        const recipe = make(12, { count: n, size: local });
        const x = randomImages(seed, [b, 16, 16, 3]);
        const views = recipe.apply(x, Rng.fromSeed(seed));
        expect(recipe.numViews).toBe(2 + n);
        expect(views.map((v) => v.shape)).toEqual([...[0, 1].map(() => [b, 12, 12, 3]), ...Array.from({ length: n }, () => [b, local, local, 3])]);
        for (const v of views) {
          const [lo, hi] = range(v);
          expect(lo).toBeGreaterThanOrEqual(0);
          expect(hi).toBeLessThanOrEqual(1);
        }
        tf.dispose([x, ...views]);
      }),
      { numRuns: 6 },
    );
  });

  it('the same seed gives the same local views, the global views do not depend on N, and it is tidy', () => {
    const x = randomImages(3, [2, 16, 16, 3]);
    const two = make(16, { count: 2, size: 8 });
    const four = make(16, { count: 4, size: 8 });
    const a = two.apply(x, Rng.fromSeed(5));
    const b = two.apply(x, Rng.fromSeed(5));
    const c = four.apply(x, Rng.fromSeed(5));
    a.forEach((v, i) => expect(values(b[i] as tf.Tensor)).toEqual(values(v)));
    // views draw from their own child streams, in view order: the first 2 + 2 views agree
    a.forEach((v, i) => expect(values(c[i] as tf.Tensor)).toEqual(values(v)));
    expect(leakedBy(() => four.apply(x, Rng.fromSeed(1)))).toBe(0);
    tf.dispose([x, ...a, ...b, ...c]);
  });

  it('rejects bad localCrops by name', () => {
    expect(() => make(16, { count: 0, size: 8 })).toThrow(/options.localCrops.count/);
    expect(() => make(16, { count: 2, size: 20 })).toThrow(/options.localCrops.size/);
    expect(() => make(16, { count: 2, size: 8, scale: [0.5, 0.1] })).toThrow(/options.localCrops.scale/);
    expect(() => make(16, { count: 2, size: 8, sise: 3 } as unknown as LocalCropsOptions)).toThrow(/options.localCrops.sise/);
    expect(() => make(16, { count: 2, size: 8, scale: [0.5, 0.1] })).toThrow(ArgumentError);
  });
});

it('local crops cover a smaller area by default (SwAV scale (0.05, 0.14)) than the global crops', () => {
  const recipe = simclr({ size: 16, strength: 0, blur: false, localCrops: { count: 1, size: 16 } });
  // With strength 0 and the same output size, a local crop is a zoom into a small area: on a
  // smooth horizontal ramp its value range is much narrower than a global crop's.
  const ramp = tf.tidy(() => tf.tile(tf.reshape(tf.linspace(0, 1, 32), [1, 1, 32, 1]), [8, 32, 1, 3])) as tf.Tensor4D;
  const [g, , l] = recipe.apply(ramp, Rng.fromSeed(2)) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
  const spread = (v: tf.Tensor4D): number => tf.tidy(() => tf.mean(tf.sub(tf.max(v, [1, 2, 3]), tf.min(v, [1, 2, 3]))).dataSync()[0] as number);
  expect(spread(l)).toBeLessThan(0.6 * spread(g));
  tf.dispose([ramp, g, l]);
});
