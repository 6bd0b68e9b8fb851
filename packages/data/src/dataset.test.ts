import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ArgumentError } from '@contrastive/core';
import { batchFromIndices, classCounts, createImageDataset, disposeBatch, imageAt, subsetDataset, type ImageDataset } from './dataset.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

/** A small random data set: n images of h x w x c, k classes. */
const arbDataset = fc
  .record({ n: fc.integer({ min: 1, max: 12 }), h: fc.integer({ min: 1, max: 5 }), w: fc.integer({ min: 1, max: 5 }), c: fc.constantFrom(1, 3), k: fc.integer({ min: 1, max: 4 }) })
  .chain(({ n, h, w, c, k }) =>
    fc.record({
      images: fc.uint8Array({ minLength: n * h * w * c, maxLength: n * h * w * c }),
      labels: fc.uint8Array({ minLength: n, maxLength: n, max: k - 1 }),
      height: fc.constant(h),
      width: fc.constant(w),
      channels: fc.constant(c),
      classNames: fc.constant(Array.from({ length: k }, (_, i) => `class${i}`)),
    }),
  )
  .map((f) => createImageDataset(f));

const arbDatasetAndIndices = arbDataset.chain((ds) => fc.tuple(fc.constant(ds), fc.array(fc.nat(ds.length - 1), { minLength: 1, maxLength: 8 })));

/** Naive reference: pixel (b, y, x, c) of a batch, read by the NHWC formula. */
function referenceBatch(ds: ImageDataset, idx: number[]): number[] {
  const out: number[] = [];
  for (const i of idx)
    for (let y = 0; y < ds.height; y++)
      for (let x = 0; x < ds.width; x++)
        for (let c = 0; c < ds.channels; c++) out.push(ds.images[((i * ds.height + y) * ds.width + x) * ds.channels + c]! / 255);
  return out;
}

describe('batchFromIndices', () => {
  it('equals the loop reference: images/255 in NHWC, labels, indices (law)', () => {
    fc.assert(
      fc.property(arbDatasetAndIndices, ([ds, idx]) => {
        const batch = batchFromIndices(ds, idx);
        try {
          expect(batch.images.shape).toEqual([idx.length, ds.height, ds.width, ds.channels]);
          expect(batch.images.dtype).toBe('float32');
          expect(batch.labels.dtype).toBe('int32');
          const got = Array.from(batch.images.dataSync());
          const want = referenceBatch(ds, idx);
          got.forEach((v, j) => expect(v).toBeCloseTo(want[j]!, 6));
          expect(Array.from(batch.labels.dataSync())).toEqual(idx.map((i) => ds.labels[i]));
          expect(Array.from(batch.indices)).toEqual(idx);
        } finally {
          disposeBatch(batch);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('creates exactly the two returned tensors and nothing else (leak test)', () => {
    fc.assert(
      fc.property(arbDatasetAndIndices, ([ds, idx]) => {
        const before = tf.memory().numTensors;
        const batch = batchFromIndices(ds, idx);
        expect(tf.memory().numTensors).toBe(before + 2);
        disposeBatch(batch);
        expect(tf.memory().numTensors).toBe(before);
      }),
      { numRuns: 10 },
    );
  });

  it('rejects out-of-range and non-integer indices by name, creating no tensor', () => {
    const ds = createImageDataset({ images: new Uint8Array(2 * 3), labels: Uint8Array.of(0, 1), height: 1, width: 1, channels: 3, classNames: ['a', 'b'] });
    const before = tf.memory().numTensors;
    expect(() => batchFromIndices(ds, [0, 2])).toThrow(ArgumentError);
    expect(() => batchFromIndices(ds, [-1])).toThrow(/indices/);
    expect(() => batchFromIndices(ds, [0.5])).toThrow(/indices/);
    expect(() => batchFromIndices({ ...ds, length: 3 }, [0])).toThrow(/dataset/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('createImageDataset and helpers', () => {
  it('rejects sizes that disagree and labels without a class, naming the field', () => {
    const base = { images: new Uint8Array(2 * 2 * 2 * 3), labels: Uint8Array.of(0, 1), height: 2, width: 2, channels: 3, classNames: ['a', 'b'] };
    expect(createImageDataset(base).length).toBe(2);
    expect(() => createImageDataset({ ...base, images: new Uint8Array(5) })).toThrow(/fields\.images/);
    expect(() => createImageDataset({ ...base, labels: Uint8Array.of(0, 2) })).toThrow(/fields\.labels/);
    expect(() => createImageDataset({ ...base, height: 0 })).toThrow(/fields\.height/);
    expect(() => createImageDataset({ ...base, classNames: [] })).toThrow(/fields\.classNames/);
    expect(() => createImageDataset({ ...base, images: [1, 2] as unknown as Uint8Array })).toThrow(/fields\.images/);
  });

  it('subsetDataset picks images and labels in the order given; classCounts sums to length (law)', () => {
    fc.assert(
      fc.property(arbDatasetAndIndices, ([ds, idx]) => {
        const sub = subsetDataset(ds, idx);
        expect(sub.length).toBe(idx.length);
        idx.forEach((i, j) => {
          expect(Array.from(imageAt(sub, j))).toEqual(Array.from(imageAt(ds, i)));
          expect(sub.labels[j]).toBe(ds.labels[i]);
        });
        const counts = classCounts(ds);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(ds.length);
        counts.forEach((n, c) => expect(n).toBe(ds.labels.filter((l) => l === c).length));
      }),
      { numRuns: 20 },
    );
  });

  it('imageAt rejects an index past the end', () => {
    const ds = createImageDataset({ images: new Uint8Array(3), labels: Uint8Array.of(0), height: 1, width: 1, channels: 3, classNames: ['a'] });
    expect(() => imageAt(ds, 1)).toThrow(/index/);
  });
});
