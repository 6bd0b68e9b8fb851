import { initBackend } from '@contrastive/backend';
import { ArgumentError, Rng, ShapeError } from '@contrastive/core';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomResizedCrop, resizedCrop, roundHalfEven, sampleResizedCrop, type CropBox } from './crop.js';
import { refResizedCrop } from './reference.js';
import { leakedBy, maxAbsDiff, randomImages, range, toRef, values } from './test-support.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

const scaleArb = fc
  .tuple(fc.double({ min: 0.05, max: 1, noNaN: true }), fc.double({ min: 0.05, max: 1, noNaN: true }))
  .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as [number, number]);
const ratioArb = fc
  .tuple(fc.double({ min: 0.3, max: 3, noNaN: true }), fc.double({ min: 0.3, max: 3, noNaN: true }))
  .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as [number, number]);

describe('roundHalfEven', () => {
  it("rounds like Python's round()", () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, 4, -0, -2, 2, 3]);
  });
});

describe('sampleResizedCrop', () => {
  it('accepted crops come from draws within scale and log-ratio bounds and round to the drawn size', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 8, max: 256 }), fc.integer({ min: 8, max: 256 }), scaleArb, ratioArb, (seed, height, width, scale, ratio) => {
        const s = sampleResizedCrop(Rng.fromSeed(seed), height, width, { scale, ratio });
        expect(s.top).toBeGreaterThanOrEqual(0);
        expect(s.left).toBeGreaterThanOrEqual(0);
        expect(s.height).toBeGreaterThanOrEqual(1);
        expect(s.width).toBeGreaterThanOrEqual(1);
        expect(s.top + s.height).toBeLessThanOrEqual(height);
        expect(s.left + s.width).toBeLessThanOrEqual(width);
        if (!s.fallback) {
          expect(s.scale).toBeGreaterThanOrEqual(scale[0]);
          expect(s.scale).toBeLessThanOrEqual(scale[1]);
          expect(s.aspectRatio).toBeGreaterThanOrEqual(ratio[0] * (1 - 1e-12));
          expect(s.aspectRatio).toBeLessThanOrEqual(ratio[1] * (1 + 1e-12));
          const area = s.scale * height * width;
          expect(s.width).toBe(roundHalfEven(Math.sqrt(area * s.aspectRatio)));
          expect(s.height).toBe(roundHalfEven(Math.sqrt(area / s.aspectRatio)));
          expect(s.attempts).toBeGreaterThanOrEqual(1);
          expect(s.attempts).toBeLessThanOrEqual(10);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('on large images the crop area and aspect are within bounds up to rounding', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const s = sampleResizedCrop(Rng.fromSeed(seed), 224, 224);
        expect(s.fallback).toBe(false);
        // Rounding moves each side by at most half a pixel.
        expect((s.width + 0.5) * (s.height + 0.5)).toBeGreaterThanOrEqual(0.08 * 224 * 224);
        expect((s.width - 0.5) * (s.height - 0.5)).toBeLessThanOrEqual(224 * 224);
        expect((s.width + 0.5) / (s.height - 0.5)).toBeGreaterThanOrEqual(3 / 4);
        expect((s.width - 0.5) / (s.height + 0.5)).toBeLessThanOrEqual(4 / 3);
      }),
      { numRuns: 200 },
    );
  });

  it('falls back to the largest centred crop within the ratio range after 10 failed attempts', () => {
    // A square image cannot hold a full-area crop of aspect 2..3: every attempt fails.
    const wide = sampleResizedCrop(Rng.fromSeed(1), 20, 20, { scale: [1, 1], ratio: [2, 3] });
    expect(wide).toMatchObject({ fallback: true, attempts: 10, width: 20, height: 10, top: 5, left: 0 });
    const tall = sampleResizedCrop(Rng.fromSeed(1), 20, 20, { scale: [1, 1], ratio: [0.25, 0.5] });
    expect(tall).toMatchObject({ fallback: true, width: 10, height: 20, top: 0, left: 5 });
    const square = sampleResizedCrop(Rng.fromSeed(1), 20, 30, { scale: [1, 1], ratio: [1, 1] });
    expect(square).toMatchObject({ fallback: true, width: 20, height: 20, top: 0, left: 5 });
  });

  it('is reproducible from the seed', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        expect(sampleResizedCrop(Rng.fromSeed(seed), 32, 32)).toEqual(sampleResizedCrop(Rng.fromSeed(seed), 32, 32));
      }),
      { numRuns: 30 },
    );
  });

  it('rejects invalid ranges by name', () => {
    const rng = Rng.fromSeed(0);
    expect(() => sampleResizedCrop(rng, 32, 32, { scale: [0.9, 0.1] })).toThrow(ArgumentError);
    expect(() => sampleResizedCrop(rng, 32, 32, { scale: [0.9, 0.1] })).toThrow(/'options.scale'/);
    expect(() => sampleResizedCrop(rng, 32, 32, { scale: [0, 1] })).toThrow(/'options.scale'/);
    expect(() => sampleResizedCrop(rng, 32, 32, { scale: [0.5, 1.5] })).toThrow(/'options.scale'/);
    expect(() => sampleResizedCrop(rng, 32, 32, { ratio: [-1, 2] })).toThrow(/'options.ratio'/);
    expect(() => sampleResizedCrop(rng, 0, 32)).toThrow(/'height'/);
    expect(() => sampleResizedCrop({} as Rng, 32, 32)).toThrow(/'rng'/);
  });
});

