import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { ArgumentError, Rng, ShapeError } from '@contrastive/core';
import { initBackend } from '@contrastive/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { BARLOW_TWINS_LAMBDA, barlowTwins } from './barlow-twins.js';
import { finiteDifferenceGrads, naiveBarlowTwins, type Rows } from './reference.js';
import {
  ENGINES,
  expectGradClose,
  expectMatrixPairChecks,
  expectNoLeak,
  expectRelClose,
  expectTypedError,
  finiteMatrixPair,
  loadFixtures,
  lossAndGrads,
  lossOf,
  randomRows,
  sgdLosses,
  valueOf,
} from '../test/helpers.js';

const fixtures = loadFixtures('barlow_twins');
const loss = (lambda: number) => (z1: tf.Tensor2D, z2: tf.Tensor2D) => barlowTwins(z1, z2, { lambda });

const problem = fc.record({
  n: fc.integer({ min: 3, max: 10 }),
  d: fc.integer({ min: 1, max: 6 }),
  lambda: fc.constantFrom(0, BARLOW_TWINS_LAMBDA, 0.1, 1),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

/** Two correlated branches (z2 = ρ z1 + noise), so the diagonal of C is away from 0 and 1. */
function branches(rng: Rng, n: number, d: number): [number[][], number[][]] {
  const z1 = randomRows(rng, n, d);
  const rho = rng.uniform(-1, 1);
  return [z1, z1.map((row) => row.map((x) => rho * x + rng.normal()))];
}

/** float32 against float64: `rel` of the value plus rounding of the D diagonal terms (each of order 1). */
function expectBarlowClose(actual: number, expected: number, d: number, rel = 1e-5): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-5 * d);
}

/** C_ii of Algorithm 1, in float64 (column-standardised with the unbiased std, divided by N). */
function diagonalCorrelations(z1: Rows, z2: Rows): number[] {
  const n = z1.length;
  const d = (z1[0] as number[]).length;
  return Array.from({ length: d }, (_, j) => {
    const col = (z: Rows) => z.map((r) => r[j] as number);
    const standardised = (x: number[]) => {
      const m = x.reduce((s, v) => s + v, 0) / n;
      const sd = Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / (n - 1));
      return x.map((v) => (v - m) / sd);
    };
    const a = standardised(col(z1));
    const b = standardised(col(z2));
    return a.reduce((s, v, i) => s + v * (b[i] as number), 0) / n;
  });
}

describe.each(ENGINES)('barlowTwins on %s', (engine) => {
  beforeAll(async () => {
    await initBackend({ prefer: engine });
  });

  it.each(fixtures.map((f) => [f.file, f] as const))('matches the float64 fixture %s (loss 1e-5, gradients 1e-4)', (_, f) => {
    const { loss: value, grads } = lossAndGrads(loss(f.params['lam']!), [f.z1!, f.z2!]);
    expectRelClose(value, f.loss, 1e-5);
    expectGradClose(grads[0]!, f.grad_z1!, 1e-4);
    expectGradClose(grads[1]!, f.grad_z2!, 1e-4);
  });

  it('defaults to λ = 5e-3 (the paper)', () => {
    const f = fixtures[0]!;
    expect(f.params['lam']).toBe(BARLOW_TWINS_LAMBDA);
    expectRelClose(lossOf((a, b) => barlowTwins(a, b), [f.z1!, f.z2!]), f.loss, 1e-5);
  });

  it('equals the naive loop reference, and has its gradient (central finite differences)', () => {
    fc.assert(
      fc.property(problem, ({ n, d, lambda, seed }) => {
        const rng = Rng.fromSeed(seed);
        const inputs = branches(rng, n, d);
        const { loss: value, grads } = lossAndGrads(loss(lambda), inputs);
        expectBarlowClose(value, naiveBarlowTwins(inputs[0], inputs[1], lambda), d);
        const reference = finiteDifferenceGrads(([a, b]) => naiveBarlowTwins(a!, b!, lambda), inputs);
        expectGradClose(grads[0]!, reference[0]!, 1e-3, 1e-5);
        expectGradClose(grads[1]!, reference[1]!, 1e-3, 1e-5);
      }),
      { numRuns: 15 },
    );
  });

  it('trains: plain SGD on free embeddings lowers the loss', () => {
    const rng = Rng.fromSeed(3);
    const losses = sgdLosses((a, b) => barlowTwins(a, b, { lambda: 0.1 }), [randomRows(rng, 16, 4), randomRows(rng, 16, 4)], 0.5);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 2);
  });

  it('leaves no tensor behind, forward or backward', () => {
    const rng = Rng.fromSeed(1);
    const z1 = tf.tensor2d(randomRows(rng, 5, 3));
    const z2 = tf.tensor2d(randomRows(rng, 5, 3));
    expectNoLeak(() => barlowTwins(z1, z2));
    expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => barlowTwins(a as tf.Tensor2D, b as tf.Tensor2D, { lambda: 0.5 }))([z1, z2]));
    expectNoLeak(() => tf.grad((a: tf.Tensor) => barlowTwins(a as tf.Tensor2D, z2, { lambda: 0 }))(z1));
    expectNoLeak(() => {
      expect(() => barlowTwins(z1, z2, { lambda: -1 })).toThrow(ArgumentError);
    });
    tf.dispose([z1, z2]);
  });
});

