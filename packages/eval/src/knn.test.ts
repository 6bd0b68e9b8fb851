import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, NonFiniteError, Rng, ShapeError } from '@contrastive/core';
import { knnAccuracy, knnClassify, knnVotes } from './knn.js';
import { knnReference } from './reference.js';
import { expectArgError, expectNoLeak, gaussianBlobs, normalMatrix, randomLabels, startEngine } from '../test/helpers.js';

beforeAll(startEngine);

/** A random kNN problem drawn from a seed. */
function problem(seed: number) {
  const rng = Rng.fromSeed(seed);
  const n = rng.int(1, 60);
  const m = rng.int(1, 20);
  const d = rng.int(1, 9);
  const classes = rng.int(1, 6);
  const k = rng.int(1, n + 1);
  const temperature = [0.001, 0.05, 0.1, 0.5, 2][rng.int(0, 5)] as number;
  const chunkSize = rng.int(1, m + 1);
  return {
    train: normalMatrix(rng, n, d),
    trainLabels: randomLabels(rng, n, classes),
    test: normalMatrix(rng, m, d),
    testLabels: randomLabels(rng, m, classes),
    k,
    temperature,
    classes,
    chunkSize,
  };
}

describe('knnClassify', () => {
  it('matches the brute-force reference (votes and predictions) on random data', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (seed) => {
        const p = problem(seed);
        const trainFeatures = tf.tensor2d(p.train);
        const testFeatures = tf.tensor2d(p.test);
        const options = {
          trainFeatures,
          trainLabels: p.trainLabels,
          testFeatures,
          k: p.k,
          temperature: p.temperature,
          numClasses: p.classes,
          chunkSize: p.chunkSize,
        };
        const votes = knnVotes('test', options);
        const pred = knnClassify(options);
        trainFeatures.dispose();
        testFeatures.dispose();
        const ref = knnReference(p.train, p.trainLabels, p.test, p.k, p.temperature, p.classes);
        // float32 similarities carry ~1e-7 absolute error, which exp(s/τ) turns into ~1e-7/τ relative.
        const tol = 1e-5 + 1e-6 / p.temperature;
        for (let i = 0; i < p.test.length; i++) {
          const row = ref.scores[i] as number[];
          const scale = Math.max(...row);
          for (let c = 0; c < p.classes; c++) {
            expect(Math.abs((votes.scores[i * p.classes + c] as number) - (row[c] as number))).toBeLessThanOrEqual(tol * scale);
          }
          // float32 vs float64 may only disagree when the two best totals are within rounding.
          const sorted = [...row].sort((a, b) => b - a);
          const margin = sorted.length > 1 ? ((sorted[0] as number) - (sorted[1] as number)) / scale : 1;
          if (margin > 2 * tol) expect(pred[i]).toBe(ref.predictions[i]);
          else expect(row[pred[i] as number]).toBeGreaterThanOrEqual((sorted[0] as number) * (1 - 2 * tol));
        }
      }),
      { numRuns: 25 },
    );
  });

  it('breaks ties by lower training index (neighbours) and lowest class (vote), as the reference does', () => {
    // Every training row points along e1 and the query along e2: all similarities are exactly
    // 0, every weight is exactly exp(0) = 1, so votes are integer counts and ties are exact.
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.float({ min: Math.fround(0.1), max: Math.fround(10), noNaN: true }), { minLength: 30, maxLength: 30 }),
        fc.integer({ min: 1, max: 30 }),
        (labels, scales, kRaw) => {
          const n = labels.length;
          const k = Math.min(kRaw, n);
          const train = labels.map((_, i) => [scales[i] as number, 0]);
          const trainFeatures = tf.tensor2d(train);
          const testFeatures = tf.tensor2d([[0, 3]]);
          const pred = knnClassify({ trainFeatures, trainLabels: labels, testFeatures, k, numClasses: 4 });
          trainFeatures.dispose();
          testFeatures.dispose();
          // The k nearest are the first k rows; the most frequent label among them wins, lowest on ties.
          const counts = [0, 0, 0, 0];
          for (let j = 0; j < k; j++) counts[labels[j] as number]! += 1;
          const expected = counts.indexOf(Math.max(...counts));
          expect(pred[0]).toBe(expected);
          expect(pred[0]).toBe(knnReference(train, labels, [[0, 3]], k, 0.1, 4).predictions[0]);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('takes the lower-index duplicate when the k-th neighbour is tied', () => {
    const trainFeatures = tf.tensor2d([[1, 0], [2, 0], [0, 1]]);
    const testFeatures = tf.tensor2d([[1, 0]]);
    // Rows 0 and 1 are both at similarity 1; k = 1 keeps row 0 (label 2), not row 1 (label 1).
    expect(Array.from(knnClassify({ trainFeatures, trainLabels: [2, 1, 0], testFeatures, k: 1 }))).toEqual([2]);
    expect(Array.from(knnClassify({ trainFeatures, trainLabels: [1, 2, 0], testFeatures, k: 1 }))).toEqual([1]);
    // k = 2: one vote each with equal weight: the lower class wins.
    expect(Array.from(knnClassify({ trainFeatures, trainLabels: [2, 1, 0], testFeatures, k: 2 }))).toEqual([1]);
    tf.dispose([trainFeatures, testFeatures]);
  });

  it('classifies separable Gaussian blobs perfectly', () => {
    const blobs = gaussianBlobs(Rng.fromSeed(7), 4, 40, 16);
    // Rows are interleaved by class: the first 120 rows train, the last 40 test.
    const trainFeatures = tf.tensor2d(blobs.x.slice(0, 120));
    const testFeatures = tf.tensor2d(blobs.x.slice(120));
    const acc = knnAccuracy({ trainFeatures, trainLabels: blobs.y.slice(0, 120), testFeatures, testLabels: blobs.y.slice(120), k: 20 });
    expect(acc).toBe(1);
    tf.dispose([trainFeatures, testFeatures]);
  });

  it('gives the same predictions for every chunk size (law: chunking is invisible)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 25 }), (seed, chunkSize) => {
        const p = problem(seed);
        const trainFeatures = tf.tensor2d(p.train);
        const testFeatures = tf.tensor2d(p.test);
        const base = { trainFeatures, trainLabels: p.trainLabels, testFeatures, k: p.k, numClasses: p.classes };
        const whole = knnVotes('test', base).scores;
        const chunked = knnVotes('test', { ...base, chunkSize }).scores;
        tf.dispose([trainFeatures, testFeatures]);
        expect(Array.from(chunked)).toEqual(Array.from(whole));
      }),
      { numRuns: 15 },
    );
  });

  it('is invariant to positive rescaling of feature rows (cosine similarity)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (seed) => {
        const p = problem(seed);
        const rng = Rng.fromSeed(seed + 1);
        const scaled = (rows: number[][]) => rows.map((r) => {
          const s = rng.uniform(0.5, 4);
          return r.map((v) => v * s);
        });
        const opts = (train: number[][], test: number[][]) => ({
          trainFeatures: tf.tensor2d(train),
          trainLabels: p.trainLabels,
          testFeatures: tf.tensor2d(test),
          k: p.k,
          numClasses: p.classes,
        });
        const a = opts(p.train, p.test);
        const b = opts(scaled(p.train), scaled(p.test));
        const va = knnVotes('test', a).scores;
        const vb = knnVotes('test', b).scores;
        tf.dispose([a.trainFeatures, a.testFeatures, b.trainFeatures, b.testFeatures]);
        // exp(s/τ) amplifies float32 rounding of s by 1/τ: compare relative to the row's largest vote.
        for (let i = 0; i < va.length; i++) {
          const row = Math.floor(i / p.classes) * p.classes;
          const scale = Math.max(...Array.from(va.subarray(row, row + p.classes)));
          expect(Math.abs((vb[i] as number) - (va[i] as number))).toBeLessThanOrEqual(1e-4 * scale);
        }
      }),
      { numRuns: 10 },
    );
  });

  it('accepts labels as a tensor, an Int32Array or an array alike', () => {
    const p = problem(11);
    const trainFeatures = tf.tensor2d(p.train);
    const testFeatures = tf.tensor2d(p.test);
    const labelsT = tf.tensor1d(p.trainLabels, 'int32');
    const common = { trainFeatures, testFeatures, k: p.k, numClasses: p.classes };
    const a = knnClassify({ ...common, trainLabels: p.trainLabels });
    const b = knnClassify({ ...common, trainLabels: Int32Array.from(p.trainLabels) });
    const c = knnClassify({ ...common, trainLabels: labelsT });
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).toEqual(Array.from(a));
    tf.dispose([trainFeatures, testFeatures, labelsT]);
  });

  it('does not leak tensors and does not dispose its inputs', () => {
    const p = problem(3);
    const trainFeatures = tf.tensor2d(p.train);
    const testFeatures = tf.tensor2d(p.test);
    const labelsT = tf.tensor1d(p.trainLabels, 'int32');
    expectNoLeak(() => knnClassify({ trainFeatures, trainLabels: labelsT, testFeatures, k: p.k, chunkSize: 2 }));
    expectNoLeak(() => knnAccuracy({ trainFeatures, trainLabels: labelsT, testFeatures, testLabels: p.testLabels, k: p.k }));
    // Errors thrown mid-way do not leak either.
    expectNoLeak(() => expect(() => knnClassify({ trainFeatures, trainLabels: labelsT, testFeatures, k: p.train.length + 1 })).toThrow());
    expect(trainFeatures.isDisposed || testFeatures.isDisposed || labelsT.isDisposed).toBe(false);
    tf.dispose([trainFeatures, testFeatures, labelsT]);
  });

  it('knnAccuracy equals the fraction of reference predictions that match', () => {
    const p = problem(5);
    const trainFeatures = tf.tensor2d(p.train);
    const testFeatures = tf.tensor2d(p.test);
    const acc = knnAccuracy({ trainFeatures, trainLabels: p.trainLabels, testFeatures, testLabels: p.testLabels, k: p.k, temperature: p.temperature, numClasses: p.classes });
    const ref = knnReference(p.train, p.trainLabels, p.test, p.k, p.temperature, p.classes);
    const expected = ref.predictions.filter((y, i) => y === p.testLabels[i]).length / p.test.length;
    expect(acc).toBeCloseTo(expected, 10);
    tf.dispose([trainFeatures, testFeatures]);
  });
});

