import { initBackend } from '@contrastive/backend';
import { Rng } from '@contrastive/core';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { refSolarize } from './reference.js';
import { randomSolarize, solarize } from './solarize.js';
import { leakedBy, maxAbsDiff, randomImages, toRef, values } from './test-support.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe('solarize', () => {
  it('inverts exactly the values at or above the threshold of the flagged samples', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 4 }), fc.double({ min: 0, max: 1, noNaN: true }).map(Math.fround), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.constantFrom(3, 5, 256), (seed, b, threshold, pool, levels) => {
        const flags = pool.slice(0, b);
        const x = randomImages(seed, [b, 6, 7, 3], levels);
        const out = solarize(x, threshold, flags);
        // float32 computes 1 - x rounded once, so the rounded reference matches exactly.
        const ref = refSolarize(toRef(x), threshold, flags);
        expect(maxAbsDiff(out, { shape: ref.shape, data: ref.data.map(Math.fround) })).toBe(0);
        tf.dispose([x, out]);
      }),
      { numRuns: 20 },
    );
  });

  it('includes the threshold itself (x >= t), as PIL', () => {
    const x = tf.tensor4d([0.25, 0.5, 0.75], [1, 1, 1, 3]);
    expect(values(solarize(x, 0.5))).toEqual([0.25, 0.5, 0.25]);
    x.dispose();
  });
});

describe('randomSolarize', () => {
  it('p = 0 is the identity and p = 1 always solarizes', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 4 }), (seed, b) => {
        const x = randomImages(seed, [b, 6, 6, 3]);
        const none = randomSolarize({ p: 0 }).apply(x, Rng.fromSeed(seed));
        const all = randomSolarize({ p: 1, threshold: 0.3 }).apply(x, Rng.fromSeed(seed));
        const direct = solarize(x, 0.3);
        expect(values(none)).toEqual(values(x));
        expect(values(all)).toEqual(values(direct));
        tf.dispose([x, none, all, direct]);
      }),
      { numRuns: 10 },
    );
  });

  it('is tidy and rejects bad input by name', () => {
    const x = randomImages(1, [2, 6, 6, 3]);
    expect(leakedBy(() => randomSolarize({ p: 0.5 }).apply(x, Rng.fromSeed(4)))).toBe(0);
    expect(leakedBy(() => solarize(x, 0.5, [true, false]))).toBe(0);
    expect(() => randomSolarize({ threshold: 1.5 })).toThrow(/'options.threshold'/);
    expect(() => randomSolarize({ p: 3 })).toThrow(/'options.p'/);
    expect(() => solarize(x, Number.NaN)).toThrow(/'threshold'/);
    x.dispose();
  });
});
