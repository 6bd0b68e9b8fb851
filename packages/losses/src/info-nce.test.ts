import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { ArgumentError, NonFiniteError, Rng, ShapeError } from '@contrastive/core';
import { initBackend } from '@contrastive/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { infoNce } from './info-nce.js';
import { finiteDifferenceGrads, naiveInfoNce, type Rows } from './reference.js';
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

const fixtures = loadFixtures('info_nce_queue');

/** Negative sources: the external matrix only (MoCo), the batch only, or both. */
type Mode = 'external' | 'in-batch' | 'mixed';

/** The loss as a function of the query, with keys and negatives fixed (stop-gradient). */
const lossOfQuery = (keys: Rows, negatives: Rows | null, temperature: number, mode: Mode) => (q: tf.Tensor2D) =>
  tf.tidy(() =>
    infoNce(q, tf.tensor2d(keys as number[][]), negatives === null ? null : tf.tensor2d(negatives as number[][]), {
      temperature,
      inBatchNegatives: mode !== 'external',
    }),
  );

const problem = fc
  .record({
    n: fc.integer({ min: 1, max: 6 }),
    k: fc.integer({ min: 1, max: 8 }),
    d: fc.integer({ min: 1, max: 5 }),
    mode: fc.constantFrom<Mode>('external', 'in-batch', 'mixed'),
    temperature: fc.constantFrom(0.05, 0.07, 0.2, 1),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .filter((p) => p.mode === 'external' || p.n >= 2);

function draw(p: { n: number; k: number; d: number; mode: Mode; seed: number }, rows = randomRows) {
  const rng = Rng.fromSeed(p.seed);
  const q = rows(rng, p.n, p.d);
  const keys = rows(rng, p.n, p.d);
  const negatives = p.mode === 'in-batch' ? null : rows(rng, p.k, p.d);
  return { q, keys, negatives, rng };
}

describe.each(ENGINES)('infoNce on %s', (engine) => {
  beforeAll(async () => {
    await initBackend({ prefer: engine });
  });

  it.each(fixtures.map((f) => [f.file, f] as const))('matches the float64 fixture %s (loss 1e-5, gradient 1e-4)', (_, f) => {
    const { loss, grads } = lossAndGrads(lossOfQuery(f.k!, f.queue!, f.temperature, 'external'), [f.q!]);
    expectRelClose(loss, f.loss, 1e-5);
    expectGradClose(grads[0]!, f.grad_q!, 1e-4);
  });

  it('equals the naive loop reference on random inputs (external, in-batch and mixed negatives)', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { q, keys, negatives } = draw(p);
        const expected = naiveInfoNce(q, keys, negatives, p.temperature, p.mode !== 'external');
        expectLossClose(lossOf(lossOfQuery(keys, negatives, p.temperature, p.mode), [q]), expected, p.temperature);
      }),
      { numRuns: 30 },
    );
  });

  it('has the gradient of the naive reference with respect to the query (central finite differences)', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { q, keys, negatives } = draw(p, wellScaledRows);
        const reference = finiteDifferenceGrads(([x]) => naiveInfoNce(x!, keys, negatives, p.temperature, p.mode !== 'external'), [q]);
        const { grads } = lossAndGrads(lossOfQuery(keys, negatives, p.temperature, p.mode), [q]);
        expectGradClose(grads[0]!, reference[0]!, 1e-3, 1e-5 / p.temperature);
      }),
      { numRuns: 15 },
    );
  });

  it('sends no gradient to the keys or the negatives (stop-gradient)', () => {
    const rng = Rng.fromSeed(2);
    const [q, k, neg] = [randomRows(rng, 4, 3), randomRows(rng, 4, 3), randomRows(rng, 6, 3)];
    const grads = tf.tidy(() => {
      // the zero terms keep k and neg on the tape, so their gradient is what infoNce sends them
      const f = (qt: tf.Tensor, kt: tf.Tensor, nt: tf.Tensor) =>
        tf.add(infoNce(qt as tf.Tensor2D, kt as tf.Tensor2D, nt as tf.Tensor2D, { temperature: 0.2, inBatchNegatives: true }), tf.mul(0, tf.add(tf.sum(kt), tf.sum(nt))));
      return tf.grads(f)([tf.tensor2d(q), tf.tensor2d(k), tf.tensor2d(neg)]).map((g) => Array.from(g.dataSync()));
    });
    expect(grads[0]!.some((g) => g !== 0)).toBe(true);
    expect(grads[1]!.every((g) => g === 0)).toBe(true);
    expect(grads[2]!.every((g) => g === 0)).toBe(true);
  });

  it('is stable in float32 at temperature 0.01 with embedding norms of 1e4', () => {
    const rng = Rng.fromSeed(13);
    const q = randomRows(rng, 6, 16, 2500);
    const keys = q.map((row) => row.map((x) => x + rng.normal() * 5000));
    const negatives = randomRows(rng, 32, 16, 2500);
    for (const mode of ['external', 'mixed'] as const) {
      const { loss, grads } = lossAndGrads(lossOfQuery(keys, negatives, 0.01, mode), [q]);
      expectRelClose(loss, naiveInfoNce(q, keys, negatives, 0.01, mode === 'mixed'), 1e-5);
      const reference = finiteDifferenceGrads(([x]) => naiveInfoNce(x!, keys, negatives, 0.01, mode === 'mixed'), [q]);
      expectGradClose(grads[0]!, reference[0]!, 1e-3);
    }
  });

  it('trains: plain SGD on free queries lowers the loss against a fixed queue', () => {
    const rng = Rng.fromSeed(3);
    const q = tf.variable(tf.tensor2d(randomRows(rng, 8, 4)));
    const keys = tf.tensor2d(randomRows(rng, 8, 4));
    const queue = tf.tensor2d(randomRows(rng, 32, 4));
    const optimizer = tf.train.sgd(1);
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) {
      const cost = optimizer.minimize(() => infoNce(q, keys, queue, { temperature: 0.2, inBatchNegatives: true }), true, [q]);
      losses.push(valueOf(cost!));
      cost!.dispose();
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! - 0.5);
    tf.dispose([q, keys, queue]);
    optimizer.dispose();
  });

  it('leaves no tensor behind, forward or backward, for every negative source', () => {
    const rng = Rng.fromSeed(1);
    const q = tf.tensor2d(randomRows(rng, 4, 3));
    const k = tf.tensor2d(randomRows(rng, 4, 3));
    const neg = tf.tensor2d(randomRows(rng, 5, 3));
    for (const [negatives, inBatchNegatives] of [[neg, false], [neg, true], [null, true]] as const) {
      const options = { temperature: 0.2, inBatchNegatives };
      expectNoLeak(() => infoNce(q, k, negatives, options));
      expectNoLeak(() => tf.grads((x: tf.Tensor) => infoNce(x as tf.Tensor2D, k, negatives, options))([q]));
    }
    expectNoLeak(() => {
      expect(() => infoNce(q, k, null, { temperature: 0.2, inBatchNegatives: false })).toThrow(ArgumentError);
    });
    tf.dispose([q, k, neg]);
  });
});

