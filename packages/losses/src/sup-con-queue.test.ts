import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { ArgumentError, NonFiniteError, Rng, ShapeError } from '@contrastive/core';
import { initBackend } from '@contrastive/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { finiteDifferenceGrads, naiveSupCon } from './reference.js';
import { supCon, type SupConVariant } from './sup-con.js';
import {
  ENGINES,
  expectGradClose,
  expectLossClose,
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
  wellScaledRows,
} from '../test/helpers.js';

const fixtures = loadFixtures('supcon_queue');

interface Queue {
  readonly rows: number[][];
  readonly labels: number[] | null;
}

/** SupCon of the views against a queue given as plain matrices (queue tensors made inside). */
const loss =
  (temperature: number, labels: readonly number[] | null, variant: SupConVariant, queue: Queue | null) =>
  (...views: tf.Tensor2D[]) =>
    tf.tidy(() =>
      supCon(views, labels ?? undefined, {
        temperature,
        variant,
        ...(queue === null ? {} : { negatives: tf.tensor2d(queue.rows, [queue.rows.length, views[0]!.shape[1]]), ...(queue.labels === null ? {} : { negativeLabels: queue.labels }) }),
      }),
    );

/** A random problem: V views of N samples, labels from `classes` classes, a queue of K rows with labels from the same classes. */
const problem = fc.record({
  n: fc.integer({ min: 1, max: 5 }),
  views: fc.integer({ min: 1, max: 3 }),
  d: fc.integer({ min: 1, max: 5 }),
  classes: fc.integer({ min: 1, max: 4 }),
  k: fc.integer({ min: 1, max: 6 }),
  temperature: fc.constantFrom(0.05, 0.1, 0.5, 1),
  variant: fc.constantFrom<SupConVariant>('out', 'in'),
  unlabelled: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});
type Problem = typeof problem extends fc.Arbitrary<infer T> ? T : never;

function draw(p: Problem, rows: (rng: Rng, n: number, d: number) => number[][] = randomRows): { views: number[][][]; labels: number[]; queue: Queue; rng: Rng } {
  const rng = Rng.fromSeed(p.seed);
  const views = Array.from({ length: p.views }, () => rows(rng, p.n, p.d));
  // with `unlabelled`, batch labels may be -1 too: a -1 queue row must still never be a positive
  const labels = Array.from({ length: p.n }, () => (p.unlabelled && rng.uniform(0, 1) < 0.3 ? -1 : rng.int(0, p.classes)));
  // some queue rows unlabelled (-1) when `unlabelled`
  const queueLabels = Array.from({ length: p.k }, () => (p.unlabelled && rng.uniform(0, 1) < 0.3 ? -1 : rng.int(0, p.classes)));
  return { views, labels, queue: { rows: randomRows(rng, p.k, p.d), labels: queueLabels }, rng };
}

