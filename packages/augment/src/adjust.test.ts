import { initBackend } from '@contrastive/backend';
import { ArgumentError } from '@contrastive/core';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { adjustBrightness, adjustContrast, adjustSaturation } from './adjust.js';
import { grayscale } from './grayscale.js';
import { refAdjustBrightness, refAdjustContrast, refAdjustSaturation } from './reference.js';
import { leakedBy, maxAbsDiff, randomImages, toRef, values } from './test-support.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

const shapeArb = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 4, max: 12 }), fc.integer({ min: 4, max: 12 }));
const factorsArb = fc.array(fc.double({ min: 0, max: 2, noNaN: true }).map(Math.fround), { minLength: 4, maxLength: 4 });

const ops = [
  ['brightness', adjustBrightness, refAdjustBrightness],
  ['contrast', adjustContrast, refAdjustContrast],
  ['saturation', adjustSaturation, refAdjustSaturation],
] as const;

describe.each(ops)('adjust %s', (_, batched, reference) => {
  it('matches the per-pixel torchvision reference', () => {
    fc.assert(
      fc.property(fc.integer(), shapeArb, factorsArb, (seed, [b, h, w], pool) => {
        const factors = pool.slice(0, b);
        const x = randomImages(seed, [b, h, w, 3]);
        const out = batched(x, factors);
        expect(maxAbsDiff(out, reference(toRef(x), factors))).toBeLessThan(1e-5);
        tf.dispose([x, out]);
      }),
      { numRuns: 20 },
    );
  });

  it('factor 1 is the identity (exactly)', () => {
    fc.assert(
      fc.property(fc.integer(), shapeArb, (seed, [b, h, w]) => {
        const x = randomImages(seed, [b, h, w, 3]);
        const out = batched(x, 1);
        expect(values(out)).toEqual(values(x));
        tf.dispose([x, out]);
      }),
      { numRuns: 10 },
    );
  });

  it('is tidy and rejects bad factors by name', () => {
    const x = randomImages(1, [2, 8, 8, 3]);
    expect(leakedBy(() => batched(x, [0.5, 1.5]))).toBe(0);
    expect(() => batched(x, -0.5)).toThrow(ArgumentError);
    expect(() => batched(x, -0.5)).toThrow(/'factors'/);
    expect(() => batched(x, [1, Number.NaN])).toThrow(/'factors\[1\]'/);
    expect(() => batched(x, [1])).toThrow(/'factors'/);
    x.dispose();
  });
});

describe('limits', () => {
  it('contrast 0 gives the mean luma everywhere; saturation 0 gives the grayscale image', () => {
    const x = randomImages(9, [2, 6, 6, 3]);
    const flat = values(adjustContrast(x, 0));
    const perImage = 6 * 6 * 3;
    for (let b = 0; b < 2; b++) {
      const img = flat.slice(b * perImage, (b + 1) * perImage);
      expect(Math.max(...img) - Math.min(...img)).toBeLessThan(1e-6);
    }
    const desaturated = adjustSaturation(x, 0);
    const gray = grayscale(x);
    expect(maxAbsDiff(desaturated, toRef(gray))).toBeLessThan(1e-6);
    tf.dispose([x, desaturated, gray]);
  });

  it('brightness works on any channel count', () => {
    const x = randomImages(10, [2, 5, 5, 1]);
    const out = adjustBrightness(x, 0.5);
    expect(maxAbsDiff(out, refAdjustBrightness(toRef(x), [0.5, 0.5]))).toBeLessThan(1e-6);
    tf.dispose([x, out]);
  });
});
