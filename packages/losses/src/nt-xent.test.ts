import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { ArgumentError, NonFiniteError, Rng, ShapeError } from '@contrastive/core';
import { initBackend } from '@contrastive/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { ntXent } from './nt-xent.js';
import { finiteDifferenceGrads, naiveNtXent, naiveSupCon } from './reference.js';
import {
  ENGINES,
  expectGradClose,
  expectLossClose,
  expectNoLeak,
  expectOrthogonalGradients,
  expectRelClose,
  loadFixtures,
  lossAndGrads,
  lossOf,
  multiply,
  randomRotation,
  randomRows,
  valueOf,
  wellScaledRows,
} from '../test/helpers.js';

const fixtures = loadFixtures('nt_xent');
const loss = (temperature: number) => (z1: tf.Tensor2D, z2: tf.Tensor2D) => ntXent(z1, z2, { temperature });

/** Random problem sizes and a seed for the matrices. */
const problem = fc.record({
  n: fc.integer({ min: 2, max: 6 }),
  d: fc.integer({ min: 1, max: 6 }),
  temperature: fc.constantFrom(0.05, 0.1, 0.5, 1, 2),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

describe.each(ENGINES)('ntXent on %s', (engine) => {
  beforeAll(async () => {
    await initBackend({ prefer: engine });
  });

  it.each(fixtures.map((f) => [f.file, f] as const))('matches the float64 fixture %s (loss 1e-5, gradients 1e-4)', (_, f) => {
    const { loss: value, grads } = lossAndGrads(loss(f.temperature), [f.z1!, f.z2!]);
    expectRelClose(value, f.loss, 1e-5);
    expectGradClose(grads[0]!, f.grad_z1!, 1e-4);
    expectGradClose(grads[1]!, f.grad_z2!, 1e-4);
  });

  it('equals the naive loop reference on random inputs', () => {
    fc.assert(
      fc.property(problem, ({ n, d, temperature, seed }) => {
        const rng = Rng.fromSeed(seed);
        const z1 = randomRows(rng, n, d);
        const z2 = randomRows(rng, n, d);
        expectLossClose(lossOf(loss(temperature), [z1, z2]), naiveNtXent(z1, z2, temperature), temperature);
      }),
      { numRuns: 20 },
    );
  });

  it('has the gradient of the naive reference (central finite differences, float64)', () => {
    fc.assert(
      fc.property(problem, ({ n, d, temperature, seed }) => {
        const rng = Rng.fromSeed(seed);
        const inputs = [wellScaledRows(rng, n, d), wellScaledRows(rng, n, d)];
        const reference = finiteDifferenceGrads(([a, b]) => naiveNtXent(a!, b!, temperature), inputs);
        const { grads } = lossAndGrads(loss(temperature), inputs);
        expectGradClose(grads[0]!, reference[0]!, 1e-3, 1e-5 / temperature);
        expectGradClose(grads[1]!, reference[1]!, 1e-3, 1e-5 / temperature);
      }),
      { numRuns: 10 },
    );
  });

  it('is stable in float32 at temperature 0.01 with embedding norms of 1e4', () => {
    const rng = Rng.fromSeed(7);
    // rows of norm about 1e4; positives loosely correlated so the loss is O(1) (about 5.8), not 0
    const z1 = randomRows(rng, 8, 16, 1e4 / 4);
    const z2 = z1.map((row) => row.map((x) => x + rng.normal() * 5000));
    const { loss: value, grads } = lossAndGrads(loss(0.01), [z1, z2]);
    expectRelClose(value, naiveNtXent(z1, z2, 0.01), 1e-5);
    for (const g of grads) expect(g.every(Number.isFinite)).toBe(true);
    const reference = finiteDifferenceGrads(([a, b]) => naiveNtXent(a!, b!, 0.01), [z1, z2]);
    expectGradClose(grads[0]!, reference[0]!, 1e-3);
    expectGradClose(grads[1]!, reference[1]!, 1e-3);
  });

  it('trains: plain SGD on free embeddings lowers the loss', () => {
    const rng = Rng.fromSeed(3);
    const z1 = tf.variable(tf.tensor2d(randomRows(rng, 8, 4)));
    const z2 = tf.variable(tf.tensor2d(randomRows(rng, 8, 4)));
    const optimizer = tf.train.sgd(0.5);
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) {
      const cost = optimizer.minimize(() => ntXent(z1, z2, { temperature: 0.5 }), true, [z1, z2]);
      losses.push(valueOf(cost!));
      cost!.dispose();
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! - 0.5);
    tf.dispose([z1, z2]);
    optimizer.dispose();
  });

  it('leaves no tensor behind, forward or backward', () => {
    const rng = Rng.fromSeed(1);
    const z1 = tf.tensor2d(randomRows(rng, 4, 3));
    const z2 = tf.tensor2d(randomRows(rng, 4, 3));
    expectNoLeak(() => ntXent(z1, z2, { temperature: 0.5 }));
    expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => ntXent(a as tf.Tensor2D, b as tf.Tensor2D, { temperature: 0.5 }))([z1, z2]));
    expectNoLeak(() => {
      expect(() => ntXent(z1, z2, { temperature: 0 })).toThrow(ArgumentError);
    });
    tf.dispose([z1, z2]);
  });
});

