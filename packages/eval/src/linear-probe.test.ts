import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, NonFiniteError, Rng, ShapeError } from '@contrastive/core';
import { linear, linearProbe, type LinearProbeOptions } from './linear-probe.js';
import { fitStandardizer, standardize } from './standardize.js';
import { columnStatsRef } from './reference.js';
import { expectNoLeak, expectNoLeakAsync, normalMatrix, startEngine } from '../test/helpers.js';

beforeAll(startEngine);

/**
 * Linearly separable data: labels are argmax(x·W*) for a random W*, keeping only points whose
 * best logit beats the runner-up by `margin`; features are then shifted and scaled per column
 * (a standardiser must undo that).
 */
function separable(rng: Rng, n: number, d: number, classes: number, margin = 0.5): { x: number[][]; y: number[] } {
  const wStar = normalMatrix(rng, d, classes);
  const shift = Array.from(rng.normalArray(d, 0, 5));
  const scale = Array.from({ length: d }, () => rng.uniform(0.2, 20));
  const x: number[][] = [];
  const y: number[] = [];
  while (x.length < n) {
    const p = Array.from(rng.normalArray(d));
    const logits = wStar[0]!.map((_, c) => p.reduce((s, v, k) => s + v * wStar[k]![c]!, 0));
    const sorted = [...logits].sort((a, b) => b - a);
    if (sorted[0]! - sorted[1]! < margin) continue;
    x.push(p.map((v, k) => v * scale[k]! + shift[k]!));
    y.push(logits.indexOf(sorted[0]!));
  }
  return { x, y };
}

async function probeOn(
  data: { train: number[][]; trainY: number[]; test: number[][]; testY: number[] },
  extra: Partial<LinearProbeOptions> & { rng: Rng },
) {
  const trainFeatures = tf.tensor2d(data.train);
  const testFeatures = tf.tensor2d(data.test);
  try {
    return await linearProbe({ trainFeatures, trainLabels: data.trainY, testFeatures, testLabels: data.testY, ...extra });
  } finally {
    tf.dispose([trainFeatures, testFeatures]);
  }
}

