import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { ArgumentError, NonFiniteError, Rng, ShapeError } from '@contrastive/core';
import { initBackend } from '@contrastive/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { ntXent } from './nt-xent.js';
import { finiteDifferenceGrads, naiveNtXent, naiveSupCon } from './reference.js';
import { supCon, type SupConVariant } from './sup-con.js';
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

const fixtures = loadFixtures(['supcon_out', 'supcon_in']);
const loss =
  (temperature: number, labels: readonly number[] | null, variant: SupConVariant) =>
  (...views: tf.Tensor2D[]) =>
    supCon(views, labels ?? undefined, { temperature, variant });

/** A random SupCon problem: V views of N samples, labels from `classes` classes (0: no labels). */
const problem = fc
  .record({
    n: fc.integer({ min: 1, max: 6 }),
    views: fc.integer({ min: 1, max: 3 }),
    d: fc.integer({ min: 1, max: 5 }),
    classes: fc.integer({ min: 0, max: 4 }),
    temperature: fc.constantFrom(0.05, 0.1, 0.5, 1),
    variant: fc.constantFrom<SupConVariant>('out', 'in'),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .filter((p) => p.classes > 0 || p.views > 1);

function draw(p: { n: number; views: number; d: number; classes: number; seed: number }): { views: number[][][]; labels: number[] | null; rng: Rng } {
  const rng = Rng.fromSeed(p.seed);
  const views = Array.from({ length: p.views }, () => randomRows(rng, p.n, p.d));
  const labels = p.classes === 0 ? null : Array.from({ length: p.n }, () => rng.int(0, p.classes));
  return { views, labels, rng };
}

/** Whether some anchor has a positive (otherwise the loss is defined as 0). */
function anyPositive(views: number, labels: readonly number[] | null): boolean {
  if (labels === null) return views > 1;
  if (views > 1) return true;
  return new Set(labels).size < labels.length;
}

describe.each(ENGINES)('supCon on %s', (engine) => {
  beforeAll(async () => {
    await initBackend({ prefer: engine });
  });

  it.each(fixtures.map((f) => [f.file, f] as const))('matches the float64 fixture %s (loss 1e-5, gradients 1e-4)', (_, f) => {
    const variant = f.kind === 'supcon_in' ? 'in' : 'out';
    const { loss: value, grads } = lossAndGrads(loss(f.temperature, f.labels ?? null, variant), f.views!);
    expectRelClose(value, f.loss, 1e-5);
    f.grad_views!.forEach((g, v) => expectGradClose(grads[v]!, g, 1e-4));
  });

  it('equals the naive loop reference on random inputs (any V, labels or none, both variants)', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { views, labels } = draw(p);
        const expected = naiveSupCon(views, labels, p.temperature, p.variant);
        const actual = lossOf(loss(p.temperature, labels, p.variant), views);
        if (!anyPositive(p.views, labels)) expect(actual).toBe(0);
        else expectLossClose(actual, expected, p.temperature);
      }),
      { numRuns: 30 },
    );
  });

  it('has the gradient of the naive reference (central finite differences, float64)', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { labels, rng } = draw(p);
        fc.pre(anyPositive(p.views, labels));
        const views = Array.from({ length: p.views }, () => wellScaledRows(rng, p.n, p.d));
        const reference = finiteDifferenceGrads((vs) => naiveSupCon(vs, labels, p.temperature, p.variant), views);
        const { grads } = lossAndGrads(loss(p.temperature, labels, p.variant), views);
        reference.forEach((g, v) => expectGradClose(grads[v]!, g, 1e-3, 1e-5 / p.temperature));
      }),
      { numRuns: 15 },
    );
  });

  it('is stable in float32 at temperature 0.01 with embedding norms of 1e4', () => {
    const rng = Rng.fromSeed(9);
    const base = randomRows(rng, 8, 16, 1e4 / 4);
    const views = [base, base.map((row) => row.map((x) => x + rng.normal() * 5000))];
    const labels = [0, 1, 2, 0, 1, 2, 3, 3];
    for (const variant of ['out', 'in'] as const) {
      const { loss: value, grads } = lossAndGrads(loss(0.01, labels, variant), views);
      expectRelClose(value, naiveSupCon(views, labels, 0.01, variant), 1e-5);
      const reference = finiteDifferenceGrads((vs) => naiveSupCon(vs, labels, 0.01, variant), views);
      reference.forEach((g, v) => expectGradClose(grads[v]!, g, 1e-3));
    }
  });

  it('excludes anchors without a positive (never NaN) and is 0 with a zero gradient when none has one', () => {
    const rng = Rng.fromSeed(4);
    const single = [randomRows(rng, 5, 3)];
    // anchors 3 and 4 are alone in their class: the mean runs over anchors 0, 1, 2
    const { loss: value, grads } = lossAndGrads(loss(0.2, [0, 0, 1, 2, 3].map((c) => (c === 1 ? 0 : c)), 'out'), single);
    expectRelClose(value, naiveSupCon(single, [0, 0, 0, 2, 3], 0.2, 'out'), 1e-5);
    expect(grads[0]!.every(Number.isFinite)).toBe(true);
    const none = lossAndGrads(loss(0.2, [0, 1, 2, 3, 4], 'in'), single);
    expect(none.loss).toBe(0);
    expect(Array.from(none.grads[0]!).every((g) => g === 0)).toBe(true);
    // a single view of a single sample: nothing to contrast at all
    const lone = lossAndGrads(loss(0.2, [7], 'out'), [[[1, 2, 3]]]);
    expect(lone.loss).toBe(0);
    expect(Array.from(lone.grads[0]!)).toEqual([0, 0, 0]);
  });

  it('accepts labels as a Tensor1D (int32 or integral float32), an Int32Array or an array', () => {
    const rng = Rng.fromSeed(12);
    const views = [randomRows(rng, 4, 3), randomRows(rng, 4, 3)];
    const labels = [2, 0, 2, 1];
    const expected = lossOf(loss(0.3, labels, 'out'), views);
    tf.tidy(() => {
      const vs = views.map((v) => tf.tensor2d(v));
      for (const given of [tf.tensor1d(labels, 'int32'), tf.tensor1d(labels, 'float32'), Int32Array.from(labels), labels]) {
        expect(valueOf(supCon(vs, given, { temperature: 0.3 }))).toBeCloseTo(expected, 6);
      }
    });
  });

  it('checkValues: false keeps a labels tensor on the device: same loss and gradients, no read-back', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { labels, rng } = draw(p);
        fc.pre(labels !== null);
        const views = Array.from({ length: p.views }, () => wellScaledRows(rng, p.n, p.d));
        const host = lossAndGrads(loss(p.temperature, labels, p.variant), views);
        const ids = tf.tensor1d(labels as number[], 'int32');
        const proto = tf.Tensor.prototype as unknown as { dataSync: (this: tf.Tensor) => unknown };
        const dataSync = proto.dataSync;
        let labelReads = 0;
        proto.dataSync = function (this: tf.Tensor) {
          if (this === ids) labelReads++;
          return dataSync.call(this);
        };
        let device: { loss: number; grads: Float32Array[] };
        try {
          device = lossAndGrads((...vs) => supCon(vs, ids, { temperature: p.temperature, variant: p.variant, checkValues: false }), views);
        } finally {
          proto.dataSync = dataSync;
          ids.dispose();
        }
        expect(labelReads).toBe(0);
        expectLossClose(device.loss, host.loss, p.temperature);
        device.grads.forEach((g, v) => host.grads[v]!.forEach((e, i) => expect(Math.abs((g[i] as number) - e)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(e)))));
      }),
      { numRuns: 20 },
    );
  });

  it('trains: plain SGD on free embeddings lowers the loss (3 views, labels, both variants)', () => {
    for (const variant of ['out', 'in'] as const) {
      const rng = Rng.fromSeed(8);
      const views = [0, 1, 2].map(() => tf.variable(tf.tensor2d(randomRows(rng, 6, 4))));
      const labels = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
      const optimizer = tf.train.sgd(2);
      const losses: number[] = [];
      for (let step = 0; step < 30; step++) {
        const cost = optimizer.minimize(() => supCon(views, labels, { temperature: 0.5, variant }), true, views);
        losses.push(valueOf(cost!));
        cost!.dispose();
      }
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses.at(-1)!).toBeLessThan(losses[0]! - 0.5);
      tf.dispose([...views, labels]);
      optimizer.dispose();
    }
  });

  it('leaves no tensor behind, forward or backward, with and without labels', () => {
    const rng = Rng.fromSeed(1);
    const views = [tf.tensor2d(randomRows(rng, 4, 3)), tf.tensor2d(randomRows(rng, 4, 3))];
    const labels = tf.tensor1d([0, 1, 0, 1], 'int32');
    for (const variant of ['out', 'in'] as const) {
      for (const l of [labels, undefined]) {
        expectNoLeak(() => supCon(views, l, { temperature: 0.5, variant }));
        expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => supCon([a, b] as tf.Tensor2D[], l, { temperature: 0.5, variant }))(views));
      }
    }
    expectNoLeak(() => {
      expect(() => supCon(views, [0, 1.5, 0, 1], { temperature: 0.5 })).toThrow(ArgumentError);
    });
    tf.dispose([...views, labels]);
  });
});

