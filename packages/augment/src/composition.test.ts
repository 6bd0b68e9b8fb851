import { initBackend } from '@contrastive/backend';
import { ArgumentError, Rng } from '@contrastive/core';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPOSITION_TRANSFORMS, composition, type CompositionTransform } from './composition.js';
import { leakedBy, maxAbsDiff, randomImages, range, toRef } from './test-support.js';

const diff = (a: tf.Tensor, b: tf.Tensor): number => maxAbsDiff(a, toRef(b as tf.Tensor4D));

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

const transform = fc.constantFrom(...COMPOSITION_TRANSFORMS);

describe('composition (SimCLR Figure 5 ablation)', () => {
  it('makes `views` views of shape [B, size, size, 3] in [0, 1] for any pair of transformations', () => {
    fc.assert(
      fc.property(fc.integer(), transform, transform, fc.integer({ min: 8, max: 14 }), fc.integer({ min: 1, max: 3 }), (seed, a, b, size, views) => {
        const aug = composition({ size, transforms: [a, b], strength: 0.5, views });
        const x = randomImages(seed, [2, 12, 12, 3]);
        const out = aug.apply(x, Rng.fromSeed(seed));
        expect(out).toHaveLength(views);
        for (const v of out) {
          expect(v.shape).toEqual([2, size, size, 3]);
          const [lo, hi] = range(v);
          expect(lo).toBeGreaterThanOrEqual(0);
          expect(hi).toBeLessThanOrEqual(1);
        }
        tf.dispose([x, ...out]);
      }),
      { numRuns: 12 },
    );
  });

  it("['none'] at the input size returns the images unchanged (the views are identical)", () => {
    const x = randomImages(3, [2, 10, 10, 3]);
    const [v1, v2] = composition({ size: 10, transforms: ['none'] }).apply(x, Rng.fromSeed(1));
    expect(diff(v1 as tf.Tensor, x)).toBeLessThan(1e-5);
    expect(diff(v2 as tf.Tensor, x)).toBeLessThan(1e-5);
    tf.dispose([x, v1 as tf.Tensor, v2 as tf.Tensor]);
  });

  it('a random transformation makes the two views differ; the same seed repeats them', () => {
    const x = randomImages(5, [4, 12, 12, 3]);
    for (const t of ['crop', 'color'] as CompositionTransform[]) {
      const aug = composition({ size: 12, transforms: [t] });
      const [a1, a2] = aug.apply(x, Rng.fromSeed(9));
      const [b1] = aug.apply(x, Rng.fromSeed(9));
      expect(diff(a1 as tf.Tensor, a2 as tf.Tensor)).toBeGreaterThan(1e-3);
      expect(diff(a1 as tf.Tensor, b1 as tf.Tensor)).toBe(0);
      tf.dispose([a1 as tf.Tensor, a2 as tf.Tensor, b1 as tf.Tensor]);
    }
    x.dispose();
  });

  it('frees every intermediate tensor', () => {
    const x = randomImages(2, [2, 12, 12, 3]);
    const aug = composition({ size: 8, transforms: ['crop', 'color', 'blur', 'solarize'] });
    expect(leakedBy(() => [...aug.apply(x, Rng.fromSeed(1))])).toBe(0);
    x.dispose();
  });

  it('rejects bad options naming the argument', () => {
    expect(() => composition({ size: 8, transforms: [] })).toThrow(/options\.transforms/);
    expect(() => composition({ size: 8, transforms: ['rotate' as CompositionTransform] })).toThrow(/options\.transforms\[0\].*rotate/);
    expect(() => composition({ size: 8, transforms: ['crop'], strength: 3 })).toThrow(ArgumentError);
    expect(() => composition({ size: 8, transforms: ['crop'], colour: 1 } as never)).toThrow(/colour/);
  });
});