describe.each(ENGINES)('barlowTwins laws on %s (fast-check)', (engine) => {
  beforeAll(async () => {
    await initBackend({ prefer: engine });
  });

  it('is invariant to a per-dimension affine map applied to both branches (any non-zero slope)', () => {
    fc.assert(
      fc.property(problem, ({ n, d, lambda, seed }) => {
        const rng = Rng.fromSeed(seed);
        const [z1, z2] = branches(rng, n, d);
        const slope = Array.from({ length: d }, () => (rng.uniform(0, 1) < 0.5 ? -1 : 1) * 10 ** rng.uniform(-2, 2));
        const shift = Array.from({ length: d }, () => rng.uniform(-5, 5));
        const affine = (z: number[][]) => z.map((row) => row.map((x, j) => slope[j]! * x + shift[j]! * Math.abs(slope[j]!)));
        expectBarlowClose(lossOf(loss(lambda), [affine(z1), affine(z2)]), lossOf(loss(lambda), [z1, z2]), d, 2e-5);
      }),
      { numRuns: 20 },
    );
  });

  it('is invariant to a different per-dimension affine map on each branch with positive slopes', () => {
    fc.assert(
      fc.property(problem, ({ n, d, lambda, seed }) => {
        const rng = Rng.fromSeed(seed);
        const [z1, z2] = branches(rng, n, d);
        const affine = (z: number[][]) => {
          const slope = Array.from({ length: d }, () => 10 ** rng.uniform(-3, 3));
          const shift = Array.from({ length: d }, () => rng.uniform(-5, 5));
          return z.map((row) => row.map((x, j) => slope[j]! * (x + shift[j]!)));
        };
        expectBarlowClose(lossOf(loss(lambda), [affine(z1), affine(z2)]), lossOf(loss(lambda), [z1, z2]), d, 2e-5);
      }),
      { numRuns: 20 },
    );
  });

  it('equals Σ_i (1 - C_ii)² when λ = 0', () => {
    fc.assert(
      fc.property(problem, ({ n, d, seed }) => {
        const rng = Rng.fromSeed(seed);
        const [z1, z2] = branches(rng, n, d);
        const expected = diagonalCorrelations(z1, z2).reduce((s, c) => s + (1 - c) ** 2, 0);
        expectBarlowClose(lossOf(loss(0), [z1, z2]), expected, d);
      }),
      { numRuns: 20 },
    );
  });

  it('is linear in λ: L(λ) = L(0) + λ (L(1) - L(0))', () => {
    fc.assert(
      fc.property(problem, ({ n, d, lambda, seed }) => {
        const rng = Rng.fromSeed(seed);
        const inputs = branches(rng, n, d);
        const [l0, l1] = [lossOf(loss(0), inputs), lossOf(loss(1), inputs)];
        expectBarlowClose(lossOf(loss(lambda), inputs), l0 + lambda * (l1 - l0), d);
        expect(l1).toBeGreaterThanOrEqual(l0 - 1e-5 * d); // the off-diagonal term is >= 0
      }),
      { numRuns: 20 },
    );
  });

  it('swapping the branches, or permuting the samples (both branches alike) or the dimensions, leaves it unchanged', () => {
    fc.assert(
      fc.property(problem, ({ n, d, lambda, seed }) => {
        const rng = Rng.fromSeed(seed);
        const [z1, z2] = branches(rng, n, d);
        const expected = lossOf(loss(lambda), [z1, z2]);
        expectBarlowClose(lossOf(loss(lambda), [z2, z1]), expected, d);
        const rows = Array.from(rng.permutation(n));
        expectBarlowClose(lossOf(loss(lambda), [rows.map((i) => z1[i]!), rows.map((i) => z2[i]!)]), expected, d);
        const cols = Array.from(rng.permutation(d));
        const permuteColumns = (z: number[][]) => z.map((row) => cols.map((j) => row[j]!));
        expectBarlowClose(lossOf(loss(lambda), [permuteColumns(z1), permuteColumns(z2)]), expected, d);
      }),
      { numRuns: 20 },
    );
  });

  it('identical branches give D/N² at λ = 0 (C_ii = (N-1)/N with the unbiased std)', () => {
    fc.assert(
      fc.property(problem, ({ n, d, seed }) => {
        const z = randomRows(Rng.fromSeed(seed), n, d);
        expectBarlowClose(lossOf(loss(0), [z, z]), d / (n * n), d);
      }),
      { numRuns: 20 },
    );
  });

  // The gradient scales as 1 / (a column's spread): for spreads near the subnormal range it is
  // beyond float32 in exact arithmetic, so only the value is required to be finite there.
  it('is finite and >= 0 for any finite input whose columns vary (any magnitude); so is its gradient for spreads >= 1e-20', () => {
    const varies = (z: number[][]) => z[0]!.every((x, j) => z.some((row) => row[j] !== x));
    const input = finiteMatrixPair(2, 5, 4).filter(([a, b]) => varies(a) && varies(b));
    fc.assert(
      fc.property(input, fc.constantFrom(0, BARLOW_TWINS_LAMBDA, 1), ([z1, z2], lambda) => {
        const { loss: v, grads } = lossAndGrads(loss(lambda), [z1, z2]);
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
        const spread = (z: number[][]) => Math.min(...z[0]!.map((_, j) => Math.max(...z.map((r) => r[j]!)) - Math.min(...z.map((r) => r[j]!))));
        if (Math.min(spread(z1), spread(z2)) >= 1e-20) for (const g of grads) expect(g.every(Number.isFinite)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });
});

describe('barlowTwins options and bad input (cpu)', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu' });
  });
  const rng = Rng.fromSeed(5);
  const a = randomRows(rng, 4, 3);
  const b = randomRows(rng, 4, 3);

  it('rejects unknown or bad options, naming them', () => {
    tf.tidy(() => {
      const [z1, z2] = [tf.tensor2d(a), tf.tensor2d(b)];
      for (const l of [-0.1, Number.NaN, Number.POSITIVE_INFINITY, '0.1']) {
        expectTypedError(() => barlowTwins(z1, z2, { lambda: l as number }), ArgumentError, 'options.lambda', l);
      }
      expectTypedError(() => barlowTwins(z1, z2, { lamda: 0.1 } as never), ArgumentError, 'options.lamda', 0.1);
      expectTypedError(() => barlowTwins(z1, z2, { temperature: 0.1 } as never), ArgumentError, 'options.temperature', 0.1);
      expectTypedError(() => barlowTwins(z1, z2, { checkValues: 0 } as never), ArgumentError, 'options.checkValues', 0);
      expectTypedError(() => barlowTwins(z1, z2, [] as never), ArgumentError, 'options');
    });
  });

  it('rejects mismatched shapes, N < 2, wrong rank or dtype, NaN and ±Infinity, naming the argument', () => {
    expectMatrixPairChecks((x, y) => barlowTwins(x, y), ['z1', 'z2']);
    tf.tidy(() => {
      const single = tf.tensor2d([[1, 2, 3]]);
      expectTypedError(() => barlowTwins(single, single), ShapeError, 'z1', single);
    });
  });

  it('rejects constant columns, naming the argument; zero rows are fine', () => {
    tf.tidy(() => {
      const z1 = tf.tensor2d(a);
      const constant = tf.tensor2d(a.map((row) => [row[0]!, 0.1, row[2]!]));
      expectTypedError(() => barlowTwins(z1, constant), ArgumentError, 'z2', constant);
      expect(() => barlowTwins(z1, constant)).toThrow(/column 1/);
      const zeroRow = [a[0]!, [0, 0, 0], a[2]!, a[3]!];
      expectBarlowClose(valueOf(barlowTwins(tf.tensor2d(zeroRow), tf.tensor2d(b))), naiveBarlowTwins(zeroRow, b, BARLOW_TWINS_LAMBDA), 3);
    });
  });

  it('with checkValues: false, a constant column standardises to 0 (C_jj = 0, finite gradient)', () => {
    const constant = a.map((row) => [row[0]!, 0.1, row[2]!]);
    const { loss: value, grads } = lossAndGrads((x, y) => barlowTwins(x, y, { lambda: 0, checkValues: false }), [constant, b]);
    const others = diagonalCorrelations(constant.map((r) => [r[0]!, r[2]!]), b.map((r) => [r[0]!, r[2]!]));
    expectBarlowClose(value, 1 + others.reduce((s, c) => s + (1 - c) ** 2, 0), 3, 1e-4);
    expect(grads.every((g) => g.every(Number.isFinite))).toBe(true);
  });
});