describe.each(ENGINES)('supCon laws on %s (fast-check)', (engine) => {
  beforeAll(async () => {
    await initBackend({ prefer: engine });
  });

  it('the same permutation of the samples in every view (and of the labels) leaves the loss unchanged', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { views, labels, rng } = draw(p);
        const perm = Array.from(rng.permutation(p.n));
        const permuted = views.map((v) => perm.map((i) => v[i]!));
        const permutedLabels = labels === null ? null : perm.map((i) => labels[i]!);
        const expected = lossOf(loss(p.temperature, labels, p.variant), views);
        const actual = lossOf(loss(p.temperature, permutedLabels, p.variant), permuted);
        expectLossClose(actual, expected, p.temperature);
      }),
      { numRuns: 20 },
    );
  });

  it('positive rescaling of any embedding and a global rotation leave the loss unchanged', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { views, labels, rng } = draw(p);
        fc.pre(anyPositive(p.views, labels));
        const expected = lossOf(loss(p.temperature, labels, p.variant), views);
        const rescaled = views.map((v) =>
          v.map((row) => {
            const s = 10 ** rng.uniform(-4, 4);
            return row.map((x) => x * s);
          }),
        );
        expectLossClose(lossOf(loss(p.temperature, labels, p.variant), rescaled), expected, p.temperature);
        const r = randomRotation(rng, p.d);
        expectLossClose(lossOf(loss(p.temperature, labels, p.variant), views.map((v) => multiply(v, r))), expected, p.temperature);
      }),
      { numRuns: 20 },
    );
  });

  it('identical embeddings give log(V·N - 1) for both variants', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { labels, rng } = draw(p);
        fc.pre(anyPositive(p.views, labels) && p.views * p.n > 1);
        const v = randomRows(rng, 1, p.d)[0]!;
        const views = Array.from({ length: p.views }, () => Array.from({ length: p.n }, () => [...v]));
        expectLossClose(lossOf(loss(p.temperature, labels, p.variant), views), Math.log(p.views * p.n - 1), p.temperature, 0);
      }),
      { numRuns: 20 },
    );
  });

  it('with two views and all-distinct labels (or none) equals NT-Xent, for both variants', () => {
    fc.assert(
      fc.property(problem, (p) => {
        fc.pre(p.n >= 2);
        const rng = Rng.fromSeed(p.seed);
        const z1 = randomRows(rng, p.n, p.d);
        const z2 = randomRows(rng, p.n, p.d);
        const distinct = Array.from(rng.permutation(p.n)).map((x) => 10 * x - 7);
        const reference = lossOf((a, b) => ntXent(a, b, { temperature: p.temperature }), [z1, z2]);
        expectLossClose(lossOf(loss(p.temperature, distinct, p.variant), [z1, z2]), reference, p.temperature);
        expectLossClose(lossOf(loss(p.temperature, null, p.variant), [z1, z2]), reference, p.temperature);
        expectLossClose(reference, naiveNtXent(z1, z2, p.temperature), p.temperature);
      }),
      { numRuns: 20 },
    );
  });

  it('L_in <= L_out, with equality when every anchor has exactly one positive', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { views, labels } = draw(p);
        fc.pre(anyPositive(p.views, labels));
        const lossIn = lossOf(loss(p.temperature, labels, 'in'), views);
        const lossOut = lossOf(loss(p.temperature, labels, 'out'), views);
        expect(lossIn).toBeLessThanOrEqual(lossOut * (1 + 1e-6) + 1e-7);
        // one positive each: two views without labels, or one view with labels in pairs
        const pairs = Array.from({ length: 2 * p.n }, (_, i) => Math.floor(i / 2));
        const single = [randomRows(Rng.fromSeed(p.seed + 1), 2 * p.n, p.d)];
        expectLossClose(lossOf(loss(p.temperature, pairs, 'in'), single), lossOf(loss(p.temperature, pairs, 'out'), single), p.temperature, 1e-6);
        if (p.views === 2 && labels === null) expectLossClose(lossIn, lossOut, p.temperature, 1e-6);
      }),
      { numRuns: 20 },
    );
  });

  it('the gradient of each embedding is orthogonal to it, and the loss is positive (given a positive and a negative)', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { views, labels } = draw(p);
        fc.pre(anyPositive(p.views, labels) && (labels === null ? p.n >= 2 : new Set(labels).size >= 2));
        const { loss: value, grads } = lossAndGrads(loss(p.temperature, labels, p.variant), views);
        // positive in exact arithmetic; float32 can round it to 0 below τ ≈ 0.2 (see ntXent's law)
        if (p.temperature >= 0.2) expect(value).toBeGreaterThan(0);
        else expect(value).toBeGreaterThanOrEqual(-1e-6); // L_in: a difference of two log-sum-exps
        expectOrthogonalGradients(views, grads);
      }),
      { numRuns: 20 },
    );
  });

  it('is finite and >= 0 for any finite input (any magnitude, down to temperature 1e-4)', () => {
    const value = fc.float({ min: Math.fround(-3.4e38), max: Math.fround(3.4e38), noNaN: true, noDefaultInfinity: true });
    const input = fc
      .record({ n: fc.integer({ min: 1, max: 4 }), d: fc.integer({ min: 1, max: 3 }), views: fc.integer({ min: 1, max: 3 }) })
      .chain(({ n, d, views }) =>
        fc.tuple(
          fc.array(fc.array(fc.array(value, { minLength: d, maxLength: d }), { minLength: n, maxLength: n }), { minLength: views, maxLength: views }),
          fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
        ),
      )
      .filter(([views]) => views.every((v) => v.every((row) => row.some((x) => x !== 0))));
    fc.assert(
      fc.property(input, fc.constantFrom(1e-4, 0.01, 0.5), fc.constantFrom<SupConVariant>('out', 'in'), ([views, labels], temperature, variant) => {
        const result = lossOf(loss(temperature, labels, variant), views);
        expect(Number.isFinite(result)).toBe(true);
        expect(result).toBeGreaterThanOrEqual(-1e-6);
      }),
      { numRuns: 30 },
    );
  });
});