describe.each(ENGINES)('infoNce laws on %s (fast-check)', (engine) => {
  beforeAll(async () => {
    await initBackend({ prefer: engine });
  });

  it('permuting the batch (queries with their keys) or the negatives leaves the loss unchanged', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { q, keys, negatives, rng } = draw(p);
        const expected = lossOf(lossOfQuery(keys, negatives, p.temperature, p.mode), [q]);
        const perm = Array.from(rng.permutation(p.n));
        const negPerm = negatives === null ? null : Array.from(rng.permutation(p.k)).map((i) => negatives[i]!);
        const actual = lossOf(lossOfQuery(perm.map((i) => keys[i]!), negPerm, p.temperature, p.mode), [perm.map((i) => q[i]!)]);
        expectLossClose(actual, expected, p.temperature);
      }),
      { numRuns: 20 },
    );
  });

  it('positive rescaling of any query, key or negative and a global rotation leave the loss unchanged', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { q, keys, negatives, rng } = draw(p);
        const expected = lossOf(lossOfQuery(keys, negatives, p.temperature, p.mode), [q]);
        const rescale = (rows: number[][]) =>
          rows.map((row) => {
            const s = 10 ** rng.uniform(-4, 4);
            return row.map((x) => x * s);
          });
        const rescaled = lossOf(lossOfQuery(rescale(keys), negatives === null ? null : rescale(negatives), p.temperature, p.mode), [rescale(q)]);
        expectLossClose(rescaled, expected, p.temperature);
        const r = randomRotation(rng, p.d);
        const rotated = lossOf(lossOfQuery(multiply(keys, r), negatives === null ? null : multiply(negatives, r), p.temperature, p.mode), [multiply(q, r)]);
        expectLossClose(rotated, expected, p.temperature);
      }),
      { numRuns: 20 },
    );
  });

  it('identical query, key and negatives give log(K + 1) (and log(N + K) with in-batch negatives)', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const rng = Rng.fromSeed(p.seed);
        const v = randomRows(rng, 1, p.d)[0]!;
        const copies = (count: number) =>
          Array.from({ length: count }, () => {
            const s = 10 ** rng.uniform(-3, 3);
            return v.map((x) => x * s);
          });
        const negatives = p.mode === 'in-batch' ? null : copies(p.k);
        const expected = Math.log((p.mode === 'in-batch' ? 0 : p.k) + (p.mode === 'external' ? 1 : p.n));
        expectLossClose(lossOf(lossOfQuery(copies(p.n), negatives, p.temperature, p.mode), [copies(p.n)]), expected, p.temperature, 0);
      }),
      { numRuns: 20 },
    );
  });

  it('the gradient of each query is orthogonal to it, and the loss is positive', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { q, keys, negatives } = draw(p);
        const { loss, grads } = lossAndGrads(lossOfQuery(keys, negatives, p.temperature, p.mode), [q]);
        // positive in exact arithmetic; float32 can round it to 0 below τ ≈ 0.2 (see ntXent's law)
        if (p.temperature >= 0.2) expect(loss).toBeGreaterThan(0);
        else expect(loss).toBeGreaterThanOrEqual(0);
        expectOrthogonalGradients([q], grads);
      }),
      { numRuns: 20 },
    );
  });

  it('is finite and >= 0 for any finite input (any magnitude, down to temperature 1e-4)', () => {
    const value = fc.float({ min: Math.fround(-3.4e38), max: Math.fround(3.4e38), noNaN: true, noDefaultInfinity: true });
    const matrix = (rows: number, d: number) =>
      fc.array(fc.array(value, { minLength: d, maxLength: d }), { minLength: rows, maxLength: rows }).filter((m) => m.every((row) => row.some((x) => x !== 0)));
    const input = fc
      .record({ n: fc.integer({ min: 2, max: 4 }), k: fc.integer({ min: 1, max: 4 }), d: fc.integer({ min: 1, max: 3 }) })
      .chain(({ n, k, d }) => fc.tuple(matrix(n, d), matrix(n, d), matrix(k, d)));
    fc.assert(
      fc.property(input, fc.constantFrom(1e-4, 0.07, 1), fc.constantFrom<Mode>('external', 'in-batch', 'mixed'), ([q, keys, negatives], temperature, mode) => {
        const result = lossOf(lossOfQuery(keys, mode === 'in-batch' ? null : negatives, temperature, mode), [q]);
        expect(Number.isFinite(result)).toBe(true);
        expect(result).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 30 },
    );
  });
});

