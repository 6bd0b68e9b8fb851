import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { Rng } from '@contrastive/core';
import { initBackend } from '@contrastive/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { l2NormalizeRows } from './normalize.js';
import { ENGINES, expectNoLeak, randomRows } from '../test/helpers.js';

/** float64 reference: y = x/‖x‖ and the vector-Jacobian product (dy - y⟨y, dy⟩)/‖x‖, row by row. */
function reference(x: number[][], dy: number[][]): { y: number[][]; dx: number[][] } {
  const y = x.map((row) => {
    const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
    return row.map((v) => v / norm);
  });
  const dx = x.map((row, i) => {
    const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
    const yi = y[i]!;
    const along = yi.reduce((s, v, c) => s + v * dy[i]![c]!, 0);
    return yi.map((v, c) => (dy[i]![c]! - v * along) / norm);
  });
  return { y, dx };
}

function run(x: number[][], dy: number[][]): { y: Float32Array; dx: Float32Array } {
  return tf.tidy(() => {
    const xt = tf.tensor2d(x);
    const y = l2NormalizeRows(xt).dataSync() as Float32Array;
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(l2NormalizeRows(t as tf.Tensor2D), tf.tensor2d(dy))))(xt).dataSync() as Float32Array;
    return { y, dx };
  });
}

describe.each(ENGINES)('l2NormalizeRows on %s', (engine) => {
  beforeAll(async () => {
    await initBackend({ prefer: engine });
  });

  it('equals x/‖x‖ and its vector-Jacobian product for rows of any magnitude (1e-30 to 1e30)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: -30, max: 30 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (n, d, exponent, seed) => {
          const rng = Rng.fromSeed(seed);
          const x = randomRows(rng, n, d, 10 ** exponent).map((row) => (row.every((v) => v === 0) ? row.map(() => 1) : row));
          const dy = randomRows(rng, n, d);
          const expected = reference(x, dy);
          const { y, dx } = run(x, dy);
          const flatY = expected.y.flat();
          flatY.forEach((v, i) => expect(Math.abs(y[i]! - v)).toBeLessThanOrEqual(1e-6));
          // dx scales as 1/‖x‖: compare relative to the largest entry
          const flatDx = expected.dx.flat();
          const largest = Math.max(...flatDx.map(Math.abs));
          flatDx.forEach((v, i) => expect(Math.abs(dx[i]! - v)).toBeLessThanOrEqual(1e-5 * largest));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('maps an all-zero row to zeros with a zero gradient, leaving other rows exact', () => {
    const { y, dx } = run(
      [
        [0, 0, 0],
        [3, 0, -4],
      ],
      [
        [1, 2, 3],
        [1, 1, 1],
      ],
    );
    expect(Array.from(y)).toEqual([0, 0, 0, Math.fround(0.6), 0, Math.fround(-0.8)]);
    expect(Array.from(dx.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(dx.subarray(3)).every(Number.isFinite)).toBe(true);
  });

  it('does not overflow at the edges of float32 (rows near 3e38, and subnormal rows)', () => {
    const { y } = run(
      [
        [3e38, -3e38],
        [1e-44, 1e-44],
      ],
      [
        [1, 0],
        [0, 1],
      ],
    );
    const h = Math.SQRT1_2;
    for (const [i, v] of [h, -h, h, h].entries()) expect(y[i]!).toBeCloseTo(v, 6);
  });

  it('leaves no tensor behind, forward or backward', () => {
    const x = tf.tensor2d(randomRows(Rng.fromSeed(1), 3, 4));
    expectNoLeak(() => l2NormalizeRows(x));
    expectNoLeak(() => tf.grad((t: tf.Tensor) => tf.sum(l2NormalizeRows(t as tf.Tensor2D)))(x));
    x.dispose();
  });
});