describe.each(ENGINES)('ntXent laws on %s (fast-check)', (engine) => {
  beforeAll(async () => {
    await initBackend({ prefer: engine });
  });

  it('the same permutation of the samples in both views leaves the loss unchanged', () => {
    fc.assert(
      fc.property(problem, ({ n, d, temperature, seed }) => {
        const rng = Rng.fromSeed(seed);
        const z1 = randomRows(rng, n, d);
        const z2 = randomRows(rng, n, d);
        const perm = Array.from(rng.permutation(n));
        const permuted = [perm.map((i) => z1[i]!), perm.map((i) => z2[i]!)];
        expectLossClose(lossOf(loss(temperature), permuted), lossOf(loss(temperature), [z1, z2]), temperature);
      }),
      { numRuns: 20 },
    );
  });

  it('swapping the two views leaves the loss unchanged', () => {
    fc.assert(
      fc.property(problem, ({ n, d, temperature, seed }) => {
        const rng = Rng.fromSeed(seed);
        const z1 = randomRows(rng, n, d);
        const z2 = randomRows(rng, n, d);
        expectLossClose(lossOf(loss(temperature), [z2, z1]), lossOf(loss(temperature), [z1, z2]), temperature);
      }),
      { numRuns: 20 },
    );
  });

  it('positive rescaling of any embedding leaves the loss unchanged', () => {
    fc.assert(
      fc.property(problem, fc.double({ min: -6, max: 6, noNaN: true }), ({ n, d, temperature, seed }, logSpread) => {
        const rng = Rng.fromSeed(seed);
        const z1 = randomRows(rng, n, d);
        const z2 = randomRows(rng, n, d);
        const rescale = (rows: number[][]) => rows.map((row) => {
          const s = 10 ** (logSpread * rng.uniform(-1, 1));
          return row.map((x) => x * s);
        });
        expectLossClose(lossOf(loss(temperature), [rescale(z1), rescale(z2)]), lossOf(loss(temperature), [z1, z2]), temperature);
      }),
      { numRuns: 20 },
    );
  });

  it('a global rotation leaves the loss unchanged', () => {
    fc.assert(
      fc.property(problem, ({ n, d, temperature, seed }) => {
        const rng = Rng.fromSeed(seed);
        const z1 = randomRows(rng, n, d);
        const z2 = randomRows(rng, n, d);
        const r = randomRotation(rng, d);
        expectLossClose(lossOf(loss(temperature), [multiply(z1, r), multiply(z2, r)]), lossOf(loss(temperature), [z1, z2]), temperature);
      }),
      { numRuns: 20 },
    );
  });

  it('identical embeddings give log(2N - 1), whatever their norms', () => {
    fc.assert(
      fc.property(problem, ({ n, d, temperature, seed }) => {
        const rng = Rng.fromSeed(seed);
        const v = randomRows(rng, 1, d)[0]!;
        const copies = () =>
          Array.from({ length: n }, () => {
            const s = 10 ** rng.uniform(-3, 3);
            return v.map((x) => x * s);
          });
        // exact up to float32 rounding of the logits (8 ulps of 1/τ)
        expectLossClose(lossOf(loss(temperature), [copies(), copies()]), Math.log(2 * n - 1), temperature, 0);
      }),
      { numRuns: 20 },
    );
  });

  it('the gradient of each embedding is orthogonal to it: <grad z_i, z_i> = 0', () => {
    fc.assert(
      fc.property(problem, fc.double({ min: -3, max: 3, noNaN: true }), ({ n, d, temperature, seed }, logScale) => {
        const rng = Rng.fromSeed(seed);
        const inputs = [randomRows(rng, n, d, 10 ** logScale), randomRows(rng, n, d, 10 ** logScale)];
        const { grads } = lossAndGrads(loss(temperature), inputs);
        expectOrthogonalGradients(inputs, grads);
      }),
      { numRuns: 15 },
    );
  });

  // Positive in exact arithmetic for every τ; in float32, once every negative trails the positive
  // by more than about 17τ, 1 + exp(-gap/τ) rounds to 1 and the loss to 0, so τ >= 0.2 here.
  it('is positive', () => {
    fc.assert(
      fc.property(problem, fc.constantFrom(0.2, 0.5, 1, 2), ({ n, d, seed }, temperature) => {
        const rng = Rng.fromSeed(seed);
        expect(lossOf(loss(temperature), [randomRows(rng, n, d), randomRows(rng, n, d)])).toBeGreaterThan(0);
      }),
      { numRuns: 20 },
    );
  });

  it('is finite and >= 0 for any finite input (any magnitude, down to temperature 1e-4)', () => {
    const value = fc.float({ min: Math.fround(-3.4e38), max: Math.fround(3.4e38), noNaN: true, noDefaultInfinity: true });
    const rows = (n: number, d: number) => fc.array(fc.array(value, { minLength: d, maxLength: d }), { minLength: n, maxLength: n });
    const input = fc
      .record({ n: fc.integer({ min: 2, max: 4 }), d: fc.integer({ min: 1, max: 4 }) })
      .chain(({ n, d }) => fc.tuple(rows(n, d), rows(n, d)))
      .filter(([a, b]) => [...a, ...b].every((row) => row.some((x) => x !== 0)));
    fc.assert(
      fc.property(input, fc.constantFrom(1e-4, 0.01, 0.5, 10), ([z1, z2], temperature) => {
        const value = lossOf(loss(temperature), [z1, z2]);
        expect(Number.isFinite(value)).toBe(true);
        expect(value).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 30 },
    );
  });

  it('equals SupCon without labels on two views (the naive references agree too)', () => {
    const rng = Rng.fromSeed(11);
    const z1 = randomRows(rng, 5, 3);
    const z2 = randomRows(rng, 5, 3);
    expectRelClose(naiveNtXent(z1, z2, 0.3), naiveSupCon([z1, z2], null, 0.3, 'out'), 1e-12);
  });
});

describe('ntXent options and bad input (cpu)', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu' });
  });
  const rng = Rng.fromSeed(5);
  const a = randomRows(rng, 4, 3);
  const b = randomRows(rng, 4, 3);

  it("scale 'simclr-code' doubles the loss and { baseTemperature } multiplies it by τ/base", () => {
    const paper = lossAndGrads((x, y) => ntXent(x, y, { temperature: 0.2 }), [a, b]);
    const code = lossAndGrads((x, y) => ntXent(x, y, { temperature: 0.2, scale: 'simclr-code' }), [a, b]);
    const based = lossAndGrads((x, y) => ntXent(x, y, { temperature: 0.2, scale: { baseTemperature: 0.07 } }), [a, b]);
    expectRelClose(lossOf((x, y) => ntXent(x, y, { temperature: 0.2, scale: 'paper' }), [a, b]), paper.loss, 1e-7);
    expectRelClose(code.loss, 2 * paper.loss, 1e-6);
    expectRelClose(based.loss, (0.2 / 0.07) * paper.loss, 1e-6);
    expectGradClose(code.grads[0]!, [Array.from(paper.grads[0]!.map((g) => 2 * g))], 1e-5);
    expectGradClose(based.grads[1]!, [Array.from(paper.grads[1]!.map((g) => (0.2 / 0.07) * g))], 1e-5);
  });

  /** Runs `f`, expecting a typed error naming `argument` and carrying `received`. */
  function expectError(f: () => unknown, type: new (...args: never[]) => Error, argument: string, received?: unknown): void {
    let caught: unknown;
    try {
      f();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(type);
    const err = caught as { argument?: string; received?: unknown; message: string };
    expect(err.argument).toBe(argument);
    expect(err.message).toContain(`'${argument}'`);
    if (arguments.length > 3) expect(err.received).toBe(received);
  }

  it('rejects a bad temperature, naming it and the value received', () => {
    tf.tidy(() => {
      const z1 = tf.tensor2d(a);
      const z2 = tf.tensor2d(b);
      for (const t of [0, -0.5, Number.NaN, Number.POSITIVE_INFINITY, 1e-5, '0.5']) {
        expectError(() => ntXent(z1, z2, { temperature: t as number }), ArgumentError, 'options.temperature', t);
      }
      expectError(() => ntXent(z1, z2, undefined as never), ArgumentError, 'options', undefined);
      expectError(() => ntXent(z1, z2, { temperature: 0.5, scale: 'twice' as never }), ArgumentError, 'options.scale', 'twice');
      expectError(() => ntXent(z1, z2, { temperature: 0.5, scale: { baseTemperature: 0 } }), ArgumentError, 'options.scale.baseTemperature', 0);
      expectError(() => ntXent(z1, z2, { temperature: 0.5, checkValues: 'no' as never }), ArgumentError, 'options.checkValues', 'no');
    });
  });

  it('rejects mismatched shapes, N < 2, wrong rank or dtype, naming the argument', () => {
    tf.tidy(() => {
      const z1 = tf.tensor2d(a);
      const other = tf.tensor2d(randomRows(rng, 4, 5));
      expectError(() => ntXent(z1, other, { temperature: 0.5 }), ShapeError, 'z2', other);
      const three = tf.tensor2d(randomRows(rng, 3, 3));
      expectError(() => ntXent(z1, three, { temperature: 0.5 }), ShapeError, 'z2', three);
      const single = tf.tensor2d([[1, 2, 3]]);
      expectError(() => ntXent(single, single, { temperature: 0.5 }), ShapeError, 'z1', single);
      const flat = tf.tensor1d([1, 2, 3]);
      expectError(() => ntXent(flat as never, z1, { temperature: 0.5 }), ShapeError, 'z1', flat);
      const ints = tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32');
      expectError(() => ntXent(ints, ints, { temperature: 0.5 }), ShapeError, 'z1', ints);
      expectError(() => ntXent(a as never, z1, { temperature: 0.5 }), ArgumentError, 'z1', a);
    });
  });

  it('rejects NaN, ±Infinity and all-zero rows, naming the argument', () => {
    tf.tidy(() => {
      const z1 = tf.tensor2d(a);
      const withNaN = tf.tensor2d([a[0]!, a[1]!, [1, Number.NaN, 0], a[3]!]);
      expectError(() => ntXent(z1, withNaN, { temperature: 0.5 }), NonFiniteError, 'z2', withNaN);
      expect(() => ntXent(z1, withNaN, { temperature: 0.5 })).toThrow(/NaN at row 2, column 1/);
      const withInf = tf.tensor2d([[Number.POSITIVE_INFINITY, 0, 0], a[1]!, a[2]!, a[3]!]);
      expectError(() => ntXent(withInf, z1, { temperature: 0.5 }), NonFiniteError, 'z1', withInf);
      const withZero = tf.tensor2d([a[0]!, [0, 0, 0], a[2]!, a[3]!]);
      expectError(() => ntXent(withZero, z1, { temperature: 0.5 }), ArgumentError, 'z1', withZero);
      expect(() => ntXent(withZero, z1, { temperature: 0.5 })).toThrow(/zero vector at row 1/);
    });
  });

  it('with checkValues: false, an all-zero row is orthogonal to everything (finite, no NaN)', () => {
    const zero = [a[0]!, [0, 0, 0], a[2]!, a[3]!];
    const { loss: value, grads } = lossAndGrads((x, y) => ntXent(x, y, { temperature: 0.5, checkValues: false }), [zero, b]);
    expect(Number.isFinite(value)).toBe(true);
    expect(grads.every((g) => g.every(Number.isFinite))).toBe(true);
  });
});
