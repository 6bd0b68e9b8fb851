import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { Rng } from '@contrastive/core';
import { createImageDataset, disposeBatch, type ImageDataset } from './dataset.js';
import { createDataLoader, type LoaderBatch } from './loader.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

/** n images of 2x2x1 whose pixels all equal the image's own index, label = index mod 3. */
function indexed(n: number): ImageDataset {
  const images = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) images.fill(i, i * 4, i * 4 + 4);
  return createImageDataset({ images, labels: Uint8Array.from({ length: n }, (_, i) => i % 3), height: 2, width: 2, channels: 1, classNames: ['a', 'b', 'c'] });
}

interface Seen {
  epoch: number;
  step: number;
  indices: number[];
  pixelIds: number[];
  labels: number[];
}

async function collect(batches: AsyncIterable<LoaderBatch>): Promise<Seen[]> {
  const out: Seen[] = [];
  for await (const b of batches) {
    const px = b.images.dataSync();
    out.push({
      epoch: b.epoch,
      step: b.step,
      indices: Array.from(b.indices),
      pixelIds: Array.from({ length: b.indices.length }, (_, j) => Math.round(px[j * 4]! * 255)),
      labels: Array.from(b.labels.dataSync()),
    });
    disposeBatch(b);
  }
  return out;
}

describe('createDataLoader', () => {
  it('batches carry the images, labels and indices of their samples; epochs cover every index once (law)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.nat(3), fc.integer(), async (n, batchSize, epochs, dropLast, ahead, seed) => {
        fc.pre(!dropLast || batchSize <= n);
        const loader = createDataLoader(indexed(n), { batchSize, epochs, dropLast, prefetch: ahead, rng: Rng.fromSeed(seed) });
        const seen = await collect(loader);
        expect(seen.length).toBe(epochs * loader.batchesPerEpoch);
        for (const b of seen) {
          expect(b.pixelIds).toEqual(b.indices);
          expect(b.labels).toEqual(b.indices.map((i) => i % 3));
        }
        for (let e = 0; e < epochs; e++) {
          const flat = seen.filter((b) => b.epoch === e).flatMap((b) => b.indices);
          const kept = dropLast ? n - (n % batchSize) : n;
          expect(flat.length).toBe(kept);
          expect(new Set(flat).size).toBe(kept);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('same seed, same batches, whatever the prefetch depth', async () => {
    const ds = indexed(23);
    const run = (ahead: number): Promise<Seen[]> => collect(createDataLoader(ds, { batchSize: 5, epochs: 2, prefetch: ahead, rng: Rng.fromSeed(11) }));
    const reference = await run(0);
    expect(await run(3)).toEqual(reference);
    expect(await run(1)).toEqual(reference);
    const other = await collect(createDataLoader(ds, { batchSize: 5, epochs: 2, rng: Rng.fromSeed(12) }));
    expect(other.map((b) => b.indices)).not.toEqual(reference.map((b) => b.indices));
  });

  it('shuffle: false gives data set order with a short last batch', async () => {
    const seen = await collect(createDataLoader(indexed(7), { batchSize: 3, shuffle: false }));
    expect(seen.map((b) => b.indices)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('leaves no tensor behind: full run, and early break with batches prefetched (leak test)', async () => {
    const ds = indexed(50);
    const before = tf.memory().numTensors;
    await collect(createDataLoader(ds, { batchSize: 4, epochs: 2, rng: Rng.fromSeed(1) }));
    expect(tf.memory().numTensors).toBe(before);
    for (const ahead of [0, 1, 4]) {
      let taken = 0;
      for await (const b of createDataLoader(ds, { batchSize: 4, prefetch: ahead, rng: Rng.fromSeed(2) })) {
        disposeBatch(b);
        taken++;
        if (taken === 2) {
          for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r)); // let it prefetch
          expect(tf.memory().numTensors).toBe(before + 2 * ahead); // the batches prepared ahead
          break;
        }
      }
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('rejects bad options by name', () => {
    const ds = indexed(5);
    expect(() => createDataLoader(ds, { batchSize: 2 })).toThrow(/options\.rng/);
    expect(() => createDataLoader(ds, { batchSize: 2, shuffle: false, prefetch: -1 })).toThrow(/options\.prefetch/);
    expect(() => createDataLoader(ds, { batchSize: 6, shuffle: false, dropLast: true })).toThrow(/options\.batchSize/);
    expect(() => createDataLoader({} as ImageDataset, { batchSize: 2, shuffle: false })).toThrow(/dataset/);
  });
});
