import { initBackend } from '@contrastive/backend';
import { Rng } from '@contrastive/core';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { horizontalFlip, randomHorizontalFlip } from './flip.js';
import { refFill, refAt } from './reference.js';
import { leakedBy, maxAbsDiff, randomImages, toRef, values } from './test-support.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

const shapeArb = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 3 }));

describe('horizontalFlip', () => {
  it('mirrors exactly the flagged samples (naive loop reference)', () => {
    fc.assert(
      fc.property(fc.integer(), shapeArb, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), (seed, [b, h, w, c], pool) => {
        const flags = pool.slice(0, b);
        const x = randomImages(seed, [b, h, w, c]);
        const out = horizontalFlip(x, flags);
        const ref = toRef(x);
        const expected = refFill([b, h, w, c], (i, y, xx, ch) => refAt(ref, i, y, flags[i] ? w - 1 - xx : xx, ch));
        expect(maxAbsDiff(out, expected)).toBe(0);
        tf.dispose([x, out]);
      }),
      { numRuns: 20 },
    );
  });

  it('flipping twice is the identity', () => {
    fc.assert(
      fc.property(fc.integer(), shapeArb, (seed, [b, h, w, c]) => {
        const x = randomImages(seed, [b, h, w, c]);
        const twice = tf.tidy(() => horizontalFlip(horizontalFlip(x)));
        expect(values(twice)).toEqual(values(x));
        tf.dispose([x, twice]);
      }),
      { numRuns: 20 },
    );
  });
});

describe('randomHorizontalFlip', () => {
  it('p = 0 is the identity and p = 1 always flips', () => {
    fc.assert(
      fc.property(fc.integer(), shapeArb, (seed, [b, h, w, c]) => {
        const x = randomImages(seed, [b, h, w, c]);
        const g = { batchSize: b, height: h, width: w, channels: c };
        expect(randomHorizontalFlip({ p: 0 }).sample(Rng.fromSeed(seed), g)).toEqual(new Array(b).fill(false));
        expect(randomHorizontalFlip({ p: 1 }).sample(Rng.fromSeed(seed), g)).toEqual(new Array(b).fill(true));
        const none = randomHorizontalFlip({ p: 0 }).apply(x, Rng.fromSeed(seed));
        const all = randomHorizontalFlip({ p: 1 }).apply(x, Rng.fromSeed(seed));
        const flipped = horizontalFlip(x);
        expect(values(none)).toEqual(values(x));
        expect(values(all)).toEqual(values(flipped));
        tf.dispose([x, none, all, flipped]);
      }),
      { numRuns: 15 },
    );
  });

  it('flips about half of the samples at p = 0.5', () => {
    const flags = randomHorizontalFlip().sample(Rng.fromSeed(11), { batchSize: 4000, height: 8, width: 8, channels: 3 });
    const share = flags.filter(Boolean).length / flags.length;
    expect(share).toBeGreaterThan(0.45);
    expect(share).toBeLessThan(0.55);
  });

  it('is tidy and rejects bad input by name', () => {
    const x = randomImages(1, [3, 8, 8, 3]);
    expect(leakedBy(() => randomHorizontalFlip().apply(x, Rng.fromSeed(2)))).toBe(0);
    expect(leakedBy(() => horizontalFlip(x, [false, false, false]))).toBe(0);
    expect(() => randomHorizontalFlip({ p: 1.5 })).toThrow(/'options.p'/);
    expect(() => randomHorizontalFlip({ p: -0.1 })).toThrow(/'options.p'/);
    expect(() => horizontalFlip(x, [true])).toThrow(/'flags'/);
    expect(() => horizontalFlip(x, [true, 1, false] as never)).toThrow(/'flags\[1\]'/);
    x.dispose();
  });
});