describe.each(ENGINES)('supCon with a labelled queue on %s', (engine) => {
  beforeAll(async () => {
    await initBackend({ prefer: engine });
  });

  it.each(fixtures.map((f) => [f.file, f] as const))('matches the float64 fixture %s (loss 1e-5, gradients 1e-4)', (_, f) => {
    const queue = { rows: f.queue as number[][], labels: f.queue_labels as number[] };
    const { loss: value, grads } = lossAndGrads(loss(f.temperature, f.labels!, 'out', queue), f.views!);
    expectRelClose(value, f.loss, 1e-5);
    f.grad_views!.forEach((g, v) => expectGradClose(grads[v]!, g, 1e-4));
  });

  it('equals the naive loop reference on random inputs (any V, both variants, unlabelled rows)', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { views, labels, queue } = draw(p);
        const expected = naiveSupCon(views, labels, p.temperature, p.variant, queue);
        const actual = lossOf(loss(p.temperature, labels, p.variant, queue), views);
        if (expected === 0) expect(actual).toBe(0);
        else expectLossClose(actual, expected, p.temperature);
      }),
      { numRuns: 30 },
    );
  });

  it('has the gradient of the naive reference (central finite differences; the queue is fixed)', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { views, labels, queue } = draw(p, wellScaledRows);
        fc.pre(naiveSupCon(views, labels, p.temperature, p.variant, queue) !== 0);
        const reference = finiteDifferenceGrads((vs) => naiveSupCon(vs, labels, p.temperature, p.variant, queue), views);
        const { grads } = lossAndGrads(loss(p.temperature, labels, p.variant, queue), views);
        reference.forEach((g, v) => expectGradClose(grads[v]!, g, 1e-3, 1e-5 / p.temperature));
      }),
      { numRuns: 15 },
    );
  });

  it('sends no gradient to the queue rows (stop-gradient)', () => {
    const rng = Rng.fromSeed(2);
    const f = (z1: tf.Tensor2D, z2: tf.Tensor2D, q: tf.Tensor2D) => supCon([z1, z2], [0, 1, 0, 1], { temperature: 0.2, negatives: q, negativeLabels: [0, 1, 1, 2, 0] });
    const grads = gradsThroughAll(f, [randomRows(rng, 4, 3), randomRows(rng, 4, 3), randomRows(rng, 5, 3)]);
    expect(grads[0]!.some((g) => g !== 0)).toBe(true);
    expect(grads[2]!.every((g) => g === 0)).toBe(true);
  });

  it('checkValues: false keeps label tensors on the device: same loss and gradients, no read-back', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { views, labels, queue } = draw(p, wellScaledRows);
        const host = lossAndGrads(loss(p.temperature, labels, p.variant, queue), views);
        const ids = tf.tensor1d(labels, 'int32');
        const queueIds = tf.tensor1d(queue.labels!, 'float32');
        const rows = tf.tensor2d(queue.rows);
        const proto = tf.Tensor.prototype as unknown as { dataSync: (this: tf.Tensor) => unknown };
        const dataSync = proto.dataSync;
        let reads = 0;
        proto.dataSync = function (this: tf.Tensor) {
          if (this === ids || this === queueIds) reads++;
          return dataSync.call(this);
        };
        let device: { loss: number; grads: Float32Array[] };
        try {
          device = lossAndGrads(
            (...vs) => supCon(vs, ids, { temperature: p.temperature, variant: p.variant, checkValues: false, negatives: rows, negativeLabels: queueIds }),
            views,
          );
        } finally {
          proto.dataSync = dataSync;
          tf.dispose([ids, queueIds, rows]);
        }
        expect(reads).toBe(0);
        expectLossClose(device.loss, host.loss, p.temperature);
        device.grads.forEach((g, v) => host.grads[v]!.forEach((e, i) => expect(Math.abs((g[i] as number) - e)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(e)))));
      }),
      { numRuns: 15 },
    );
  });

  it('trains: plain SGD on free embeddings against a fixed labelled queue lowers the loss', () => {
    const rng = Rng.fromSeed(8);
    const labels = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
    const negatives = tf.tensor2d(randomRows(rng, 12, 4));
    const negativeLabels = tf.tensor1d([0, 1, 2, -1, 0, 1, 2, 0, 1, 2, 3, 3], 'int32');
    const views = [randomRows(rng, 6, 4), randomRows(rng, 6, 4)];
    const losses = sgdLosses((...vs) => supCon(vs, labels, { temperature: 0.5, negatives, negativeLabels }), views, 2);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! - 0.3);
    tf.dispose([labels, negatives, negativeLabels]);
  });

  it('leaves no tensor behind, forward or backward, with labelled, unlabelled and empty queues', () => {
    const rng = Rng.fromSeed(1);
    const views = [tf.tensor2d(randomRows(rng, 4, 3)), tf.tensor2d(randomRows(rng, 4, 3))];
    const labels = tf.tensor1d([0, 1, 0, 1], 'int32');
    const negatives = tf.tensor2d(randomRows(rng, 5, 3));
    const empty = tf.zeros([0, 3]) as tf.Tensor2D;
    const negativeLabels = tf.tensor1d([1, -1, 0, 3, 1], 'int32');
    for (const variant of ['out', 'in'] as const) {
      for (const extra of [{ negatives, negativeLabels }, { negatives }, { negatives: empty }, { negatives: empty, negativeLabels: [] }]) {
        const options = { temperature: 0.5, variant, ...extra };
        expectNoLeak(() => supCon(views, labels, options));
        expectNoLeak(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => supCon([a, b] as tf.Tensor2D[], labels, options))(views));
      }
    }
    expectNoLeak(() => supCon(views, undefined, { temperature: 0.5, negatives }));
    expectNoLeak(() => {
      expect(() => supCon(views, labels, { temperature: 0.5, negatives, negativeLabels: [1, 2] })).toThrow(ShapeError);
    });
    tf.dispose([...views, labels, negatives, empty, negativeLabels]);
  });
});