const boxArb = (height: number, width: number): fc.Arbitrary<CropBox> =>
  fc
    .tuple(fc.integer({ min: 1, max: height }), fc.integer({ min: 1, max: width }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([h, w, u, v]) => ({ height: h, width: w, top: Math.floor(u * (height - h + 1)) % (height - h + 1), left: Math.floor(v * (width - w + 1)) % (width - w + 1) }));

describe('resizedCrop', () => {
  it('matches the per-pixel half-pixel bilinear reference, with and without flips', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 8, max: 14 }),
        fc.integer({ min: 8, max: 14 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 16 }),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 1, max: 3 }),
        (seed, b, h, w, outH, outW, flipPool, channels) => {
          const boxes = fc.sample(fc.array(boxArb(h, w), { minLength: b, maxLength: b }), { seed, numRuns: 1 })[0] as CropBox[];
          const flips = Array.from({ length: b }, (_, i) => flipPool[i % 3] as boolean);
          const x = randomImages(seed, [b, h, w, channels]);
          const out = resizedCrop(x, boxes, [outH, outW], flips);
          expect(out.shape).toEqual([b, outH, outW, channels]);
          expect(maxAbsDiff(out, refResizedCrop(toRef(x), boxes, [outH, outW], flips))).toBeLessThan(1e-4);
          tf.dispose([x, out]);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('the whole-image box at the input size is the identity', () => {
    const x = randomImages(4, [2, 9, 11, 3]);
    const out = resizedCrop(x, [{ top: 0, left: 0, height: 9, width: 11 }, { top: 0, left: 0, height: 9, width: 11 }], [9, 11]);
    expect(maxAbsDiff(out, toRef(x))).toBeLessThan(1e-6);
    tf.dispose([x, out]);
  });
});

describe('randomResizedCrop', () => {
  it('outputs [B, size, size, C] in [0, 1] and its parameters are the sampler draws', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 8, max: 16 }), fc.integer({ min: 4, max: 16 }), (seed, b, side, size) => {
        const crop = randomResizedCrop({ size });
        const x = randomImages(seed, [b, side, side, 3]);
        const g = { batchSize: b, height: side, width: side, channels: 3 };
        const params = crop.sample(Rng.fromSeed(seed), g);
        const direct = Rng.fromSeed(seed);
        expect(params).toEqual(Array.from({ length: b }, () => sampleResizedCrop(direct, side, side)));
        const out = crop.apply(x, Rng.fromSeed(seed));
        expect(out.shape).toEqual([b, size, size, 3]);
        const [lo, hi] = range(out);
        expect(lo).toBeGreaterThanOrEqual(0);
        expect(hi).toBeLessThanOrEqual(1);
        const again = crop.applyParams(x, params);
        expect(values(again)).toEqual(values(out));
        tf.dispose([x, out, again]);
      }),
      { numRuns: 15 },
    );
  });

  it('is tidy', () => {
    const x = randomImages(5, [3, 12, 12, 3]);
    const crop = randomResizedCrop({ size: 8 });
    expect(leakedBy(() => crop.apply(x, Rng.fromSeed(1)))).toBe(0);
    const params = crop.sample(Rng.fromSeed(2), { batchSize: 3, height: 12, width: 12, channels: 3 });
    expect(leakedBy(() => crop.applyParams(x, params))).toBe(0);
    expect(leakedBy(() => resizedCrop(x, [0, 1, 2].map(() => ({ top: 1, left: 2, height: 5, width: 7 })), 6, [true, false, true]))).toBe(0);
    x.dispose();
  });

  it('rejects bad input by name', () => {
    const x = randomImages(6, [2, 12, 12, 3]);
    expect(() => randomResizedCrop({ size: 0 })).toThrow(/'options.size'/);
    expect(() => randomResizedCrop({ size: 8, scale: [0.9, 0.1] })).toThrow(/'options.scale'/);
    expect(() => randomResizedCrop({ size: 8, sclae: [0.2, 1] } as never)).toThrow(/'options.sclae'/);
    const crop = randomResizedCrop({ size: 8 });
    expect(() => crop.apply(tf.zeros([12, 12, 3]) as never, Rng.fromSeed(0))).toThrow(ShapeError);
    expect(() => crop.apply(tf.fill([1, 8, 8, 3], 1.5) as tf.Tensor4D, Rng.fromSeed(0))).toThrow(/'images'.*\[0, 1\]/);
    expect(() => crop.apply(x, 7 as never)).toThrow(/'rng'/);
    expect(() => crop.applyParams(x, [{ top: 0, left: 0, height: 13, width: 4 }, { top: 0, left: 0, height: 2, width: 2 }])).toThrow(/'params\[0\]'/);
    expect(() => crop.applyParams(x, [{ top: 0, left: 0, height: 2, width: 2 }])).toThrow(/'params'/);
    expect(() => resizedCrop(x, [{ top: 0, left: 0, height: 2, width: 2 }, { top: 0, left: 0, height: 2, width: 2 }], 8, [true])).toThrow(/'flips'/);
    x.dispose();
  });
});
