import { initBackend } from '@contrastive/backend';
import { ShapeError, NonFiniteError } from '@contrastive/core';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { effectiveRank, embeddingStd, symmetricEigenvalues } from './collapse.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

/** N rows spread over k orthogonal axes of R^D, each axis carrying the same energy. */
function onAxes(n: number, d: number, k: number, scale: number): tf.Tensor2D {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const r = new Array<number>(d).fill(0);
    r[i % k] = (i % 2 === 0 ? 1 : -1) * scale;
    rows.push(r);
  }
  return tf.tensor2d(rows);
}

describe('effectiveRank (RankMe)', () => {
  it('equals k for rows spread equally over k orthogonal axes, for any scale, row count or order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 6, max: 12 }), fc.integer({ min: 1, max: 4 }), fc.double({ min: 0.01, max: 100, noNaN: true }), (k, d, reps, scale) => {
        const z = onAxes(2 * k * reps, d, k, scale);
        expect(effectiveRank(z)).toBeCloseTo(k, 3); // RankMe's ε (1e-7 per zero singular value) moves it by ~1e-5
        z.dispose();
      }),
      { numRuns: 30 },
    );
  });

  it('is 1 for identical rows (collapse), in [1, min(N, D)] for random rows, invariant to a rotation', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 20 }), fc.integer({ min: 2, max: 10 }), fc.integer(), (n, d, seed) => {
        const same = tf.tidy(() => tf.tile(tf.randomNormal([1, d], 0, 1, 'float32', seed), [n, 1])) as tf.Tensor2D;
        expect(effectiveRank(same)).toBeCloseTo(1, 3);
        const z = tf.randomNormal([n, d], 0, 1, 'float32', seed) as tf.Tensor2D;
        const r = effectiveRank(z);
        expect(r).toBeGreaterThanOrEqual(1 - 1e-6);
        expect(r).toBeLessThanOrEqual(Math.min(n, d) + 1e-6);
        // an orthogonal map (a permutation with sign flips) keeps the singular values
        const perm = tf.tidy(() => tf.mul(tf.reverse(tf.eye(d), 0), -1)) as tf.Tensor2D;
        const rotated = tf.matMul(z, perm) as tf.Tensor2D;
        expect(effectiveRank(rotated)).toBeCloseTo(r, 4);
        tf.dispose([same, z, perm, rotated]);
      }),
      { numRuns: 20 },
    );
  });

  it('Jacobi eigenvalues of a symmetric matrix match its trace and a known spectrum', () => {
    // Q diag(3, 1, 0.5) Qᵀ with Q a rotation in the (0, 1) plane
    const c = Math.cos(0.7);
    const s = Math.sin(0.7);
    const a = Float64Array.from([3 * c * c + s * s, (3 - 1) * c * s, 0, (3 - 1) * c * s, 3 * s * s + c * c, 0, 0, 0, 0.5]);
    const eig = symmetricEigenvalues(a, 3).sort((x, y) => y - x);
    expect(eig[0]).toBeCloseTo(3, 10);
    expect(eig[1]).toBeCloseTo(1, 10);
    expect(eig[2]).toBeCloseTo(0.5, 10);
  });
});

describe('embeddingStd', () => {
  it('is 0 for identical rows and near 1/sqrt(D) for isotropic random rows', () => {
    const d = 64;
    const same = tf.tidy(() => tf.tile(tf.randomNormal([1, d], 0, 1, 'float32', 3), [50, 1])) as tf.Tensor2D;
    expect(embeddingStd(same)).toBeLessThan(1e-6);
    const z = tf.randomNormal([4000, d], 0, 1, 'float32', 4) as tf.Tensor2D;
    expect(embeddingStd(z)).toBeCloseTo(1 / Math.sqrt(d), 2);
    tf.dispose([same, z]);
  });

  it('is invariant to scaling rows (it normalises them) and lies in [0, 1]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 8 }), fc.integer(), fc.double({ min: 0.01, max: 100, noNaN: true }), (n, d, seed, k) => {
        const z = tf.randomNormal([n, d], 0, 1, 'float32', seed) as tf.Tensor2D;
        const scaled = tf.mul(z, k) as tf.Tensor2D;
        const v = embeddingStd(z);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
        expect(embeddingStd(scaled)).toBeCloseTo(v, 4);
        tf.dispose([z, scaled]);
      }),
      { numRuns: 20 },
    );
  });

  it('leaks no tensor and rejects bad input by name', () => {
    const z = tf.randomNormal([10, 4], 0, 1, 'float32', 1) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    embeddingStd(z);
    effectiveRank(z);
    expect(tf.memory().numTensors).toBe(before);
    const bad = tf.tensor2d([[Number.NaN, 1]]);
    expect(() => embeddingStd(bad)).toThrow(NonFiniteError);
    expect(() => effectiveRank(tf.tensor1d([1, 2]) as unknown as tf.Tensor2D)).toThrow(/'z'/);
    expect(() => embeddingStd(tf.zeros([0, 3]) as tf.Tensor2D)).toThrow(ShapeError);
    tf.dispose([z, bad]);
  });
});
