import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { ArgumentError, Rng, ShapeError } from '@contrastive/core';
import { initBackend } from '@contrastive/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { DCLW_SIGMA, dcl, dclw } from './dcl.js';
import { ntXent } from './nt-xent.js';
import { finiteDifferenceGrads, naiveDcl, naiveDclwWeights, type Rows } from './reference.js';
import {
  ENGINES,
  expectGradClose,
  expectLossClose,
  expectMatrixPairChecks,
  expectNoLeak,
  expectOrthogonalGradients,
  expectRelClose,
  expectTypedError,
  finiteMatrixPair,
  loadFixtures,
  lossAndGrads,
  lossOf,
  multiply,
  randomRotation,
  randomRows,
  sgdLosses,
  valueOf,
  wellScaledRows,
} from '../test/helpers.js';

const fixtures = loadFixtures('dcl');
const loss = (temperature: number) => (z1: tf.Tensor2D, z2: tf.Tensor2D) => dcl(z1, z2, { temperature });
const weighted = (temperature: number, sigma?: number) => (z1: tf.Tensor2D, z2: tf.Tensor2D) =>
  dclw(z1, z2, sigma === undefined ? { temperature } : { temperature, sigma });

/** Random sizes, a temperature, DCL or DCLW (σ), and a seed. */
const problem = fc.record({
  n: fc.integer({ min: 2, max: 6 }),
  d: fc.integer({ min: 1, max: 6 }),
  temperature: fc.constantFrom(0.05, 0.1, 0.5, 1, 2),
  sigma: fc.constantFrom(null, 0.1, DCLW_SIGMA, 2),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});
type Problem = { temperature: number; sigma: number | null };
const lossFor = (p: Problem) => (p.sigma === null ? loss(p.temperature) : weighted(p.temperature, p.sigma));
/** The naive loss with DCLW's weights taken at the given point (so held fixed under finite differences). */
const naiveFor = (p: Problem, at: readonly Rows[]) => {
  const w = p.sigma === null ? null : naiveDclwWeights(at[0]!, at[1]!, p.sigma);
  return (z1: Rows, z2: Rows) => naiveDcl(z1, z2, p.temperature, w);
};

describe.each(ENGINES)('dcl and dclw on %s', (engine) => {
  beforeAll(async () => {
    await initBackend({ prefer: engine });
  });

  it.each(fixtures.map((f) => [f.file, f] as const))('dcl matches the float64 fixture %s (loss 1e-5, gradients 1e-4)', (_, f) => {
    const { loss: value, grads } = lossAndGrads(loss(f.params['tau']!), [f.z1!, f.z2!]);
    expectRelClose(value, f.loss, 1e-5);
    expectGradClose(grads[0]!, f.grad_z1!, 1e-4);
    expectGradClose(grads[1]!, f.grad_z2!, 1e-4);
  });

  it('equals the naive loop reference on random inputs (DCL and DCLW)', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const rng = Rng.fromSeed(p.seed);
        const inputs = [randomRows(rng, p.n, p.d), randomRows(rng, p.n, p.d)];
        expectLossClose(lossOf(lossFor(p), inputs), naiveFor(p, inputs)(inputs[0]!, inputs[1]!), p.temperature);
      }),
      { numRuns: 30 },
    );
  });

  it('has the gradient of the naive reference, DCLW weights held fixed (central finite differences)', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const rng = Rng.fromSeed(p.seed);
        const inputs = [wellScaledRows(rng, p.n, p.d), wellScaledRows(rng, p.n, p.d)];
        const naive = naiveFor(p, inputs);
        const reference = finiteDifferenceGrads(([a, b]) => naive(a!, b!), inputs);
        const { grads } = lossAndGrads(lossFor(p), inputs);
        expectGradClose(grads[0]!, reference[0]!, 1e-3, 1e-5 / p.temperature);
        expectGradClose(grads[1]!, reference[1]!, 1e-3, 1e-5 / p.temperature);
      }),
      { numRuns: 15 },
    );
  });

  it('is stable in float32 at temperature 0.01 with embedding norms of 1e4', () => {
    const rng = Rng.fromSeed(7);
    const z1 = randomRows(rng, 8, 16, 1e4 / 4);
    const z2 = z1.map((row) => row.map((x) => x + rng.normal() * 5000));
    for (const p of [{ temperature: 0.01, sigma: null }, { temperature: 0.01, sigma: DCLW_SIGMA }]) {
      const naive = naiveFor(p, [z1, z2]);
      const { loss: value, grads } = lossAndGrads(lossFor(p), [z1, z2]);
      expectRelClose(value, naive(z1, z2), 1e-5);
      const reference = finiteDifferenceGrads(([a, b]) => naive(a!, b!), [z1, z2]);
      expectGradClose(grads[0]!, reference[0]!, 1e-3);
      expectGradClose(grads[1]!, reference[1]!, 1e-3);
    }
  });

  it('trains: plain SGD on free embeddings lowers both losses', () => {
    for (const sigma of [null, DCLW_SIGMA]) {
      const rng = Rng.fromSeed(3);
      const f = lossFor({ temperature: 0.5, sigma });
      const losses = sgdLosses((a, b) => f(a, b), [randomRows(rng, 8, 4), randomRows(rng, 8, 4)], 0.5);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses.at(-1)!).toBeLessThan(losses[0]! - 0.5);
    }
  });

  it('leaves no tensor behind, forward or backward', () => {
    const rng = Rng.fromSeed(1);
    const z1 = tf.tensor2d(randomRows(rng, 4, 3));
    const z2 = tf.tensor2d(randomRows(rng, 4, 3));
    for (const f of [loss(0.5), weighted(0.5), weighted(0.5, 2)]) {
      expectNoLeak(() => f(z1, z2));
      expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a as tf.Tensor2D, b as tf.Tensor2D))([z1, z2]));
    }
    expectNoLeak(() => {
      expect(() => dclw(z1, z2, { temperature: 0.5, sigma: 0 })).toThrow(ArgumentError);
    });
    tf.dispose([z1, z2]);
  });
});