describe.each(ENGINES)('supCon queue laws on %s (fast-check)', (engine) => {
  beforeAll(async () => {
    await initBackend({ prefer: engine });
  });

  it('an empty queue ([0, D], with or without labels) equals SupCon without one, loss and gradients', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { views, labels } = draw(p, wellScaledRows);
        const plain = lossAndGrads(loss(p.temperature, labels, p.variant, null), views);
        for (const queue of [{ rows: [], labels: [] }, { rows: [], labels: null }]) {
          const queued = lossAndGrads(loss(p.temperature, labels, p.variant, queue), views);
          expect(queued.loss).toBe(plain.loss);
          queued.grads.forEach((g, v) => expect(Array.from(g)).toEqual(Array.from(plain.grads[v]!)));
        }
      }),
      { numRuns: 20 },
    );
  });

  it('a queue whose labels match no anchor (or are all -1) equals the same rows as plain negatives', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { views, labels, queue } = draw(p, wellScaledRows);
        const plain = lossAndGrads(loss(p.temperature, labels, p.variant, { rows: queue.rows, labels: null }), views);
        for (const other of [queue.labels!.map((l) => 1000 + Math.abs(l)), queue.labels!.map(() => -1)]) {
          const foreign = lossAndGrads(loss(p.temperature, labels, p.variant, { rows: queue.rows, labels: other }), views);
          expectLossClose(foreign.loss, plain.loss, p.temperature, 1e-6);
          foreign.grads.forEach((g, v) => expectGradClose(g, [Array.from(plain.grads[v]!)], 1e-5, 1e-6));
        }
        // and the plain negatives are exactly the naive reference's negatives
        expectLossClose(plain.loss, naiveSupCon(views, labels, p.temperature, p.variant, { rows: queue.rows, labels: null }), p.temperature);
      }),
      { numRuns: 20 },
    );
  });

  it('plain negatives only raise L_out (each adds to every denominator)', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { views, labels, queue } = draw(p);
        const plain = lossOf(loss(p.temperature, labels, 'out', null), views);
        fc.pre(plain > 0);
        const withNegatives = lossOf(loss(p.temperature, labels, 'out', { rows: queue.rows, labels: null }), views);
        expect(withNegatives).toBeGreaterThanOrEqual(plain * (1 - 1e-6));
      }),
      { numRuns: 20 },
    );
  });

  it('permuting the queue rows with their labels, or rescaling them, leaves the loss unchanged; gradients stay orthogonal', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const { views, labels, queue, rng } = draw(p);
        const expected = lossOf(loss(p.temperature, labels, p.variant, queue), views);
        const perm = Array.from(rng.permutation(p.k));
        const rescaled = (row: number[]) => {
          const s = 10 ** rng.uniform(-4, 4);
          return row.map((x) => x * s);
        };
        const shuffled = { rows: perm.map((i) => rescaled(queue.rows[i]!)), labels: perm.map((i) => queue.labels![i]!) };
        expectLossClose(lossOf(loss(p.temperature, labels, p.variant, shuffled), views), expected, p.temperature);
        const { grads } = lossAndGrads(loss(p.temperature, labels, p.variant, queue), views);
        expectOrthogonalGradients(views, grads);
      }),
      { numRuns: 20 },
    );
  });

  it('two-view SupCon is the mean of one view against the other as a labelled queue, each way (both variants)', () => {
    // Anchor i of view 1 sees the same contrast set and positives in supCon([z1, z2]) as in
    // supCon([z1]) against the queue z2 labelled with the batch labels, and every anchor has a
    // positive (its own sample) either way, so the 2N-anchor mean splits into the two N-anchor means.
    fc.assert(
      fc.property(problem, (p) => {
        const { views, labels } = draw({ ...p, views: 2, unlabelled: false }); // no -1 labels: those are never queue positives
        const [z1, z2] = views as [number[][], number[][]];
        const both = lossOf(loss(p.temperature, labels, p.variant, null), [z1, z2]);
        const oneWay = lossOf(loss(p.temperature, labels, p.variant, { rows: z2, labels }), [z1]);
        const otherWay = lossOf(loss(p.temperature, labels, p.variant, { rows: z1, labels }), [z2]);
        expectLossClose((oneWay + otherWay) / 2, both, p.temperature);
      }),
      { numRuns: 20 },
    );
  });
});