describe('knnClassify input validation', () => {
  it('names the offending argument', () => {
    const train = tf.randomNormal([10, 4], 0, 1, 'float32', 1) as tf.Tensor2D;
    const test = tf.randomNormal([3, 4], 0, 1, 'float32', 2) as tf.Tensor2D;
    const labels = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0];
    const base = { trainFeatures: train, trainLabels: labels, testFeatures: test };
    expectArgError(() => knnClassify({ ...base, k: 11 }), ArgumentError, 'k');
    expectArgError(() => knnClassify({ ...base, k: 0 }), ArgumentError, 'k');
    expectArgError(() => knnClassify({ ...base, k: 2.5 }), ArgumentError, 'k');
    expectArgError(() => knnClassify({ ...base, k: 5, temperature: 0 }), ArgumentError, 'temperature');
    expectArgError(() => knnClassify({ ...base, k: 5, temperature: -0.1 }), ArgumentError, 'temperature');
    expectArgError(() => knnClassify({ ...base, k: 5, temperature: Number.NaN }), ArgumentError, 'temperature');
    expectArgError(() => knnClassify({ ...base, k: 5, numClasses: 2 }), ArgumentError, 'trainLabels');
    expectArgError(() => knnClassify({ ...base, k: 5, numClasses: 0 }), ArgumentError, 'numClasses');
    expectArgError(() => knnClassify({ ...base, k: 5, trainLabels: labels.slice(1) }), ShapeError, 'trainLabels');
    expectArgError(() => knnClassify({ ...base, k: 5, trainLabels: [...labels.slice(1), -1] }), ArgumentError, 'trainLabels');
    expectArgError(() => knnClassify({ ...base, k: 5, trainLabels: [...labels.slice(1), 0.5] }), ArgumentError, 'trainLabels');
    expectArgError(() => knnClassify({ ...base, k: 5, chunkSize: 0 }), ArgumentError, 'chunkSize');
    expectArgError(() => knnAccuracy({ ...base, k: 5, testLabels: [0, 1] }), ShapeError, 'testLabels');
    const wide = tf.zeros([3, 5]) as tf.Tensor2D;
    expectArgError(() => knnClassify({ ...base, testFeatures: wide, k: 5 }), ShapeError, 'testFeatures');
    const flat = tf.zeros([10]);
    expectArgError(() => knnClassify({ ...base, trainFeatures: flat as unknown as tf.Tensor2D, k: 5 }), ShapeError, 'trainFeatures');
    const withNaN = tf.tensor2d([[1, Number.NaN, 0, 0]]);
    expectArgError(() => knnClassify({ ...base, testFeatures: withNaN, k: 5 }), NonFiniteError, 'testFeatures');
    const ints = tf.zeros([10, 4], 'int32') as tf.Tensor2D;
    expectArgError(() => knnClassify({ ...base, trainFeatures: ints, k: 5 }), ShapeError, 'trainFeatures');
    expectArgError(() => knnClassify({ ...base, trainLabels: 'abc' as unknown as number[], k: 5 }), ArgumentError, 'trainLabels');
    expectArgError(() => knnClassify(null as unknown as Parameters<typeof knnClassify>[0]), ArgumentError, 'options');
    tf.dispose([wide, flat, withNaN, ints, train, test]);
  });
});
