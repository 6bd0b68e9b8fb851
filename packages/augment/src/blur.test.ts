import { initBackend } from '@contrastive/backend';
import { Rng } from '@contrastive/core';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultBlurKernelSize, gaussianBlur, gaussianKernel1d, randomGaussianBlur } from './blur.js';
import { refGaussianBlur } from './reference.js';
import { leakedBy, maxAbsDiff, randomImages, toRef, values } from './test-support.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe('gaussianKernel1d / defaultBlurKernelSize', () => {
  it('is symmetric, sums to 1 and follows exp(-x^2 / 2 sigma^2)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.double({ min: 0.1, max: 3, noNaN: true }), (half, sigma) => {
        const k = gaussianKernel1d(2 * half + 1, sigma);
        expect(k.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
        for (let i = 0; i < k.length; i++) expect(k[i]).toBeCloseTo(k[k.length - 1 - i] as number, 7);
        if (half >= 1) expect((k[half + 1] as number) / (k[half] as number)).toBeCloseTo(Math.exp(-0.5 / sigma ** 2), 5);
      }),
      { numRuns: 30 },
    );
  });

  it('kernel size is 10% of the side, made odd (SimCLR): 3 for 32, 23 for 224', () => {
    expect(defaultBlurKernelSize(32)).toBe(3);
    expect(defaultBlurKernelSize(224)).toBe(23);
    expect(defaultBlurKernelSize(96)).toBe(9);
    expect(defaultBlurKernelSize(8)).toBe(1);
  });
});

describe('gaussianBlur', () => {
  it('matches a direct 2-D convolution with reflect padding', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 6, max: 12 }),
        fc.integer({ min: 6, max: 12 }),
        fc.constantFrom(1, 3, 5, 7, 11),
        fc.array(fc.option(fc.double({ min: 0.1, max: 2, noNaN: true }), { nil: null }), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 1, max: 3 }),
        (seed, b, h, w, kernelSize, pool, channels) => {
          const sigmas = pool.slice(0, b);
          const x = randomImages(seed, [b, h, w, channels]);
          const out = gaussianBlur(x, sigmas, kernelSize);
          expect(maxAbsDiff(out, refGaussianBlur(toRef(x), sigmas, kernelSize))).toBeLessThan(1e-5);
          tf.dispose([x, out]);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('leaves a constant image unchanged', () => {
    const x = tf.fill([2, 9, 9, 3], 0.37) as tf.Tensor4D;
    const out = gaussianBlur(x, [0.5, 2], 5);
    expect(maxAbsDiff(out, toRef(x))).toBeLessThan(1e-6);
    tf.dispose([x, out]);
  });
});

describe('randomGaussianBlur', () => {
  it('p = 0 is the identity and p = 1 blurs every sample with sigma in range', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 4 }), (seed, b) => {
        const x = randomImages(seed, [b, 10, 10, 3]);
        const g = { batchSize: b, height: 10, width: 10, channels: 3 };
        const none = randomGaussianBlur({ p: 0, kernelSize: 5 });
        const all = randomGaussianBlur({ p: 1, kernelSize: 5, sigma: [0.5, 1.5] });
        expect(none.sample(Rng.fromSeed(seed), g)).toEqual({ kernelSize: 5, sigmas: new Array(b).fill(null) });
        const params = all.sample(Rng.fromSeed(seed), g);
        for (const s of params.sigmas) {
          expect(s).not.toBeNull();
          expect(s as number).toBeGreaterThanOrEqual(0.5);
          expect(s as number).toBeLessThanOrEqual(1.5);
        }
        const same = none.apply(x, Rng.fromSeed(seed));
        expect(values(same)).toEqual(values(x));
        const blurred = all.apply(x, Rng.fromSeed(seed));
        expect(maxAbsDiff(blurred, refGaussianBlur(toRef(x), params.sigmas, 5))).toBeLessThan(1e-5);
        tf.dispose([x, same, blurred]);
      }),
      { numRuns: 10 },
    );
  });

  it('derives the kernel size from the input side by default', () => {
    const g = { batchSize: 1, height: 224, width: 224, channels: 3 };
    expect(randomGaussianBlur().sample(Rng.fromSeed(0), g).kernelSize).toBe(23);
  });

  it('is tidy and rejects bad input by name', () => {
    const x = randomImages(1, [3, 8, 8, 3]);
    expect(leakedBy(() => randomGaussianBlur({ p: 0.5, kernelSize: 3 }).apply(x, Rng.fromSeed(1)))).toBe(0);
    expect(leakedBy(() => gaussianBlur(x, [1, null, 0.3], 5))).toBe(0);
    expect(() => randomGaussianBlur({ kernelSize: 4 })).toThrow(/'options.kernelSize'/);
    expect(() => randomGaussianBlur({ sigma: [2, 0.1] })).toThrow(/'options.sigma'/);
    expect(() => randomGaussianBlur({ p: -1 })).toThrow(/'options.p'/);
    expect(() => randomGaussianBlur({ kernelSize: 17 }).apply(x, Rng.fromSeed(0))).toThrow(/'options.kernelSize'/);
    expect(() => gaussianBlur(x, 1, 17)).toThrow(/'kernelSize'/);
    expect(() => gaussianBlur(x, [1, 0, 1], 3)).toThrow(/'params.sigmas\[1\]'/);
    x.dispose();
  });
});
