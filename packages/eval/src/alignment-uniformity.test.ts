import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, NonFiniteError, Rng, ShapeError } from '@contrastive/core';
import { alignment } from './alignment.js';
import { uniformity } from './uniformity.js';
import { alignmentRef, uniformityRef } from './reference.js';
import { expectArgError, expectNoLeak, normalMatrix, startEngine } from '../test/helpers.js';

beforeAll(startEngine);

/** A random rotation of R^d: the product of two Householder reflections (det = +1). */
function rotation(rng: Rng, d: number): number[][] {
  const householder = (): number[][] => {
    const v = Array.from(rng.normalArray(d));
    const vv = v.reduce((s, x) => s + x * x, 0);
    return v.map((vi, i) => v.map((vj, j) => (i === j ? 1 : 0) - (2 * vi * vj) / vv));
  };
  const a = householder();
  const b = householder();
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, aik, k) => s + aik * b[k]![j]!, 0)));
}

function rotate(x: number[][], r: number[][]): number[][] {
  return x.map((row) => r[0]!.map((_, j) => row.reduce((s, v, k) => s + v * r[k]![j]!, 0)));
}

const seeds = fc.integer({ min: 0, max: 1_000_000 });
const sizes = fc.record({ n: fc.integer({ min: 2, max: 24 }), d: fc.integer({ min: 1, max: 8 }) });

function withTensors<T>(arrays: number[][][], fn: (...ts: tf.Tensor2D[]) => T): T {
  const ts = arrays.map((a) => tf.tensor2d(a));
  try {
    return fn(...ts);
  } finally {
    tf.dispose(ts);
  }
}

describe('alignment (Wang & Isola 2020, eq. 4)', () => {
  it('matches the loop reference for any α, is symmetric and within [0, 2^α]', () => {
    fc.assert(
      fc.property(seeds, sizes, fc.constantFrom(0.5, 1, 2, 3), (seed, { n, d }, alpha) => {
        const rng = Rng.fromSeed(seed);
        const x = normalMatrix(rng, n, d);
        const y = normalMatrix(rng, n, d);
        const [ab, ba] = withTensors([x, y], (a, b) => [alignment(a, b, { alpha }), alignment(b, a, { alpha })]);
        const ref = alignmentRef(x, y, alpha);
        expect(ab).toBeCloseTo(ref, 4);
        expect(ba).toBeCloseTo(ab!, 5);
        expect(ab).toBeGreaterThanOrEqual(0);
        expect(ab).toBeLessThanOrEqual(2 ** alpha + 1e-5);
      }),
      { numRuns: 25 },
    );
  });

  it('is 0 for identical pairs and for pairs that differ by a positive scale', () => {
    fc.assert(
      fc.property(seeds, sizes, (seed, { n, d }) => {
        const rng = Rng.fromSeed(seed);
        const x = normalMatrix(rng, n, d);
        const scaled = x.map((row) => {
          const s = rng.uniform(0.5, 3);
          return row.map((v) => v * s);
        });
        expect(withTensors([x], (a) => alignment(a, a))).toBe(0);
        expect(withTensors([x, scaled], (a, b) => alignment(a, b))).toBeLessThan(1e-5);
      }),
      { numRuns: 15 },
    );
  });

  it('is 4 for antipodal pairs (the upper bound at α = 2) and invariant to a common rotation', () => {
    const rng = Rng.fromSeed(9);
    const x = normalMatrix(rng, 12, 5);
    const neg = x.map((r) => r.map((v) => -v));
    expect(withTensors([x, neg], (a, b) => alignment(a, b))).toBeCloseTo(4, 5);
    const y = normalMatrix(rng, 12, 5);
    const r = rotation(rng, 5);
    const before = withTensors([x, y], (a, b) => alignment(a, b));
    const after = withTensors([rotate(x, r), rotate(y, r)], (a, b) => alignment(a, b));
    expect(after).toBeCloseTo(before, 4);
  });

  it('does not leak and validates its arguments by name', () => {
    const a = tf.randomNormal([6, 3], 0, 1, 'float32', 1) as tf.Tensor2D;
    const b = tf.randomNormal([6, 3], 0, 1, 'float32', 2) as tf.Tensor2D;
    const c = tf.randomNormal([5, 3], 0, 1, 'float32', 3) as tf.Tensor2D;
    const bad = tf.tensor2d([[Number.POSITIVE_INFINITY, 0, 0]]);
    expectNoLeak(() => alignment(a, b, { alpha: 3 }));
    expectArgError(() => alignment(a, c), ShapeError, 'z2');
    expectArgError(() => alignment(a, b, { alpha: 0 }), ArgumentError, 'options.alpha');
    expectArgError(() => alignment(bad, bad), NonFiniteError, 'z1');
    expectArgError(() => alignment(tf.zeros([6]) as unknown as tf.Tensor2D, b), ShapeError, 'z1');
    tf.dispose([a, b, c, bad]);
  });
});

