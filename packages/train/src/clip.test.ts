import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { clipByGlobalNorm, globalNorm } from './clip.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

const f32 = (min: number, max: number) => fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true });

describe('globalNorm / clipByGlobalNorm', () => {
  it('match the naive reference: norm over all gradients, scaled by max/max(norm, max)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(f32(-3, 3), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 4 }), f32(0.01, 5), (lists, maxNorm) => {
        const grads = Object.fromEntries(lists.map((l, i) => [`v${i}`, tf.tensor1d(l)]));
        const ref = Math.sqrt(lists.flat().reduce((s, x) => s + x * x, 0));
        const start = tf.memory().numTensors;
        const norm = globalNorm(grads);
        expect(tf.memory().numTensors).toBe(start);
        expect(norm).toBeCloseTo(ref, 4);
        const before = tf.memory().numTensors;
        const clipped = clipByGlobalNorm(grads, maxNorm, norm);
        expect(tf.memory().numTensors).toBe(before + lists.length);
        const scale = maxNorm / Math.max(norm, maxNorm);
        lists.forEach((l, i) => {
          const got = Array.from(clipped[`v${i}`]?.dataSync() ?? []);
          got.forEach((x, j) => expect(x).toBeCloseTo((l[j] as number) * scale, 5));
        });
        expect(globalNorm(clipped)).toBeLessThanOrEqual(maxNorm * (1 + 1e-5));
        [...Object.values(grads), ...Object.values(clipped)].forEach((t) => t.dispose());
      }),
      { numRuns: 30 },
    );
  });

  it('reports a non-finite norm for a non-finite gradient and refuses to clip with it', () => {
    const g = { a: tf.tensor1d([1, Number.NaN]) };
    expect(Number.isNaN(globalNorm(g))).toBe(true);
    expect(() => clipByGlobalNorm(g, 1)).toThrow(/'norm'/);
    expect(globalNorm({})).toBe(0);
    expect(() => clipByGlobalNorm(g, 0, 1)).toThrow(/'maxNorm'/);
    g.a.dispose();
  });
});
