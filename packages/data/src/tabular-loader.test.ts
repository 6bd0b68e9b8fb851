import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { Rng } from '@contrastive/core';
import { disposeBatch } from './dataset.js';
import { subsetTabular, tabularBatch, type TabularDataset } from './tabular-dataset.js';
import { createTabularLoader } from './tabular-loader.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

/** Row i has features [i, -i] and label i mod 3. */
const rows = (n: number): TabularDataset => ({
  name: 'rows',
  features: Float32Array.from({ length: 2 * n }, (_, j) => (j % 2 === 0 ? j / 2 : -(j - 1) / 2)),
  labels: Uint8Array.from({ length: n }, (_, i) => i % 3),
  length: n,
  numFeatures: 2,
  featureNames: ['x', 'y'],
  classNames: ['a', 'b', 'c'],
});

describe('tabular batches', () => {
  it('tabularBatch: [B, F] float32 features and int32 labels of the requested rows; two tensors, no leak', () => {
    const before = tf.memory().numTensors;
    const b = tabularBatch(rows(5), [4, 1]);
    expect(b.images.shape).toEqual([2, 2]);
    expect(Array.from(b.images.dataSync())).toEqual([4, -4, 1, -1]);
    expect(Array.from(b.labels.dataSync())).toEqual([1, 1]);
    expect(b.labels.dtype).toBe('int32');
    expect(tf.memory().numTensors).toBe(before + 2);
    disposeBatch(b);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => tabularBatch(rows(5), [5])).toThrow(/indices/);
  });

  it('the loader visits every row once per epoch, seeded; features follow their row', () => {
    const ds = rows(10);
    const run = (seed: number): number[][] => {
      const out: number[][] = [];
      for (const b of createTabularLoader(ds, { batchSize: 4, rng: Rng.fromSeed(seed), epochs: 2 })) {
        const x = b.images.dataSync();
        Array.from(b.indices).forEach((k, i) => expect(x[2 * i]).toBe(k));
        out.push(Array.from(b.indices));
        disposeBatch(b);
      }
      return out;
    };
    const a = run(1);
    expect(a).toHaveLength(6);
    expect(a.slice(0, 3).flat().sort((p, q) => p - q)).toEqual([...Array(10).keys()]);
    expect(run(1)).toEqual(a);
    expect(run(2)).not.toEqual(a);
  });

  it('subsetTabular copies the rows in order', () => {
    const sub = subsetTabular(rows(6), [5, 0]);
    expect(Array.from(sub.features)).toEqual([5, -5, 0, -0]);
    expect(Array.from(sub.labels)).toEqual([2, 0]);
    expect(sub.length).toBe(2);
  });
});
