import { initBackend } from '@contrastive/backend';
import { Rng } from '@contrastive/core';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CIFAR10_STATS, IMAGENET_STATS, normalization, normalize } from './normalize.js';
import { refAt, refFill } from './reference.js';
import { leakedBy, maxAbsDiff, randomImages, toRef, values } from './test-support.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe('normalize', () => {
  it('computes (x - mean[c]) / std[c] per channel', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 4 }), fc.constantFrom(CIFAR10_STATS, IMAGENET_STATS), (seed, b, stats) => {
        const x = randomImages(seed, [b, 5, 5, 3]);
        const out = normalize(x, stats);
        const ref = toRef(x);
        const expected = refFill([b, 5, 5, 3], (i, y, xx, c) => (refAt(ref, i, y, xx, c) - (stats.mean[c] as number)) / (stats.std[c] as number));
        expect(maxAbsDiff(out, expected)).toBeLessThan(1e-5);
        tf.dispose([x, out]);
      }),
      { numRuns: 10 },
    );
  });

  it('as an augmentation it draws nothing and equals the function', () => {
    const x = randomImages(2, [2, 5, 5, 3]);
    const step = normalization(CIFAR10_STATS);
    const rng = Rng.fromSeed(1);
    const before = rng.state();
    const out = step.apply(x, rng);
    expect(rng.state()).toEqual(before);
    const direct = normalize(x, CIFAR10_STATS);
    expect(values(out)).toEqual(values(direct));
    tf.dispose([x, out, direct]);
  });

  it('is tidy and rejects bad statistics by name', () => {
    const x = randomImages(3, [2, 5, 5, 3]);
    expect(leakedBy(() => normalize(x, IMAGENET_STATS))).toBe(0);
    expect(leakedBy(() => normalization(CIFAR10_STATS).apply(x, Rng.fromSeed(0)))).toBe(0);
    expect(() => normalize(x, { mean: [0.5, 0.5, 0.5], std: [0.2, 0, 0.2] })).toThrow(/'stats.std'/);
    expect(() => normalize(x, { mean: [0.5], std: [0.2] })).toThrow(/'stats.mean'/);
    expect(() => normalization({ mean: [0.5, 0.5], std: [0.2] })).toThrow(/'stats.std'/);
    x.dispose();
  });
});
