import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { ArgumentError, Rng, ShapeError } from '@contrastive/core';
import { initBackend } from '@contrastive/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { finiteDifferenceGrads, naiveVicregTerms, type Rows } from './reference.js';
import { VICREG_DEFAULTS, vicreg, vicregTerms, type VicregOptions } from './vicreg.js';
import {
  ENGINES,
  expectGradClose,
  expectMatrixPairChecks,
  expectNoLeak,
  expectRelClose,
  expectTypedError,
  loadFixtures,
  lossAndGrads,
  lossOf,
  randomRows,
  sgdLosses,
  valueOf,
} from '../test/helpers.js';

const fixtures = loadFixtures('vicreg');
const loss = (options?: VicregOptions) => (z1: tf.Tensor2D, z2: tf.Tensor2D) => vicreg(z1, z2, options);

const problem = fc.record({
  n: fc.integer({ min: 2, max: 10 }),
  d: fc.integer({ min: 1, max: 6 }),
  scale: fc.constantFrom(0.1, 0.5, 1, 3),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

/** Two correlated branches, entries of size `scale` (so the hinge is active for some dimensions). */
function branches(rng: Rng, n: number, d: number, scale: number): [number[][], number[][]] {
  const z1 = randomRows(rng, n, d, scale);
  return [z1, z1.map((row) => row.map((x) => 0.8 * x + rng.normal() * scale))];
}

type TermValues = { loss: number; invariance: number; variance: number; covariance: number };

function termsOf(z1: Rows, z2: Rows, options?: VicregOptions): TermValues {
  return tf.tidy(() => {
    const t = vicregTerms(tf.tensor2d(z1 as number[][]), tf.tensor2d(z2 as number[][]), options);
    return { loss: valueOf(t.loss), invariance: valueOf(t.invariance), variance: valueOf(t.variance), covariance: valueOf(t.covariance) };
  });
}

/** float32 against float64: `rel` relative plus a float32 rounding floor of 1e-6 of `size`. */
function expectClose(actual: number, expected: number, size = 1, rel = 1e-5): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-6 * size);
}

describe.each(ENGINES)('vicreg on %s', (engine) => {
  beforeAll(async () => {
    await initBackend({ prefer: engine });
  });

  it.each(fixtures.map((f) => [f.file, f] as const))('matches the float64 fixture %s (loss 1e-5, gradients 1e-4)', (_, f) => {
    const { loss: value, grads } = lossAndGrads(loss(), [f.z1!, f.z2!]);
    expectRelClose(value, f.loss, 1e-5);
    expectGradClose(grads[0]!, f.grad_z1!, 1e-4);
    expectGradClose(grads[1]!, f.grad_z2!, 1e-4);
  });

  it('vicregTerms: the loss is the weighted sum of the terms, each equal to the loop reference', () => {
    fc.assert(
      fc.property(problem, fc.tuple(fc.double({ min: 0, max: 30, noNaN: true }), fc.double({ min: 0, max: 30, noNaN: true }), fc.double({ min: 0, max: 3, noNaN: true })), ({ n, d, scale, seed }, [lam, mu, nu]) => {
        const [z1, z2] = branches(Rng.fromSeed(seed), n, d, scale);
        const t = termsOf(z1, z2, { invariance: lam, variance: mu, covariance: nu });
        const r = naiveVicregTerms(z1, z2, VICREG_DEFAULTS.epsilon);
        expectClose(t.invariance, r.invariance, scale ** 2);
        expectClose(t.variance, r.variance);
        expectClose(t.covariance, r.covariance, scale ** 4);
        expectClose(t.loss, lam * r.invariance + mu * r.variance + nu * r.covariance, 30 * (scale ** 4 + scale ** 2 + 1));
        expectClose(lossOf(loss({ invariance: lam, variance: mu, covariance: nu }), [z1, z2]), t.loss, 30 * (scale ** 4 + scale ** 2 + 1));
      }),
      { numRuns: 25 },
    );
  });

  it('has the gradient of the loop reference (central finite differences)', () => {
    fc.assert(
      fc.property(problem, ({ n, d, scale, seed }) => {
        const inputs = branches(Rng.fromSeed(seed), n, d, scale);
        const f = ([a, b]: Rows[]) => {
          const r = naiveVicregTerms(a!, b!, VICREG_DEFAULTS.epsilon);
          return 25 * r.invariance + 25 * r.variance + r.covariance;
        };
        const reference = finiteDifferenceGrads(f, inputs);
        const { grads } = lossAndGrads(loss(), inputs);
        expectGradClose(grads[0]!, reference[0]!, 1e-3, 1e-5);
        expectGradClose(grads[1]!, reference[1]!, 1e-3, 1e-5);
      }),
      { numRuns: 15 },
    );
  });

  it('trains: plain SGD on free embeddings lowers the loss', () => {
    const rng = Rng.fromSeed(3);
    const losses = sgdLosses((a, b) => vicreg(a, b), [randomRows(rng, 16, 4, 0.2), randomRows(rng, 16, 4, 0.2)], 0.2);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 2);
  });

  it('leaves no tensor behind, forward or backward, vicreg and vicregTerms', () => {
    const rng = Rng.fromSeed(1);
    const z1 = tf.tensor2d(randomRows(rng, 5, 3));
    const z2 = tf.tensor2d(randomRows(rng, 5, 3));
    expectNoLeak(() => vicreg(z1, z2));
    expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => vicreg(a as tf.Tensor2D, b as tf.Tensor2D))([z1, z2]));
    expectNoLeak(() => {
      const t = vicregTerms(z1, z2);
      return [t.loss, t.invariance, t.variance, t.covariance];
    });
    expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => vicregTerms(a as tf.Tensor2D, b as tf.Tensor2D).loss)([z1, z2]));
    expectNoLeak(() => {
      expect(() => vicreg(z1, z2, { epsilon: 0 })).toThrow(ArgumentError);
    });
    tf.dispose([z1, z2]);
  });
});