describe('uniformity (Wang & Isola 2020, eq. 5)', () => {
  it('matches the loop reference over distinct pairs and lies in [−4t, 0]', () => {
    fc.assert(
      fc.property(seeds, sizes, fc.constantFrom(0.5, 2, 5), fc.integer({ min: 1, max: 30 }), (seed, { n, d }, t, chunkSize) => {
        const x = normalMatrix(Rng.fromSeed(seed), n, d);
        const u = withTensors([x], (a) => uniformity(a, { t, chunkSize }));
        expect(u).toBeCloseTo(uniformityRef(x, t), 4);
        expect(u).toBeLessThanOrEqual(0);
        expect(u).toBeGreaterThanOrEqual(-4 * t);
      }),
      { numRuns: 25 },
    );
  });

  it('is invariant to permuting the rows and to rotations', () => {
    fc.assert(
      fc.property(seeds, sizes, (seed, { n, d }) => {
        const rng = Rng.fromSeed(seed);
        const x = normalMatrix(rng, n, d);
        const perm = Array.from(rng.permutation(n));
        const permuted = perm.map((i) => x[i]!);
        const rotated = rotate(x, rotation(rng, d));
        const [u, up, ur] = withTensors([x, permuted, rotated], (a, b, c) => [uniformity(a), uniformity(b), uniformity(c)]);
        expect(up).toBeCloseTo(u!, 4);
        expect(ur).toBeCloseTo(u!, 4);
      }),
      { numRuns: 15 },
    );
  });

  it('reaches its bounds: 0 for coinciding points, −4t for an antipodal pair; finite for large t', () => {
    expect(withTensors([[[1, 2], [2, 4], [0.5, 1]]], (a) => uniformity(a))).toBeCloseTo(0, 6);
    expect(withTensors([[[1, 0], [-3, 0]]], (a) => uniformity(a, { t: 2 }))).toBeCloseTo(-8, 5);
    // t = 200: every pair's potential underflows float32 unless summed in log space.
    const x = normalMatrix(Rng.fromSeed(4), 10, 3);
    const big = withTensors([x], (a) => uniformity(a, { t: 200 }));
    expect(Number.isFinite(big)).toBe(true);
    expect(big).toBeCloseTo(uniformityRef(x, 200), 2);
  });

  it('does not leak and validates its arguments by name', () => {
    const a = tf.randomNormal([7, 3], 0, 1, 'float32', 1) as tf.Tensor2D;
    const one = tf.ones([1, 3]) as tf.Tensor2D;
    expectNoLeak(() => uniformity(a, { chunkSize: 2 }));
    expectArgError(() => uniformity(one), ShapeError, 'z');
    expectArgError(() => uniformity(a, { t: -1 }), ArgumentError, 'options.t');
    expectArgError(() => uniformity(a, { chunkSize: 0 }), ArgumentError, 'options.chunkSize');
    expectArgError(() => uniformity(a, [] as unknown as object), ArgumentError, 'options');
    tf.dispose([a, one]);
  });
});
