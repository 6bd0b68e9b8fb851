import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { ArgumentError, Rng } from '@contrastive/core';
import { initBackend } from '@contrastive/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { negativeCosine, symmetricNegativeCosine } from './negative-cosine.js';
import { finiteDifferenceGrads, naiveNegativeCosine } from './reference.js';
import {
  ENGINES,
  expectGradClose,
  expectMatrixPairChecks,
  expectNoLeak,
  expectOrthogonalGradients,
  expectRelClose,
  expectTypedError,
  gradsThroughAll,
  loadFixtures,
  lossAndGrads,
  lossOf,
  randomRows,
  sgdLosses,
  valueOf,
  wellScaledRows,
} from '../test/helpers.js';

const fixtures = loadFixtures('neg_cosine');
const loss = (p: tf.Tensor2D, z: tf.Tensor2D) => negativeCosine(p, z);
/** Loss as a function of p alone (z fixed). */
const towards = (z: number[][]) => (p: tf.Tensor2D) => tf.tidy(() => negativeCosine(p, tf.tensor2d(z)));

const problem = fc.record({
  n: fc.integer({ min: 1, max: 6 }),
  d: fc.integer({ min: 1, max: 6 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

/** float32 rounding of a mean of cosines (each within a few ulps of its float64 value). */
const COSINE_ATOL = 1e-6;

describe.each(ENGINES)('negativeCosine on %s', (engine) => {
  beforeAll(async () => {
    await initBackend({ prefer: engine });
  });

  it.each(fixtures.map((f) => [f.file, f] as const))('matches the float64 fixture %s (loss 1e-5, gradient of p 1e-4)', (_, f) => {
    const { loss: value, grads } = lossAndGrads(towards(f.z as number[][]), [f.p!]);
    expectRelClose(value, f.loss, 1e-5);
    expectGradClose(grads[0]!, f.grad_p!, 1e-4);
  });

  it('equals the naive loop reference on random inputs, and its gradient (finite differences, z fixed)', () => {
    fc.assert(
      fc.property(problem, ({ n, d, seed }) => {
        const rng = Rng.fromSeed(seed);
        const p = wellScaledRows(rng, n, d);
        const z = randomRows(rng, n, d);
        const { loss: value, grads } = lossAndGrads(towards(z), [p]);
        expect(Math.abs(value - naiveNegativeCosine(p, z))).toBeLessThanOrEqual(COSINE_ATOL);
        const reference = finiteDifferenceGrads(([a]) => naiveNegativeCosine(a!, z), [p]);
        expectGradClose(grads[0]!, reference[0]!, 1e-3, 1e-6);
      }),
      { numRuns: 20 },
    );
  });

  it('sends no gradient to the target z (stop-gradient), and a non-zero one to p', () => {
    const rng = Rng.fromSeed(2);
    const [gp, gz] = gradsThroughAll(loss, [randomRows(rng, 4, 3), randomRows(rng, 4, 3)]);
    expect(gp!.some((g) => g !== 0)).toBe(true);
    expect(gz!.every((g) => g === 0)).toBe(true);
    const grads = gradsThroughAll((p1, p2, z1, z2) => symmetricNegativeCosine(p1, p2, z1, z2), [0, 1, 2, 3].map(() => randomRows(rng, 4, 3)));
    expect(grads[0]!.some((g) => g !== 0) && grads[1]!.some((g) => g !== 0)).toBe(true);
    expect(grads[2]!.every((g) => g === 0) && grads[3]!.every((g) => g === 0)).toBe(true);
  });

  it('trains: plain SGD on free predictions lowers the loss to nearly -1', () => {
    const rng = Rng.fromSeed(3);
    const z = tf.tensor2d(randomRows(rng, 8, 4));
    const losses = sgdLosses((p) => negativeCosine(p, z), [randomRows(rng, 8, 4)], 5, 60);
    expect(losses.at(-1)!).toBeLessThan(-0.95);
    z.dispose();
  });

  it('leaves no tensor behind, forward or backward, for both forms and on a rejected input', () => {
    const rng = Rng.fromSeed(1);
    const [p1, p2, z1, z2] = [0, 1, 2, 3].map(() => tf.tensor2d(randomRows(rng, 4, 3))) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    expectNoLeak(() => negativeCosine(p1, z1));
    expectNoLeak(() => tf.grad((a: tf.Tensor) => negativeCosine(a as tf.Tensor2D, z1))(p1));
    expectNoLeak(() => symmetricNegativeCosine(p1, p2, z1, z2));
    expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => symmetricNegativeCosine(a as tf.Tensor2D, b as tf.Tensor2D, z1, z2))([p1, p2]));
    expectNoLeak(() => {
      expect(() => negativeCosine(p1, tf.tidy(() => tf.keep(z1)), { checkValues: 1 as never })).toThrow(ArgumentError);
    });
    tf.dispose([p1, p2, z1, z2]);
  });
});

describe.each(ENGINES)('negativeCosine laws on %s (fast-check)', (engine) => {
  beforeAll(async () => {
    await initBackend({ prefer: engine });
  });

  it('is -1 when every prediction points the way of its target, whatever the norms', () => {
    fc.assert(
      fc.property(problem, ({ n, d, seed }) => {
        const rng = Rng.fromSeed(seed);
        const z = randomRows(rng, n, d);
        const p = z.map((row) => {
          const s = 10 ** rng.uniform(-6, 6);
          return row.map((x) => x * s);
        });
        expect(Math.abs(lossOf(loss, [p, z]) + 1)).toBeLessThanOrEqual(COSINE_ATOL);
      }),
      { numRuns: 20 },
    );
  });

  it('is invariant to positive rescaling of any row of p or z, and lies in [-1, 1]', () => {
    fc.assert(
      fc.property(problem, ({ n, d, seed }) => {
        const rng = Rng.fromSeed(seed);
        const p = randomRows(rng, n, d);
        const z = randomRows(rng, n, d);
        const rescale = (rows: number[][]) => rows.map((row) => {
          const s = 10 ** rng.uniform(-8, 8);
          return row.map((x) => x * s);
        });
        const value = lossOf(loss, [p, z]);
        expect(Math.abs(lossOf(loss, [rescale(p), rescale(z)]) - value)).toBeLessThanOrEqual(COSINE_ATOL);
        expect(Math.abs(value)).toBeLessThanOrEqual(1 + COSINE_ATOL);
        // opposite directions: +1
        expect(Math.abs(lossOf(loss, [z.map((row) => row.map((x) => -3 * x)), z]) - 1)).toBeLessThanOrEqual(COSINE_ATOL);
      }),
      { numRuns: 20 },
    );
  });

  it('the gradient of each prediction is orthogonal to it', () => {
    fc.assert(
      fc.property(problem, fc.double({ min: -3, max: 3, noNaN: true }), ({ n, d, seed }, logScale) => {
        const rng = Rng.fromSeed(seed);
        const p = randomRows(rng, n, d, 10 ** logScale);
        const { grads } = lossAndGrads(towards(randomRows(rng, n, d)), [p]);
        expectOrthogonalGradients([p], grads);
      }),
      { numRuns: 15 },
    );
  });

  it('the symmetric form is ½ D(p1, z2) + ½ D(p2, z1), loss and gradients', () => {
    fc.assert(
      fc.property(problem, ({ n, d, seed }) => {
        const rng = Rng.fromSeed(seed);
        const [p1, p2, z1, z2] = [0, 1, 2, 3].map(() => wellScaledRows(rng, n, d)) as [number[][], number[][], number[][], number[][]];
        const expected = (naiveNegativeCosine(p1, z2) + naiveNegativeCosine(p2, z1)) / 2;
        const symmetric = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.tidy(() => symmetricNegativeCosine(a, b, tf.tensor2d(z1), tf.tensor2d(z2)));
        const { loss: value, grads } = lossAndGrads(symmetric, [p1, p2]);
        expect(Math.abs(value - expected)).toBeLessThanOrEqual(COSINE_ATOL);
        const one = lossAndGrads(towards(z2), [p1]);
        const two = lossAndGrads(towards(z1), [p2]);
        expectGradClose(grads[0]!, [Array.from(one.grads[0]!, (g) => g / 2)], 1e-5, 1e-7);
        expectGradClose(grads[1]!, [Array.from(two.grads[0]!, (g) => g / 2)], 1e-5, 1e-7);
      }),
      { numRuns: 15 },
    );
  });
});

describe('negativeCosine options and bad input (cpu)', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu' });
  });
  const rng = Rng.fromSeed(5);
  const a = randomRows(rng, 4, 3);

  it('rejects unknown or bad options, naming them', () => {
    tf.tidy(() => {
      const p = tf.tensor2d(a);
      expectTypedError(() => negativeCosine(p, p, { checkvalues: false } as never), ArgumentError, 'options.checkvalues', false);
      expectTypedError(() => negativeCosine(p, p, { temperature: 0.1 } as never), ArgumentError, 'options.temperature', 0.1);
      expectTypedError(() => negativeCosine(p, p, { checkValues: 'no' } as never), ArgumentError, 'options.checkValues', 'no');
      expectTypedError(() => negativeCosine(p, p, 3 as never), ArgumentError, 'options', 3);
      expectTypedError(() => symmetricNegativeCosine(p, p, p, p, { scale: 2 } as never), ArgumentError, 'options.scale', 2);
    });
  });

  it('rejects mismatched shapes, wrong rank or dtype, NaN and ±Infinity, naming the argument', () => {
    expectMatrixPairChecks((p, z) => negativeCosine(p, z), ['p', 'z']);
    const p = tf.tensor2d(a);
    expectMatrixPairChecks((x, y) => symmetricNegativeCosine(x, p, y, p), ['p1', 'z1']);
    expectMatrixPairChecks((x, y) => symmetricNegativeCosine(p, x, p, y), ['p2', 'z2']);
    p.dispose();
  });

  it('rejects all-zero rows, naming the argument; checkValues: false gives a finite value', () => {
    tf.tidy(() => {
      const p = tf.tensor2d(a);
      const withZero = tf.tensor2d([a[0]!, [0, 0, 0], a[2]!, a[3]!]);
      expectTypedError(() => negativeCosine(p, withZero), ArgumentError, 'z', withZero);
      // unchecked, a zero row has cosine 0 with everything
      const unchecked = valueOf(negativeCosine(p, withZero, { checkValues: false }));
      expect(unchecked).toBeCloseTo(naiveNegativeCosine([a[0]!, a[2]!, a[3]!], [a[0]!, a[2]!, a[3]!]) * (3 / 4), 5);
    });
  });
});