describe('linearProbe', () => {
  it('reaches accuracy 1.0 on linearly separable data (train and test)', async () => {
    const rng = Rng.fromSeed(1);
    const all = separable(rng, 240, 8, 3);
    const data = { train: all.x.slice(0, 180), trainY: all.y.slice(0, 180), test: all.x.slice(180), testY: all.y.slice(180) };
    const result = await probeOn(data, { epochs: 30, lr: 0.05, batchSize: 64, rng: Rng.fromSeed(2) });
    expect(result.trainAccuracy).toBe(1);
    expect(result.testAccuracy).toBe(1);
    expect(result.losses.length).toBe(30);
    expect(result.losses.at(-1)!).toBeLessThan(result.losses[0]!);
    // SGD with momentum gets there too.
    const sgd = await probeOn(data, { epochs: 30, lr: 0.1, batchSize: 64, optimizer: 'sgd', rng: Rng.fromSeed(2) });
    expect(sgd.trainAccuracy).toBe(1);
    expect(sgd.testAccuracy).toBe(1);
  });

  it('standardises with training statistics only', async () => {
    // 1-D, two classes split at x = 0 on the training set; the test set is the same points
    // shifted by +10. With train statistics every test point lands on the class-1 side
    // (accuracy 0.5); had the test set been standardised with its own statistics, it would
    // be centred again and classified perfectly.
    const train = [-1, -0.8, -0.6, -0.4, -0.2, 0.2, 0.4, 0.6, 0.8, 1].map((v) => [v]);
    const trainY = train.map(([v]) => (v! > 0 ? 1 : 0));
    const test = train.map(([v]) => [v! + 10]);
    const result = await probeOn({ train, trainY, test, testY: trainY }, { epochs: 40, lr: 0.2, batchSize: 10, rng: Rng.fromSeed(3) });
    expect(result.trainAccuracy).toBe(1);
    expect(result.testAccuracy).toBe(0.5);
    expect(Array.from(result.testPredictions)).toEqual(new Array(10).fill(1));
    const ref = columnStatsRef(train);
    expect(result.standardizer.mean[0]).toBeCloseTo(ref.mean[0]!, 6);
    expect(result.standardizer.std[0]).toBeCloseTo(ref.std[0]!, 6);
    // Changing the test features changes nothing about the fitted standardiser or classifier.
    const other = await probeOn({ train, trainY, test: test.map(([v]) => [v! * -3]), testY: trainY }, { epochs: 40, lr: 0.2, batchSize: 10, rng: Rng.fromSeed(3) });
    expect(Array.from(other.standardizer.mean)).toEqual(Array.from(result.standardizer.mean));
    expect(Array.from(other.weights.kernel)).toEqual(Array.from(result.weights.kernel));
  });

  it('is deterministic for a seed; another seed shuffles differently', async () => {
    const rng = Rng.fromSeed(4);
    const all = separable(rng, 80, 5, 4, 0.1);
    const data = { train: all.x.slice(0, 60), trainY: all.y.slice(0, 60), test: all.x.slice(60), testY: all.y.slice(60) };
    const opts = { epochs: 5, lr: 0.01, batchSize: 8, weightDecay: 1e-3 };
    const a = await probeOn(data, { ...opts, rng: Rng.fromSeed(10) });
    const b = await probeOn(data, { ...opts, rng: Rng.fromSeed(10) });
    const c = await probeOn(data, { ...opts, rng: Rng.fromSeed(11) });
    expect(b.losses).toEqual(a.losses);
    expect(Array.from(b.weights.kernel)).toEqual(Array.from(a.weights.kernel));
    expect(Array.from(b.testPredictions)).toEqual(Array.from(a.testPredictions));
    expect(c.losses).not.toEqual(a.losses);
  });

  it('weight decay shrinks the classifier', async () => {
    const all = separable(Rng.fromSeed(5), 60, 4, 2);
    const data = { train: all.x, trainY: all.y, test: all.x, testY: all.y };
    const norm = (k: Float32Array) => Math.sqrt(k.reduce((s, v) => s + v * v, 0));
    const free = await probeOn(data, { epochs: 40, lr: 0.05, batchSize: 60, rng: Rng.fromSeed(1) });
    const decayed = await probeOn(data, { epochs: 40, lr: 0.05, batchSize: 60, weightDecay: 0.5, rng: Rng.fromSeed(1) });
    expect(norm(decayed.weights.kernel)).toBeLessThan(0.8 * norm(free.weights.kernel));
  });

  it('frees every tensor and variable, also when aborted, and reports each epoch', async () => {
    const all = separable(Rng.fromSeed(6), 40, 3, 2);
    const trainFeatures = tf.tensor2d(all.x);
    const seen: number[] = [];
    await expectNoLeakAsync(() =>
      linearProbe({ trainFeatures, trainLabels: all.y, testFeatures: trainFeatures, testLabels: all.y, epochs: 3, batchSize: 7, rng: Rng.fromSeed(0), onEpochEnd: (e) => seen.push(e) }),
    );
    expect(seen).toEqual([0, 1, 2]);
    await expectNoLeakAsync(() =>
      linearProbe({ trainFeatures, trainLabels: all.y, testFeatures: trainFeatures, testLabels: all.y, epochs: 2, optimizer: 'sgd', weightDecay: 0.1, rng: Rng.fromSeed(0) }),
    );
    const controller = new AbortController();
    const reason = new Error('stop');
    await expectNoLeakAsync(async () => {
      await expect(
        linearProbe({
          trainFeatures, trainLabels: all.y, testFeatures: trainFeatures, testLabels: all.y, epochs: 50, rng: Rng.fromSeed(0),
          signal: controller.signal,
          onEpochEnd: (e) => { if (e === 1) controller.abort(reason); },
        }),
      ).rejects.toBe(reason);
    });
    trainFeatures.dispose();
  });

  it('rejects bad arguments by name', async () => {
    const x = tf.tensor2d([[0, 1], [1, 0], [1, 1], [0, 0]]);
    const x3 = tf.zeros([4, 3]) as tf.Tensor2D;
    const nan = tf.tensor2d([[0, Number.NaN], [1, 0], [1, 1], [0, 0]]);
    const base = { trainFeatures: x, trainLabels: [0, 1, 0, 1], testFeatures: x, testLabels: [0, 1, 0, 1], rng: Rng.fromSeed(0), epochs: 1 };
    const cases: Array<[Partial<LinearProbeOptions>, new (...a: never[]) => Error, string]> = [
      [{ trainLabels: [0, 1, 0] }, ShapeError, 'trainLabels'],
      [{ testLabels: [0, 1, 0, 1, 1] }, ShapeError, 'testLabels'],
      [{ testLabels: [0, 1, 0, 5], numClasses: 2 }, ArgumentError, 'testLabels'],
      [{ trainLabels: [0, 0, 0, 0], testLabels: [0, 0, 0, 0] }, ArgumentError, 'numClasses'],
      [{ testFeatures: x3 }, ShapeError, 'testFeatures'],
      [{ trainFeatures: nan }, NonFiniteError, 'trainFeatures'],
      [{ epochs: 0 }, ArgumentError, 'epochs'],
      [{ lr: 0 }, ArgumentError, 'lr'],
      [{ weightDecay: -1 }, ArgumentError, 'weightDecay'],
      [{ batchSize: 1.5 }, ArgumentError, 'batchSize'],
      [{ optimizer: 'lbfgs' as 'adam' }, ArgumentError, 'optimizer'],
      [{ rng: 42 as unknown as Rng }, ArgumentError, 'rng'],
    ];
    for (const [patch, type, argument] of cases) {
      const before = tf.memory().numTensors;
      const err = await linearProbe({ ...base, ...patch } as LinearProbeOptions).then(() => undefined, (e: unknown) => e);
      expect(err, argument).toBeInstanceOf(type);
      expect((err as { argument: string }).argument).toBe(argument);
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.dispose([x, x3, nan]);
  });
});

describe('linear (x·W with explicitly transposed gradients)', () => {
  it('has the value and the gradients of tf.matMul', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 5 }), (seed, b, d, c) => {
        const rng = Rng.fromSeed(seed);
        const x = tf.tensor2d(normalMatrix(rng, b, d));
        const w = tf.tensor2d(normalMatrix(rng, d, c));
        const r = tf.tensor2d(normalMatrix(rng, b, c)); // a random cotangent
        const f = (g: (x: tf.Tensor, w: tf.Tensor) => tf.Tensor) => (xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(g(xx, ww), r));
        const before = tf.memory().numTensors;
        const mine = tf.grads(f(linear))([x, w]);
        const ref = tf.grads(f((a, bb) => tf.matMul(a as tf.Tensor2D, bb as tf.Tensor2D)))([x, w]);
        const values = [linear(x, w), tf.matMul(x, w)];
        for (let i = 0; i < 2; i++) {
          const a = mine[i]!.dataSync();
          const e = ref[i]!.dataSync();
          a.forEach((v, j) => expect(v).toBeCloseTo(e[j]!, 4));
        }
        values[0]!.dataSync().forEach((v, j) => expect(v).toBeCloseTo(values[1]!.dataSync()[j]!, 4));
        tf.dispose([...mine, ...ref, ...values]);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([x, w, r]);
      }),
      { numRuns: 15 },
    );
  });
});

