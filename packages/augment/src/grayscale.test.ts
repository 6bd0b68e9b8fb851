import { initBackend } from '@contrastive/backend';
import { Rng, ShapeError } from '@contrastive/core';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { grayscale, LUMA_WEIGHTS, randomGrayscale, rgbToGrayscale } from './grayscale.js';
import { refGrayscale } from './reference.js';
import { leakedBy, maxAbsDiff, randomImages, toRef, values } from './test-support.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

const shapeArb = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 4, max: 12 }), fc.integer({ min: 4, max: 12 }));

describe('grayscale', () => {
  it('uses the ITU-R 601-2 luma weights of PIL (0.299, 0.587, 0.114)', () => {
    expect(LUMA_WEIGHTS).toEqual([0.299, 0.587, 0.114]);
    const primaries = tf.tensor4d([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1], [1, 1, 4, 3]);
    const luma = values(rgbToGrayscale(primaries));
    expect(luma[0]).toBeCloseTo(0.299, 6);
    expect(luma[1]).toBeCloseTo(0.587, 6);
    expect(luma[2]).toBeCloseTo(0.114, 6);
    expect(luma[3]).toBeCloseTo(1, 6);
    // PIL: convert('L') of (200, 100, 50) is (200*299 + 100*587 + 50*114) / 1000 = 124.2.
    const pixel = tf.tensor4d([200 / 255, 100 / 255, 50 / 255], [1, 1, 1, 3]);
    expect((values(rgbToGrayscale(pixel))[0] as number) * 255).toBeCloseTo(124.2, 3);
    tf.dispose([primaries, pixel]);
  });

  it('keeps 3 equal channels and matches the reference for the flagged samples', () => {
    fc.assert(
      fc.property(fc.integer(), shapeArb, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), (seed, [b, h, w], pool) => {
        const flags = pool.slice(0, b);
        const x = randomImages(seed, [b, h, w, 3]);
        const out = grayscale(x, flags);
        expect(out.shape).toEqual([b, h, w, 3]);
        expect(maxAbsDiff(out, refGrayscale(toRef(x), flags))).toBeLessThan(1e-6);
        const v = values(out);
        const src = values(x);
        for (let i = 0; i < v.length; i += 3) {
          const sample = Math.floor(i / (h * w * 3));
          if (flags[sample]) {
            expect(v[i + 1]).toBe(v[i]);
            expect(v[i + 2]).toBe(v[i]);
          } else {
            expect(v.slice(i, i + 3)).toEqual(src.slice(i, i + 3)); // exact
          }
        }
        tf.dispose([x, out]);
      }),
      { numRuns: 20 },
    );
  });
});

describe('randomGrayscale', () => {
  it('p = 0 is the identity and p = 1 always converts', () => {
    fc.assert(
      fc.property(fc.integer(), shapeArb, (seed, [b, h, w]) => {
        const x = randomImages(seed, [b, h, w, 3]);
        const none = randomGrayscale({ p: 0 }).apply(x, Rng.fromSeed(seed));
        const all = randomGrayscale({ p: 1 }).apply(x, Rng.fromSeed(seed));
        const gray = grayscale(x);
        expect(values(none)).toEqual(values(x));
        expect(values(all)).toEqual(values(gray));
        tf.dispose([x, none, all, gray]);
      }),
      { numRuns: 10 },
    );
  });

  it('is tidy and rejects bad input by name', () => {
    const x = randomImages(1, [3, 8, 8, 3]);
    expect(leakedBy(() => randomGrayscale({ p: 0.5 }).apply(x, Rng.fromSeed(3)))).toBe(0);
    expect(leakedBy(() => rgbToGrayscale(x))).toBe(0);
    expect(leakedBy(() => grayscale(x))).toBe(0);
    expect(leakedBy(() => grayscale(x, [true, false, true]))).toBe(0);
    expect(() => randomGrayscale({ p: 2 })).toThrow(/'options.p'/);
    const one = randomImages(2, [1, 8, 8, 1]);
    expect(() => grayscale(one)).toThrow(ShapeError);
    expect(() => randomGrayscale().apply(one, Rng.fromSeed(0))).toThrow(/'images'/);
    tf.dispose([x, one]);
  });
});