describe('infoNce options and bad input (cpu)', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu' });
  });
  const rng = Rng.fromSeed(5);
  const a = randomRows(rng, 4, 3);
  const b = randomRows(rng, 4, 3);
  const c = randomRows(rng, 6, 3);

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

  it('defaults to in-batch negatives exactly when there is no external matrix', () => {
    tf.tidy(() => {
      const [q, k, neg] = [tf.tensor2d(a), tf.tensor2d(b), tf.tensor2d(c)];
      expect(valueOf(infoNce(q, k, null, { temperature: 0.2 }))).toBeCloseTo(naiveInfoNce(a, b, null, 0.2, true), 5);
      expect(valueOf(infoNce(q, k, neg, { temperature: 0.2 }))).toBeCloseTo(naiveInfoNce(a, b, c, 0.2, false), 5);
    });
  });

  it('rejects bad queries, keys, negatives and options, naming the argument and the value received', () => {
    tf.tidy(() => {
      const [q, k, neg] = [tf.tensor2d(a), tf.tensor2d(b), tf.tensor2d(c)];
      const shortKeys = tf.tensor2d(randomRows(rng, 3, 3));
      expectError(() => infoNce(q, shortKeys, neg, { temperature: 0.2 }), ShapeError, 'positiveKey', shortKeys);
      const wideNegatives = tf.tensor2d(randomRows(rng, 6, 4));
      expectError(() => infoNce(q, k, wideNegatives, { temperature: 0.2 }), ShapeError, 'negatives', wideNegatives);
      expectError(() => infoNce(q, k, null, { temperature: 0.2, inBatchNegatives: false }), ArgumentError, 'negatives', null);
      const one = tf.tensor2d([a[0]!]);
      expectError(() => infoNce(one, tf.tensor2d([b[0]!]), null, { temperature: 0.2 }), ShapeError, 'query', one);
      expectError(() => infoNce(q, k, neg, { temperature: 0 }), ArgumentError, 'options.temperature', 0);
      expectError(() => infoNce(q, k, neg, { temperature: Number.NaN }), ArgumentError, 'options.temperature');
      expectError(() => infoNce(q, k, neg, { temperature: 0.2, inBatchNegatives: 1 as never }), ArgumentError, 'options.inBatchNegatives', 1);
      const withInf = tf.tensor2d([...c.slice(0, 5), [0, Number.NEGATIVE_INFINITY, 1]]);
      expectError(() => infoNce(q, k, withInf, { temperature: 0.2 }), NonFiniteError, 'negatives', withInf);
      const zeroKey = tf.tensor2d([b[0]!, b[1]!, [0, 0, 0], b[3]!]);
      expectError(() => infoNce(q, zeroKey, neg, { temperature: 0.2 }), ArgumentError, 'positiveKey', zeroKey);
      const flat = tf.tensor1d([1, 2, 3]);
      expectError(() => infoNce(flat as never, k, neg, { temperature: 0.2 }), ShapeError, 'query', flat);
    });
  });
});