describe('fitStandardizer / standardize', () => {
  it('match the column statistics of the loop reference; standardised columns have mean 0, std 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 2, max: 30 }), fc.integer({ min: 1, max: 6 }), (seed, n, d) => {
        const rng = Rng.fromSeed(seed);
        const x = normalMatrix(rng, n, d).map((row) => row.map((v, j) => v * (j + 1) + 3 * j));
        const t = tf.tensor2d(x);
        const stats = expectNoLeak(() => fitStandardizer(t));
        const ref = columnStatsRef(x);
        for (let j = 0; j < d; j++) {
          expect(stats.mean[j]).toBeCloseTo(ref.mean[j]!, 3);
          expect(stats.std[j]).toBeCloseTo(ref.std[j]!, 3);
        }
        const before = tf.memory().numTensors;
        const z = standardize(stats, t);
        expect(tf.memory().numTensors).toBe(before + 1);
        const zs = columnStatsRef(z.arraySync());
        tf.dispose([t, z]);
        for (let j = 0; j < d; j++) {
          // float32 cancellation in x − μ: error ~ ε · max|x| / σ.
          const tol = 1e-5 + (1e-6 * Math.max(...x.map((r) => Math.abs(r[j]!)))) / ref.std[j]!;
          expect(Math.abs(zs.mean[j]!)).toBeLessThanOrEqual(tol);
          expect(Math.abs(zs.std[j]! - 1)).toBeLessThanOrEqual(10 * tol);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('leaves constant columns unscaled and validates the statistics', () => {
    const t = tf.tensor2d([[5, 1], [5, 2], [5, 3]]);
    const stats = fitStandardizer(t);
    expect(stats.std[0]).toBe(1);
    const z = standardize(stats, t);
    expect(z.arraySync().map((r) => r[0])).toEqual([0, 0, 0]);
    expect(() => standardize({ mean: new Float32Array(3), std: new Float32Array(3).fill(1) }, t)).toThrow(ShapeError);
    expect(() => standardize({ mean: new Float32Array(2), std: new Float32Array(2) }, t)).toThrow(/'stats'/);
    tf.dispose([t, z]);
  });
});
