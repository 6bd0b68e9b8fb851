import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { resizeImage, type ResizeMethod } from './resize.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

const arbImage = fc
  .record({ h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 9 }), c: fc.constantFrom(1, 3), oh: fc.integer({ min: 1, max: 12 }), ow: fc.integer({ min: 1, max: 12 }) })
  .chain((s) => fc.tuple(fc.constant(s), fc.uint8Array({ minLength: s.h * s.w * s.c, maxLength: s.h * s.w * s.c })));

/** tfjs' own resize (half-pixel centres) as the reference implementation. */
function tfResize(src: Uint8Array, h: number, w: number, c: number, oh: number, ow: number, method: ResizeMethod): number[] {
  return tf.tidy(() => {
    const x = tf.tensor3d(Float32Array.from(src), [h, w, c]);
    const y = method === 'bilinear' ? tf.image.resizeBilinear(x, [oh, ow], false, true) : tf.image.resizeNearestNeighbor(x, [oh, ow], false, true);
    return Array.from(y.dataSync());
  });
}

describe('resizeImage', () => {
  it('bilinear matches tf.image.resizeBilinear(halfPixelCenters) to within rounding (law)', () => {
    fc.assert(
      fc.property(arbImage, ([{ h, w, c, oh, ow }, src]) => {
        const ours = resizeImage(src, h, w, c, oh, ow, 'bilinear');
        const ref = tfResize(src, h, w, c, oh, ow, 'bilinear');
        ours.forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThanOrEqual(0.5 + 1e-3));
      }),
      { numRuns: 25 },
    );
  });

  it('nearest matches tf.image.resizeNearestNeighbor(halfPixelCenters) exactly (law)', () => {
    fc.assert(
      fc.property(arbImage, ([{ h, w, c, oh, ow }, src]) => {
        expect(Array.from(resizeImage(src, h, w, c, oh, ow, 'nearest'))).toEqual(tfResize(src, h, w, c, oh, ow, 'nearest'));
      }),
      { numRuns: 25 },
    );
  });

  it('same size is the identity; a constant image stays constant (laws)', () => {
    fc.assert(
      fc.property(arbImage, fc.integer({ min: 0, max: 255 }), fc.constantFrom<ResizeMethod>('bilinear', 'nearest'), ([{ h, w, c, oh, ow }, src], v, method) => {
        expect(Array.from(resizeImage(src, h, w, c, h, w, method))).toEqual(Array.from(src));
        const flat = new Uint8Array(h * w * c).fill(v);
        expect(resizeImage(flat, h, w, c, oh, ow, method).every((x) => x === v)).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('rejects a source of the wrong size by name', () => {
    expect(() => resizeImage(new Uint8Array(5), 2, 2, 1, 3, 3)).toThrow(/'src'/);
    expect(() => resizeImage(new Uint8Array(4), 2, 2, 1, 0, 3)).toThrow(/'outH'/);
  });
});
