import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, NonFiniteError, Rng } from '@contrastive/core';
import { embedding2d, type Point2D } from './embedding2d.js';
import { expectArgError, gaussianBlobs, startEngine } from '../test/helpers.js';

beforeAll(startEngine);

/** Leave-one-out 1-nearest-neighbour accuracy in the plane (a loop; the sets are small). */
function oneNnAccuracy(points: readonly Point2D[], labels: readonly number[]): number {
  let correct = 0;
  points.forEach(([x, y], i) => {
    let best = -1;
    let bestD = Infinity;
    points.forEach(([u, v], j) => {
      const d = (x - u) ** 2 + (y - v) ** 2;
      if (j !== i && d < bestD) {
        bestD = d;
        best = j;
      }
    });
    if (labels[best] === labels[i]) correct++;
  });
  return correct / points.length;
}

describe('embedding2d (UMAP via umap-js)', () => {
  const blobs = gaussianBlobs(Rng.fromSeed(1), 4, 25, 16);
  const fast = { nNeighbors: 8, nEpochs: 150 } as const;

  it('is reproducible from the seed and differs for another seed', () => {
    const a = embedding2d(blobs.x, { ...fast, rng: Rng.fromSeed(5) });
    const b = embedding2d(blobs.x, { ...fast, rng: Rng.fromSeed(5) });
    const c = embedding2d(blobs.x, { ...fast, rng: Rng.fromSeed(6) });
    expect(a.length).toBe(100);
    expect(a.every((p) => p.length === 2 && p.every(Number.isFinite))).toBe(true);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('keeps separable classes apart in the plane', () => {
    const points = embedding2d(blobs.x, { ...fast, method: 'umap', minDist: 0.1, rng: Rng.fromSeed(7) });
    expect(oneNnAccuracy(points, blobs.y)).toBeGreaterThanOrEqual(0.95);
  });

  it('gives the same map for a tensor and for nested arrays, without leaking', () => {
    const t = tf.tensor2d(blobs.x);
    const before = tf.memory().numTensors;
    const fromTensor = embedding2d(t, { ...fast, rng: Rng.fromSeed(3) });
    expect(tf.memory().numTensors).toBe(before);
    // The same float32 numbers as plain arrays give the identical map.
    const asFloat32 = blobs.x.map((row) => row.map(Math.fround));
    const fromArrays = embedding2d(asFloat32, { ...fast, rng: Rng.fromSeed(3) });
    t.dispose();
    expect(fromTensor).toEqual(fromArrays);
  });

  it('rejects bad arguments by name', () => {
    const rng = Rng.fromSeed(0);
    const small = blobs.x.slice(0, 10);
    expectArgError(() => embedding2d(blobs.x, {} as unknown as { rng: Rng }), ArgumentError, 'options.rng');
    expectArgError(() => embedding2d(small, { rng }), ArgumentError, 'options.nNeighbors');
    expectArgError(() => embedding2d(small, { nNeighbors: 1, rng }), ArgumentError, 'options.nNeighbors');
    expectArgError(() => embedding2d(small, { nNeighbors: 5, minDist: 2, rng }), ArgumentError, 'options.minDist');
    expectArgError(() => embedding2d(small, { nNeighbors: 5, method: 'pca' as 'umap', rng }), ArgumentError, 'options.method');
    expectArgError(() => embedding2d(small, { nNeighbors: 5, nEpochs: 0, rng }), ArgumentError, 'options.nEpochs');
    expectArgError(() => embedding2d([[1, 2], [3]], { nNeighbors: 5, rng }), ArgumentError, 'features');
    expectArgError(() => embedding2d([[1, Number.NaN]], { nNeighbors: 5, rng }), ArgumentError, 'features');
    const nan = tf.tensor2d([[1, Number.NaN], [0, 1]]);
    expectArgError(() => embedding2d(nan, { nNeighbors: 5, rng }), NonFiniteError, 'features');
    nan.dispose();
  });
});

describe('embedding2d (t-SNE via @keckelt/tsne)', () => {
  const blobs = gaussianBlobs(Rng.fromSeed(2), 3, 20, 10);
  const fast = { method: 'tsne', perplexity: 10, nEpochs: 300 } as const;

  it('is reproducible from the seed, differs for another seed, and keeps separable classes apart', () => {
    const a = embedding2d(blobs.x, { ...fast, rng: Rng.fromSeed(5) });
    expect(a).toHaveLength(60);
    expect(a.every((p) => p.length === 2 && p.every(Number.isFinite))).toBe(true);
    expect(embedding2d(blobs.x, { ...fast, rng: Rng.fromSeed(5) })).toEqual(a);
    expect(embedding2d(blobs.x, { ...fast, rng: Rng.fromSeed(6) })).not.toEqual(a);
    expect(oneNnAccuracy(a, blobs.y)).toBeGreaterThanOrEqual(0.95);
  });

  it('does not touch Math.random and rejects bad t-SNE options by name', () => {
    const spy = Math.random;
    let calls = 0;
    Math.random = () => (calls++, spy());
    try {
      embedding2d(blobs.x.slice(0, 12), { method: 'tsne', perplexity: 3, nEpochs: 5, rng: Rng.fromSeed(0) });
    } finally {
      Math.random = spy;
    }
    expect(calls).toBe(0);
    const rng = Rng.fromSeed(0);
    expectArgError(() => embedding2d(blobs.x.slice(0, 10), { method: 'tsne', rng }), ArgumentError, 'options.perplexity');
    expectArgError(() => embedding2d(blobs.x, { method: 'tsne', perplexity: 0, rng }), ArgumentError, 'options.perplexity');
    expectArgError(() => embedding2d(blobs.x, { method: 'tsne', nEpochs: 0, rng }), ArgumentError, 'options.nEpochs');
    expectArgError(() => embedding2d(blobs.x, { method: 'tsne', learningRate: -1, rng }), ArgumentError, 'options.learningRate');
  });
});
