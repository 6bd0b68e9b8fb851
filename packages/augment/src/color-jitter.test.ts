import { initBackend } from '@contrastive/backend';
import { ArgumentError, Rng } from '@contrastive/core';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { colorJitter, colorJitterRanges, JITTER_OPS, randomColorJitter, sampleColorJitter, simclrJitter, type ColorJitterSample, type JitterOp } from './color-jitter.js';
import { refColorJitter } from './reference.js';
import { leakedBy, maxAbsDiff, randomImages, range, toRef, values } from './test-support.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

const f32 = (min: number, max: number): fc.Arbitrary<number> => fc.double({ min, max, noNaN: true }).map(Math.fround);
const sampleArb: fc.Arbitrary<ColorJitterSample | null> = fc.option(
  fc.record({
    order: fc.shuffledSubarray([...JITTER_OPS] as JitterOp[], { minLength: 4, maxLength: 4 }),
    brightness: f32(0, 1.8),
    contrast: f32(0, 1.8),
    saturation: f32(0, 1.8),
    hue: fc.oneof(f32(-0.5, 0.5), fc.constant(0)),
  }),
  { nil: null, freq: 4 },
);

describe('colorJitterRanges / simclrJitter', () => {
  it("resolves strengths as torchvision's ColorJitter", () => {
    expect(colorJitterRanges({ brightness: 0.4, contrast: 1.5, saturation: [0.2, 0.9], hue: 0.1 })).toEqual({
      brightness: [0.6, 1.4],
      contrast: [0, 2.5],
      saturation: [0.2, 0.9],
      hue: [-0.1, 0.1],
    });
    expect(colorJitterRanges({})).toEqual({ brightness: [1, 1], contrast: [1, 1], saturation: [1, 1], hue: [0, 0] });
  });

  it('SimCLR strength s gives 0.8 s, 0.8 s, 0.8 s, 0.2 s with p = 0.8', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 2.5, noNaN: true }), (s) => {
        const o = simclrJitter(s);
        expect(o.brightness).toBeCloseTo(0.8 * s, 12);
        expect(o.contrast).toBeCloseTo(0.8 * s, 12);
        expect(o.saturation).toBeCloseTo(0.8 * s, 12);
        expect(o.hue).toBeCloseTo(0.2 * s, 12);
        expect(o.p).toBe(0.8);
      }),
      { numRuns: 20 },
    );
    expect(() => simclrJitter(-1)).toThrow(/'strength'/);
  });

  it('samples a permutation of the four operations and factors within the ranges', () => {
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true }), (seed, s, hue) => {
        const sample = sampleColorJitter(Rng.fromSeed(seed), { brightness: s, contrast: s, saturation: s, hue });
        expect([...sample.order].sort()).toEqual([...JITTER_OPS].sort());
        for (const key of ['brightness', 'contrast', 'saturation'] as const) {
          expect(sample[key]).toBeGreaterThanOrEqual(Math.max(0, 1 - s));
          expect(sample[key]).toBeLessThanOrEqual(1 + s);
        }
        expect(Math.abs(sample.hue)).toBeLessThanOrEqual(hue);
      }),
      { numRuns: 50 },
    );
  });

  it('draws every order over many samples (random order per sample)', () => {
    const rng = Rng.fromSeed(5);
    const seen = new Set(Array.from({ length: 600 }, () => sampleColorJitter(rng, { hue: 0.1 }).order.join(',')));
    expect(seen.size).toBe(24);
  });
});