describe.each(ENGINES)('vicreg laws on %s (fast-check)', (engine) => {
  beforeAll(async () => {
    await initBackend({ prefer: engine });
  });

  it('the invariance term is 0 for identical branches, and then the loss is μ·variance + ν·covariance', () => {
    fc.assert(
      fc.property(problem, ({ n, d, scale, seed }) => {
        const z = randomRows(Rng.fromSeed(seed), n, d, scale);
        const t = termsOf(z, z);
        expect(t.invariance).toBe(0);
        expectClose(t.loss, 25 * t.variance + t.covariance, 30 * (scale ** 4 + 1));
      }),
      { numRuns: 20 },
    );
  });

  it('the variance term is 0 when every dimension has std >= 1, and 1 - sqrt(ε) for constant branches', () => {
    fc.assert(
      fc.property(problem, ({ n, d, seed }) => {
        const rng = Rng.fromSeed(seed);
        // columns rescaled to a standard deviation in [1, 4] (float64, unbiased)
        const wide = (z: number[][]) => {
          const target = Array.from({ length: d }, () => rng.uniform(1, 4));
          const sd = Array.from({ length: d }, (_, j) => {
            const col = z.map((r) => r[j]!);
            const m = col.reduce((s, x) => s + x, 0) / n;
            return Math.sqrt(col.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1));
          });
          return z.map((row) => row.map((x, j) => (x / sd[j]!) * target[j]!));
        };
        const [z1, z2] = branches(rng, n, d, 1);
        expect(termsOf(wide(z1), wide(z2)).variance).toBe(0);
        const constant = Array.from({ length: n }, () => Array.from({ length: d }, (_, j) => j - 1.5));
        for (const epsilon of [VICREG_DEFAULTS.epsilon, 0.01]) expectClose(termsOf(constant, constant, { epsilon }).variance, 1 - Math.sqrt(epsilon));
      }),
      { numRuns: 20 },
    );
  });

  it('the covariance term is 0 when the dimensions are uncorrelated (orthogonal centred columns)', () => {
    fc.assert(
      fc.property(problem, ({ n, d, scale, seed }) => {
        fc.pre(n - 1 >= d);
        const rng = Rng.fromSeed(seed);
        const uncorrelated = () => {
          const columns: number[][] = [];
          while (columns.length < d) {
            let c = Array.from({ length: n }, () => rng.normal());
            const m = c.reduce((s, x) => s + x, 0) / n;
            c = c.map((x) => x - m);
            for (const b of columns) {
              const p = c.reduce((s, x, i) => s + x * b[i]!, 0) / b.reduce((s, x) => s + x * x, 0);
              c = c.map((x, i) => x - p * b[i]!);
            }
            if (Math.hypot(...c) > 1e-3) columns.push(c);
          }
          const shift = Array.from({ length: d }, () => rng.uniform(-3, 3));
          return Array.from({ length: n }, (_, i) => columns.map((c, j) => scale * c[i]! + shift[j]!));
        };
        const t = termsOf(uncorrelated(), uncorrelated());
        expect(t.covariance).toBeLessThanOrEqual(1e-10 * (scale ** 4 + 1) * d);
        expect(t.covariance).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 20 },
    );
  });

  it('adding the same vector to every row of both branches, swapping the branches, or permuting the samples leaves every term unchanged', () => {
    fc.assert(
      fc.property(problem, ({ n, d, scale, seed }) => {
        const rng = Rng.fromSeed(seed);
        const [z1, z2] = branches(rng, n, d, scale);
        const base = termsOf(z1, z2);
        const shift = Array.from({ length: d }, () => rng.uniform(-2, 2));
        const moved = (z: number[][]) => z.map((row) => row.map((x, j) => x + shift[j]!));
        const perm = Array.from(rng.permutation(n));
        for (const other of [termsOf(moved(z1), moved(z2)), termsOf(z2, z1), termsOf(perm.map((i) => z1[i]!), perm.map((i) => z2[i]!))]) {
          expectClose(other.invariance, base.invariance, 10 * scale ** 2, 1e-4);
          expectClose(other.variance, base.variance, 10, 1e-4);
          expectClose(other.covariance, base.covariance, 10 * scale ** 4, 1e-4);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('every term is >= 0 and the variance term is at most 1 - sqrt(ε)', () => {
    fc.assert(
      fc.property(problem, ({ n, d, scale, seed }) => {
        const [z1, z2] = branches(Rng.fromSeed(seed), n, d, scale);
        const t = termsOf(z1, z2);
        for (const v of [t.invariance, t.variance, t.covariance]) expect(v).toBeGreaterThanOrEqual(0);
        expect(t.variance).toBeLessThanOrEqual(1 - Math.sqrt(VICREG_DEFAULTS.epsilon) + 1e-6);
      }),
      { numRuns: 20 },
    );
  });
});

describe('vicreg options and bad input (cpu)', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu' });
  });
  const rng = Rng.fromSeed(5);
  const a = randomRows(rng, 4, 3);
  const b = randomRows(rng, 4, 3);

  it('rejects unknown or bad options, naming them', () => {
    tf.tidy(() => {
      const [z1, z2] = [tf.tensor2d(a), tf.tensor2d(b)];
      for (const name of ['invariance', 'variance', 'covariance'] as const) {
        for (const v of [-1, Number.NaN, Number.POSITIVE_INFINITY, '25']) {
          expectTypedError(() => vicreg(z1, z2, { [name]: v } as never), ArgumentError, `options.${name}`, v);
        }
      }
      for (const v of [0, -1e-4, Number.NaN]) expectTypedError(() => vicregTerms(z1, z2, { epsilon: v }), ArgumentError, 'options.epsilon', v);
      expectTypedError(() => vicreg(z1, z2, { lambda: 25 } as never), ArgumentError, 'options.lambda', 25);
      expectTypedError(() => vicregTerms(z1, z2, { eps: 1e-4 } as never), ArgumentError, 'options.eps', 1e-4);
      expectTypedError(() => vicreg(z1, z2, { checkValues: 'yes' } as never), ArgumentError, 'options.checkValues', 'yes');
    });
  });

  it('rejects mismatched shapes, N < 2, wrong rank or dtype, NaN and ±Infinity, naming the argument', () => {
    expectMatrixPairChecks((x, y) => vicreg(x, y), ['z1', 'z2']);
    expectMatrixPairChecks((x, y) => vicregTerms(x, y), ['z1', 'z2']);
    tf.tidy(() => {
      const single = tf.tensor2d([[1, 2, 3]]);
      expectTypedError(() => vicregTerms(single, single), ShapeError, 'z1', single);
    });
  });

  it('accepts zero rows and constant columns', () => {
    tf.tidy(() => {
      const zeros = [a[0]!.map((x) => x * 0 + 1), [0, 0, 0], a[2]!, a[3]!];
      const r = naiveVicregTerms(zeros, b, 1e-4);
      expectRelClose(valueOf(vicreg(tf.tensor2d(zeros), tf.tensor2d(b))), 25 * r.invariance + 25 * r.variance + r.covariance, 1e-5);
    });
  });
});