describe('supCon queue options and bad input (cpu)', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu' });
  });
  const rng = Rng.fromSeed(5);
  const a = randomRows(rng, 4, 3);
  const q = randomRows(rng, 6, 3);

  it('rejects bad negatives and negativeLabels, naming them', () => {
    tf.tidy(() => {
      const z = tf.tensor2d(a);
      const rows = tf.tensor2d(q);
      const labels = [0, 1, 0, 1];
      const wide = tf.tensor2d(randomRows(rng, 6, 5));
      expectTypedError(() => supCon([z, z], labels, { temperature: 0.1, negatives: wide }), ShapeError, 'options.negatives', wide);
      const flat = tf.tensor1d([1, 2, 3]);
      expectTypedError(() => supCon([z, z], labels, { temperature: 0.1, negatives: flat as never }), ShapeError, 'options.negatives', flat);
      const withNaN = tf.tensor2d([q[0]!, [Number.NaN, 1, 1]]);
      expectTypedError(() => supCon([z, z], labels, { temperature: 0.1, negatives: withNaN }), NonFiniteError, 'options.negatives', withNaN);
      const withZero = tf.tensor2d([q[0]!, [0, 0, 0]]);
      expectTypedError(() => supCon([z, z], labels, { temperature: 0.1, negatives: withZero }), ArgumentError, 'options.negatives', withZero);
      expectTypedError(() => supCon([z, z], labels, { temperature: 0.1, negatives: rows, negativeLabels: [0, 1] }), ShapeError, 'options.negativeLabels');
      expectTypedError(() => supCon([z, z], labels, { temperature: 0.1, negatives: rows, negativeLabels: [0, 1, 2, 0.5, 1, 1] }), ArgumentError, 'options.negativeLabels', 0.5);
      expectTypedError(() => supCon([z, z], labels, { temperature: 0.1, negativeLabels: [0, 1, 2, 0, 1, 1] }), ArgumentError, 'options.negativeLabels');
      expectTypedError(() => supCon([z, z], undefined, { temperature: 0.1, negatives: rows, negativeLabels: [0, 1, 2, 0, 1, 1] }), ArgumentError, 'labels', undefined);
      expectTypedError(() => supCon([z, z], labels, { temperature: 0.1, negativelabels: [0] } as never), ArgumentError, 'options.negativelabels');
      expectTypedError(() => supCon([z, z], labels, { temperature: 0.1, queue: rows } as never), ArgumentError, 'options.queue', rows);
    });
  });

  it('without labels, queue rows are plain negatives (every sample its own class), as the reference', () => {
    const views = [a, randomRows(rng, 4, 3)];
    const value = lossOf(loss(0.3, null, 'out', { rows: q, labels: null }), views);
    expectLossClose(value, naiveSupCon(views, null, 0.3, 'out', { rows: q, labels: null }), 0.3);
    expect(value).toBeGreaterThan(lossOf(loss(0.3, null, 'out', null), views));
  });
});