describe('colorJitter', () => {
  it('matches the per-sample sequential torchvision reference', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 4, max: 10 }), fc.array(sampleArb, { minLength: 6, maxLength: 6 }), fc.option(fc.constantFrom(3, 256), { nil: undefined }), (seed, b, side, pool, levels) => {
        const params = pool.slice(0, b);
        const x = randomImages(seed, [b, side, side, 3], levels);
        const out = colorJitter(x, params);
        expect(maxAbsDiff(out, refColorJitter(toRef(x), params))).toBeLessThan(5e-5);
        const [lo, hi] = range(out);
        expect(lo).toBeGreaterThanOrEqual(0);
        expect(hi).toBeLessThanOrEqual(1);
        // Samples that are not jittered come back exactly.
        const n = side * side * 3;
        params.forEach((p, i) => {
          if (p === null) expect(values(out).slice(i * n, (i + 1) * n)).toEqual(values(x).slice(i * n, (i + 1) * n));
        });
        tf.dispose([x, out]);
      }),
      { numRuns: 25 },
    );
  });

  it('the order matters (brightness then contrast differs from contrast then brightness when clamping)', () => {
    const x = randomImages(3, [1, 6, 6, 3]);
    const base = { brightness: 1.8, contrast: 0.2, saturation: 1, hue: 0 };
    const bc = colorJitter(x, [{ ...base, order: ['brightness', 'contrast', 'saturation', 'hue'] }]);
    const cb = colorJitter(x, [{ ...base, order: ['contrast', 'brightness', 'saturation', 'hue'] }]);
    expect(maxAbsDiff(bc, toRef(cb))).toBeGreaterThan(1e-3);
    tf.dispose([x, bc, cb]);
  });
});

describe('randomColorJitter', () => {
  it('p = 0 is the identity and p = 1 jitters every sample', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 4 }), (seed, b) => {
        const x = randomImages(seed, [b, 8, 8, 3]);
        const g = { batchSize: b, height: 8, width: 8, channels: 3 };
        const none = randomColorJitter({ ...simclrJitter(1), p: 0 });
        const all = randomColorJitter({ ...simclrJitter(1), p: 1 });
        expect(none.sample(Rng.fromSeed(seed), g)).toEqual(new Array(b).fill(null));
        const params = all.sample(Rng.fromSeed(seed), g);
        expect(params.every((p) => p !== null)).toBe(true);
        const same = none.apply(x, Rng.fromSeed(seed));
        expect(values(same)).toEqual(values(x));
        const jittered = all.apply(x, Rng.fromSeed(seed));
        expect(maxAbsDiff(jittered, refColorJitter(toRef(x), params))).toBeLessThan(5e-5);
        tf.dispose([x, same, jittered]);
      }),
      { numRuns: 10 },
    );
  });

  it('is tidy', () => {
    const x = randomImages(4, [6, 8, 8, 3]);
    const jitter = randomColorJitter(simclrJitter(1));
    expect(leakedBy(() => jitter.apply(x, Rng.fromSeed(1)))).toBe(0);
    expect(leakedBy(() => jitter.apply(x, Rng.fromSeed(2)))).toBe(0);
    const params = jitter.sample(Rng.fromSeed(3), { batchSize: 6, height: 8, width: 8, channels: 3 });
    expect(leakedBy(() => colorJitter(x, params))).toBe(0);
    expect(leakedBy(() => colorJitter(x, new Array(6).fill(null)))).toBe(0);
    x.dispose();
  });

  it('rejects bad options and parameters by name', () => {
    expect(() => randomColorJitter({ hue: 0.6 })).toThrow(/'options.hue'/);
    expect(() => randomColorJitter({ brightness: -1 })).toThrow(/'options.brightness'/);
    expect(() => randomColorJitter({ contrast: [1.5, 0.5] })).toThrow(/'options.contrast'/);
    expect(() => randomColorJitter({ p: 1.2 })).toThrow(ArgumentError);
    expect(() => randomColorJitter({ p: 1.2 })).toThrow(/'options.p'/);
    const x = randomImages(5, [1, 8, 8, 3]);
    const bad = { order: ['brightness', 'brightness', 'saturation', 'hue'], brightness: 1, contrast: 1, saturation: 1, hue: 0 } as unknown as ColorJitterSample;
    expect(() => colorJitter(x, [bad])).toThrow(/'params\[0\].order'/);
    expect(() => colorJitter(x, [{ ...bad, order: [...JITTER_OPS], contrast: -1 }])).toThrow(/'params\[0\].contrast'/);
    x.dispose();
  });
});
