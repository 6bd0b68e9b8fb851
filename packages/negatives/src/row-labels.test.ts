/**
 * Labelled negative sources: a queue or bank built with `labels: true` stores one class label
 * per row next to its key, moved exactly like the key, returned by `readLabelled` and restored
 * by a checkpoint.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { ArgumentError, CheckpointError, Rng } from '@contrastive/core';
import { memoryBank } from './memory-bank.js';
import { momentumQueue } from './momentum-queue.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

/** Keys whose first column is an id (rows i of a batch starting at id0: [id0 + i, 1]). */
const keysWithIds = (id0: number, b: number): tf.Tensor2D => tf.tensor2d(Array.from({ length: b }, (_, i) => [id0 + i, 1]));

describe('momentumQueue with labels', () => {
  it('each slot holds the label of the key it holds (labels move with keys, -1 before any)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 1, max: 11 }), { minLength: 1, maxLength: 6 }), (k, sizes) => {
        const queue = momentumQueue({ size: k, dim: 2, normalize: false, labels: true });
        let state = queue.init(Rng.fromSeed(1));
        let next = 1;
        for (const b of sizes) {
          const keys = keysWithIds(next, b);
          const labels = tf.tensor1d(Array.from({ length: b }, (_, i) => 1000 + next + i), 'int32');
          state = queue.write(state, keys, undefined, labels);
          tf.dispose([keys, labels]);
          next += b;
        }
        const out = queue.readLabelled(state)!;
        const ids = out.rows.arraySync().map(([id]) => id as number);
        const labels = Array.from(out.labels.dataSync());
        ids.forEach((id, slot) => {
          const written = Number.isInteger(id) && id >= 1 && id < next && out.rows.arraySync()[slot]![1] === 1;
          expect(labels[slot]).toBe(written ? 1000 + id : -1);
        });
        expect(out.labels.dtype).toBe('int32');
        tf.dispose([out.rows, out.labels]);
        queue.dispose(state);
      }),
      { numRuns: 30 },
    );
  });

  it('round-trips through serialize/deserialize; rejects an unlabelled checkpoint; leaks nothing', () => {
    const queue = momentumQueue({ size: 5, dim: 2, labels: true });
    const before = tf.memory().numTensors;
    let state = queue.init(Rng.fromSeed(2));
    const keys = keysWithIds(1, 3);
    const labels = tf.tensor1d([4, 5, 6], 'float32'); // float labels are cast to int32
    state = queue.write(state, keys, undefined, labels);
    const saved = queue.serialize(state);
    const restored = queue.deserialize(saved);
    expect(Array.from(restored.labels!.dataSync())).toEqual([4, 5, 6, -1, -1]);
    expect(restored.pointer).toBe(3);
    const plain = momentumQueue({ size: 5, dim: 2 });
    expect(() => plain.deserialize(saved)).toThrow(CheckpointError);
    const plainState = plain.init(Rng.fromSeed(3));
    const plainSaved = plain.serialize(plainState);
    expect(() => queue.deserialize(plainSaved)).toThrow(/meta.labels/);
    tf.dispose([keys, labels, ...Object.values(saved.tensors), ...Object.values(plainSaved.tensors)]);
    plain.dispose(plainState);
    queue.dispose(restored);
    queue.dispose(state);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('requires labels when labelled and refuses them otherwise, naming the argument', () => {
    const labelled = momentumQueue({ size: 4, dim: 2, labels: true });
    const plain = momentumQueue({ size: 4, dim: 2 });
    const keys = keysWithIds(1, 2);
    const s1 = labelled.init(Rng.fromSeed(1));
    const s2 = plain.init(Rng.fromSeed(1));
    expect(() => labelled.write(s1, keys)).toThrow(/argument 'labels' is required/);
    const wrong = tf.tensor1d([1, 2, 3], 'int32');
    expect(() => labelled.write(s1, keys, undefined, wrong)).toThrow(ArgumentError);
    expect(() => plain.write(s2, keys, undefined, wrong)).toThrow(/options.labels = true/);
    expect(plain.readLabelled(s2)).toBeNull();
    expect(() => momentumQueue({ size: 4, dim: 2, labels: 'yes' as unknown as boolean })).toThrow(/options.labels/);
    tf.dispose([keys, wrong]);
    labelled.dispose(s1);
    plain.dispose(s2);
  });
});

describe('memoryBank with labels', () => {
  it('entry i holds the label last written at index i; readLabelled draws the rows read draws', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 99 }), (batches, seed) => {
        const bank = memoryBank({ size: 8, dim: 3, numNegatives: 6, labels: true });
        let state = bank.init(Rng.fromSeed(seed));
        const expected = new Array<number>(8).fill(-1);
        let label = 0;
        for (const idx of batches) {
          const keys = tf.randomNormal([idx.length, 3], 0, 1, 'float32', seed) as tf.Tensor2D;
          const labels = idx.map(() => label++);
          idx.forEach((i, j) => (expected[i] = labels[j]!));
          const t = tf.tensor1d(labels, 'int32');
          state = bank.write(state, keys, Int32Array.from(idx), t);
          tf.dispose([keys, t]);
        }
        expect(Array.from(state.labels!.dataSync())).toEqual(expected);
        const rows = bank.read(state, { rng: Rng.fromSeed(seed + 1) });
        const both = bank.readLabelled(state, { rng: Rng.fromSeed(seed + 1) })!;
        expect(both.rows.arraySync()).toEqual(rows.arraySync());
        // each drawn row's label is the label of the entry it came from
        const all = state.bank.arraySync();
        const drawn = both.rows.arraySync();
        const drawnLabels = Array.from(both.labels.dataSync());
        drawn.forEach((row, k) => {
          const entries = all.map((r, i) => (r.every((x, c) => x === row[c]) ? i : -1)).filter((i) => i >= 0);
          expect(entries.map((i) => expected[i])).toContain(drawnLabels[k]);
        });
        tf.dispose([rows, both.rows, both.labels]);
        const saved = bank.serialize(state);
        const restored = bank.deserialize(saved);
        expect(Array.from(restored.labels!.dataSync())).toEqual(expected);
        tf.dispose(Object.values(saved.tensors));
        bank.dispose(restored);
        bank.dispose(state);
      }),
      { numRuns: 20 },
    );
  });

  it('leaks no tensor across writes and reads', () => {
    const bank = memoryBank({ size: 6, dim: 2, numNegatives: 3, labels: true });
    let state = bank.init(Rng.fromSeed(1));
    const keys = keysWithIds(1, 2);
    const labels = tf.tensor1d([1, 2], 'int32');
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      state = bank.write(state, keys, Int32Array.from([i, i + 1]), labels);
      const r = bank.readLabelled(state, { rng: Rng.fromSeed(i) })!;
      tf.dispose([r.rows, r.labels]);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(() => bank.write(state, keys, Int32Array.from([0, 1]))).toThrow(/argument 'labels' is required/);
    tf.dispose([keys, labels]);
    bank.dispose(state);
  });
});
