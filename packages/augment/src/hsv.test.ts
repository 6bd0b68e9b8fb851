import { initBackend } from '@contrastive/backend';
import { ArgumentError, ShapeError } from '@contrastive/core';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { adjustHue, hsvToRgb, rgbToHsv } from './hsv.js';
import { refAdjustHue, refHsvToRgb, refRgbToHsv } from './reference.js';
import { leakedBy, maxAbsDiff, randomImages, toRef, values } from './test-support.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

const shapeArb = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 8, max: 12 }), fc.integer({ min: 8, max: 12 }));
const levelsArb = fc.option(fc.constantFrom(2, 3, 5, 256), { nil: undefined });

/** Hue distance on the circle, weighted by saturation (hue is meaningless for gray pixels). */
function hueGap(batched: tf.Tensor4D, reference: ReturnType<typeof refRgbToHsv>): number {
  const a = batched.dataSync();
  let worst = 0;
  for (let i = 0; i < a.length; i += 3) {
    const d = Math.abs((a[i] as number) - (reference.data[i] as number));
    const circular = Math.min(d, 1 - d);
    worst = Math.max(worst, circular * (reference.data[i + 1] as number), Math.abs((a[i + 1] as number) - (reference.data[i + 1] as number)), Math.abs((a[i + 2] as number) - (reference.data[i + 2] as number)));
  }
  return worst;
}

describe('rgbToHsv / hsvToRgb', () => {
  it('rgbToHsv matches the per-pixel port of torchvision _rgb2hsv', () => {
    fc.assert(
      fc.property(fc.integer(), shapeArb, levelsArb, (seed, [b, h, w], levels) => {
        const x = randomImages(seed, [b, h, w, 3], levels);
        const hsv = rgbToHsv(x);
        const [lo, hi] = [Math.min(...values(hsv)), Math.max(...values(hsv))];
        expect(lo).toBeGreaterThanOrEqual(0);
        expect(hi).toBeLessThanOrEqual(1);
        expect(hueGap(hsv, refRgbToHsv(toRef(x)))).toBeLessThan(1e-5);
        tf.dispose([x, hsv]);
      }),
      { numRuns: 15 },
    );
  });

  it('hsvToRgb matches the per-pixel port of torchvision _hsv2rgb', () => {
    fc.assert(
      fc.property(fc.integer(), shapeArb, (seed, [b, h, w]) => {
        const hsv = randomImages(seed, [b, h, w, 3]);
        const rgb = hsvToRgb(hsv);
        expect(maxAbsDiff(rgb, refHsvToRgb(toRef(hsv)))).toBeLessThan(1e-5);
        tf.dispose([hsv, rgb]);
      }),
      { numRuns: 15 },
    );
  });

  it('hsvToRgb(rgbToHsv(x)) = x', () => {
    fc.assert(
      fc.property(fc.integer(), shapeArb, levelsArb, (seed, [b, h, w], levels) => {
        const x = randomImages(seed, [b, h, w, 3], levels);
        const back = tf.tidy(() => hsvToRgb(rgbToHsv(x)));
        expect(maxAbsDiff(back, toRef(x))).toBeLessThan(1e-5);
        tf.dispose([x, back]);
      }),
      { numRuns: 15 },
    );
  });

  it('maps the primaries to the textbook hues', () => {
    const x = tf.tensor4d([1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0.5, 0.5, 0.5, 0, 0, 0], [1, 2, 4, 3]);
    const hsv = values(rgbToHsv(x));
    const hues = [0, 1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 0, 0];
    hues.forEach((hue, i) => expect(hsv[3 * i]).toBeCloseTo(hue, 6));
    expect(hsv.slice(18, 21)).toEqual([0, 0, 0.5]); // gray: h = 0, s = 0, v = 0.5
    expect(hsv.slice(21, 24)).toEqual([0, 0, 0]); // black
    x.dispose();
  });
});

describe('adjustHue', () => {
  it('matches the per-pixel reference (RGB -> HSV, h + shift mod 1, -> RGB)', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        shapeArb,
        levelsArb,
        fc.array(fc.double({ min: -0.5, max: 0.5, noNaN: true }), { minLength: 3, maxLength: 3 }),
        (seed, [b, h, w], levels, shiftPool) => {
          const x = randomImages(seed, [b, h, w, 3], levels);
          const shifts = Array.from({ length: b }, (_, i) => Math.fround(shiftPool[i % 3] as number));
          const out = adjustHue(x, shifts);
          expect(maxAbsDiff(out, refAdjustHue(toRef(x), shifts))).toBeLessThan(2e-5);
          tf.dispose([x, out]);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('a shift of 0 returns the image exactly; whole turns return it to rounding', () => {
    fc.assert(
      fc.property(fc.integer(), shapeArb, levelsArb, fc.constantFrom(1, -1, 2), (seed, [b, h, w], levels, turns) => {
        const x = randomImages(seed, [b, h, w, 3], levels);
        const zero = adjustHue(x, 0);
        expect(values(zero)).toEqual(values(x));
        const full = adjustHue(x, turns);
        expect(maxAbsDiff(full, toRef(x))).toBeLessThan(1e-5);
        // Mixed: the zero-shift samples are exact, the others rotate.
        const shifts = Array.from({ length: b }, (_, i) => (i % 2 === 0 ? 0 : 0.25));
        const mixed = adjustHue(x, shifts);
        const n = h * w * 3;
        const got = values(mixed);
        const src = values(x);
        for (let i = 0; i < b; i += 2) expect(got.slice(i * n, (i + 1) * n)).toEqual(src.slice(i * n, (i + 1) * n));
        expect(maxAbsDiff(mixed, refAdjustHue(toRef(x), shifts))).toBeLessThan(2e-5);
        tf.dispose([x, zero, full, mixed]);
      }),
      { numRuns: 10 },
    );
  });

  it('a third of a turn permutes the primaries (red -> green -> blue)', () => {
    const x = tf.tensor4d([1, 0, 0, 0, 1, 0, 0, 0, 1], [1, 1, 3, 3]);
    const out = adjustHue(x, 1 / 3);
    expect(values(out).map((v) => Math.round(v * 1e5) / 1e5)).toEqual([0, 1, 0, 0, 0, 1, 1, 0, 0]);
    tf.dispose([x, out]);
  });

  it('is tidy', () => {
    const x = randomImages(1, [2, 8, 8, 3]);
    expect(leakedBy(() => adjustHue(x, [0.1, 0]))).toBe(0);
    expect(leakedBy(() => adjustHue(x, 0))).toBe(0);
    expect(leakedBy(() => rgbToHsv(x))).toBe(0);
    expect(leakedBy(() => hsvToRgb(x))).toBe(0);
    x.dispose();
  });

  it('rejects bad input by name', () => {
    const x = randomImages(2, [2, 8, 8, 3]);
    expect(() => adjustHue(tf.zeros([8, 8, 3]) as never, 0.1)).toThrow(ShapeError);
    expect(() => adjustHue(x, [0.1])).toThrow(/'shifts'/);
    expect(() => adjustHue(x, Number.NaN)).toThrow(ArgumentError);
    const gray1 = randomImages(3, [1, 8, 8, 1]);
    expect(() => adjustHue(gray1, 0.1)).toThrow(/3 channels/);
    const bright = tf.mul(x, 2) as tf.Tensor4D;
    expect(() => rgbToHsv(bright)).toThrow(/'images'.*\[0, 1\]/);
    tf.dispose([x, gray1, bright]);
  });
});