describe('supCon options and bad input (cpu)', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu' });
  });
  const rng = Rng.fromSeed(5);
  const a = randomRows(rng, 4, 3);
  const b = randomRows(rng, 4, 3);

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

  it('{ baseTemperature } multiplies the loss by τ/base (the SupContrast code), off by default', () => {
    const paper = lossOf((x, y) => supCon([x, y], [0, 1, 0, 1], { temperature: 0.1 }), [a, b]);
    const code = lossOf((x, y) => supCon([x, y], [0, 1, 0, 1], { temperature: 0.1, scale: { baseTemperature: 0.07 } }), [a, b]);
    expectRelClose(code, (0.1 / 0.07) * paper, 1e-6);
    expectRelClose(lossOf((x, y) => supCon([x, y], null, { temperature: 0.1, scale: 'simclr-code' }), [a, b]), 2 * lossOf((x, y) => ntXent(x, y, { temperature: 0.1 }), [a, b]), 1e-6);
  });

  it('rejects bad views, labels and options, naming the argument and the value received', () => {
    tf.tidy(() => {
      const z1 = tf.tensor2d(a);
      const z2 = tf.tensor2d(b);
      expectError(() => supCon([], [0], { temperature: 0.5 }), ArgumentError, 'views');
      expectError(() => supCon(z1 as never, [0], { temperature: 0.5 }), ArgumentError, 'views', z1);
      const wide = tf.tensor2d(randomRows(rng, 4, 5));
      expectError(() => supCon([z1, wide], undefined, { temperature: 0.5 }), ShapeError, 'views[1]', wide);
      const short = tf.tensor2d(randomRows(rng, 3, 3));
      expectError(() => supCon([z1, z2, short], undefined, { temperature: 0.5 }), ShapeError, 'views[2]', short);
      expectError(() => supCon([z1, z2], [0, 1, 0], { temperature: 0.5 }), ShapeError, 'labels');
      expectError(() => supCon([z1, z2], [0, 1, 0.5, 1], { temperature: 0.5 }), ArgumentError, 'labels', 0.5);
      expectError(() => supCon([z1, z2], [0, 1, Number.NaN, 1], { temperature: 0.5 }), ArgumentError, 'labels');
      const fractional = tf.tensor1d([0, 1, 2.5, 1]);
      expectError(() => supCon([z1, z2], fractional, { temperature: 0.5 }), ArgumentError, 'labels', 2.5);
      const matrixLabels = tf.tensor2d([[0, 1, 0, 1]], [1, 4], 'int32');
      expectError(() => supCon([z1, z2], matrixLabels as never, { temperature: 0.5 }), ShapeError, 'labels', matrixLabels);
      expectError(() => supCon([z1, z2], 'abc' as never, { temperature: 0.5 }), ArgumentError, 'labels', 'abc');
      expectError(() => supCon([z1], undefined, { temperature: 0.5 }), ArgumentError, 'labels', undefined);
      expectError(() => supCon([z1, z2], undefined, { temperature: 0.5, variant: 'mid' as never }), ArgumentError, 'options.variant', 'mid');
      expectError(() => supCon([z1, z2], undefined, { temperature: -1 }), ArgumentError, 'options.temperature', -1);
      const withNaN = tf.tensor2d([a[0]!, a[1]!, a[2]!, [0, Number.NaN, 1]]);
      expectError(() => supCon([z1, withNaN], undefined, { temperature: 0.5 }), NonFiniteError, 'views[1]', withNaN);
      const withZero = tf.tensor2d([a[0]!, [0, 0, 0], a[2]!, a[3]!]);
      expectError(() => supCon([withZero, z2], undefined, { temperature: 0.5 }), ArgumentError, 'views[0]', withZero);
    });
  });
});