describe.each(ENGINES)('dcl laws on %s (fast-check)', (engine) => {
  beforeAll(async () => {
    await initBackend({ prefer: engine });
  });

  it('DCL < NT-Xent on the same input (the positive leaves the denominator)', () => {
    fc.assert(
      fc.property(problem, ({ n, d, temperature, seed }) => {
        const rng = Rng.fromSeed(seed);
        const inputs = [randomRows(rng, n, d), randomRows(rng, n, d)];
        const nt = lossOf((a, b) => ntXent(a, b, { temperature }), inputs);
        const decoupled = lossOf(loss(temperature), inputs);
        expect(decoupled).toBeLessThanOrEqual(nt + 8 * 2 ** -23 * (1 / temperature + Math.abs(nt)));
        // strictly in exact arithmetic: the gap is the mean of log(1 + exp(positive)/Σ negatives)
        if (temperature >= 0.5) expect(decoupled).toBeLessThan(nt);
      }),
      { numRuns: 25 },
    );
  });

  it('identical embeddings give log(2N - 2), for DCL and DCLW, whatever their norms', () => {
    fc.assert(
      fc.property(problem, (p) => {
        fc.pre(p.n >= 2);
        const rng = Rng.fromSeed(p.seed);
        const v = randomRows(rng, 1, p.d)[0]!;
        const copies = () =>
          Array.from({ length: p.n }, () => {
            const s = 10 ** rng.uniform(-3, 3);
            return v.map((x) => x * s);
          });
        expectLossClose(lossOf(lossFor(p), [copies(), copies()]), Math.log(2 * p.n - 2), p.temperature, 0);
      }),
      { numRuns: 20 },
    );
  });

  it('DCLW equals DCL when every positive pair has the same similarity (identical views), and tends to it as σ grows', () => {
    fc.assert(
      fc.property(problem, ({ n, d, temperature, seed }) => {
        const rng = Rng.fromSeed(seed);
        const z = randomRows(rng, n, d);
        const scaled = z.map((row) => row.map((x) => x * 3));
        expectLossClose(lossOf(weighted(temperature, 0.1), [z, scaled]), lossOf(loss(temperature), [z, scaled]), temperature);
        const inputs = [z, randomRows(rng, n, d)];
        // |w_i - 1| <= ~2/σ for σ = 1e6: a relative change of the positive term of about 2e-6
        expectLossClose(lossOf(weighted(temperature, 1e6), inputs), lossOf(loss(temperature), inputs), temperature, 1e-5);
      }),
      { numRuns: 20 },
    );
  });

  it('swapping the views, permuting the samples, rotating or positively rescaling leaves the loss unchanged', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const rng = Rng.fromSeed(p.seed);
        const [z1, z2] = [randomRows(rng, p.n, p.d), randomRows(rng, p.n, p.d)];
        const f = lossFor(p);
        const expected = lossOf(f, [z1, z2]);
        expectLossClose(lossOf(f, [z2, z1]), expected, p.temperature);
        const perm = Array.from(rng.permutation(p.n));
        expectLossClose(lossOf(f, [perm.map((i) => z1[i]!), perm.map((i) => z2[i]!)]), expected, p.temperature);
        const r = randomRotation(rng, p.d);
        expectLossClose(lossOf(f, [multiply(z1, r), multiply(z2, r)]), expected, p.temperature);
        const rescaled = [z1, z2].map((rows) =>
          rows.map((row) => {
            const s = 10 ** rng.uniform(-4, 4);
            return row.map((x) => x * s);
          }),
        );
        expectLossClose(lossOf(f, rescaled), expected, p.temperature);
      }),
      { numRuns: 20 },
    );
  });

  it('the gradient of each embedding is orthogonal to it', () => {
    fc.assert(
      fc.property(problem, fc.double({ min: -3, max: 3, noNaN: true }), (p, logScale) => {
        const rng = Rng.fromSeed(p.seed);
        const inputs = [randomRows(rng, p.n, p.d, 10 ** logScale), randomRows(rng, p.n, p.d, 10 ** logScale)];
        const { grads } = lossAndGrads(lossFor(p), inputs);
        expectOrthogonalGradients(inputs, grads);
      }),
      { numRuns: 15 },
    );
  });

  // The gradient scales as 1 / (τ ‖z_i‖): beyond float32 for subnormal rows in exact arithmetic,
  // so it is required to be finite for rows whose largest entry is at least 1e-30.
  it('is finite for any finite input (any magnitude, down to temperature 1e-4); so is its gradient for rows >= 1e-30', () => {
    const input = finiteMatrixPair(2, 4, 4).filter(([a, b]) => [...a, ...b].every((row) => row.some((x) => x !== 0)));
    fc.assert(
      fc.property(input, fc.constantFrom(1e-4, 0.01, 0.5, 10), fc.constantFrom(null, DCLW_SIGMA), ([z1, z2], temperature, sigma) => {
        const { loss: v, grads } = lossAndGrads(lossFor({ temperature, sigma }), [z1, z2]);
        expect(Number.isFinite(v)).toBe(true);
        if ([...z1, ...z2].every((row) => Math.max(...row.map(Math.abs)) >= 1e-30)) for (const g of grads) expect(g.every(Number.isFinite)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });
});

describe('dcl options and bad input (cpu)', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu' });
  });
  const rng = Rng.fromSeed(5);
  const a = randomRows(rng, 4, 3);
  const b = randomRows(rng, 4, 3);

  it('rejects a bad temperature or sigma and unknown options, naming them', () => {
    tf.tidy(() => {
      const [z1, z2] = [tf.tensor2d(a), tf.tensor2d(b)];
      for (const t of [0, -1, Number.NaN, 1e-5, '0.1']) {
        expectTypedError(() => dcl(z1, z2, { temperature: t as number }), ArgumentError, 'options.temperature', t);
        expectTypedError(() => dclw(z1, z2, { temperature: t as number }), ArgumentError, 'options.temperature', t);
      }
      for (const s of [0, -0.5, Number.POSITIVE_INFINITY, '0.5']) expectTypedError(() => dclw(z1, z2, { temperature: 0.1, sigma: s as number }), ArgumentError, 'options.sigma', s);
      expectTypedError(() => dcl(z1, z2, undefined as never), ArgumentError, 'options', undefined);
      expectTypedError(() => dcl(z1, z2, { temperature: 0.1, sigma: 0.5 } as never), ArgumentError, 'options.sigma', 0.5);
      expectTypedError(() => dclw(z1, z2, { temperature: 0.1, scale: 'paper' } as never), ArgumentError, 'options.scale', 'paper');
      expectTypedError(() => dcl(z1, z2, { temperature: 0.1, checkValues: 1 } as never), ArgumentError, 'options.checkValues', 1);
    });
  });

  it('rejects mismatched shapes, N < 2, wrong rank or dtype, NaN, ±Infinity and zero rows, naming the argument', () => {
    expectMatrixPairChecks((x, y) => dcl(x, y, { temperature: 0.5 }), ['z1', 'z2']);
    expectMatrixPairChecks((x, y) => dclw(x, y, { temperature: 0.5 }), ['z1', 'z2']);
    tf.tidy(() => {
      const z1 = tf.tensor2d(a);
      const single = tf.tensor2d([[1, 2, 3]]);
      expectTypedError(() => dclw(single, single, { temperature: 0.5 }), ShapeError, 'z1', single);
      const withZero = tf.tensor2d([a[0]!, [0, 0, 0], a[2]!, a[3]!]);
      expectTypedError(() => dclw(z1, withZero, { temperature: 0.5 }), ArgumentError, 'z2', withZero);
      // unchecked, a zero row is orthogonal to everything: finite
      expect(Number.isFinite(valueOf(dcl(z1, withZero, { temperature: 0.5, checkValues: false })))).toBe(true);
    });
  });
});
