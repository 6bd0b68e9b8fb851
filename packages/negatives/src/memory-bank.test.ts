import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { ArgumentError, CheckpointError, Rng, ShapeError } from '@contrastive/core';
import { memoryBank } from './memory-bank.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

const f32 = (min: number, max: number) => fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true });

function normalise(v: readonly number[]): number[] {
  const n = Math.max(Math.sqrt(v.reduce((s, x) => s + x * x, 0)), 1e-12);
  return v.map((x) => x / n);
}

/** Naive reference of Wu et al.'s update, one sample at a time (last occurrence wins). */
function referenceWrite(bank: number[][], keys: number[][], indices: readonly number[], m: number): number[][] {
  const out = bank.map((r) => [...r]);
  const last = new Map<number, number>();
  indices.forEach((idx, i) => last.set(idx, i));
  for (const [idx, i] of last) {
    const z = normalise(keys[i] as number[]);
    const v = bank[idx] as number[];
    out[idx] = normalise(v.map((x, j) => m * x + (1 - m) * (z[j] as number)));
  }
  return out;
}

describe('memoryBank', () => {
  it('starts from seeded unit-norm rows', () => {
    const bank = memoryBank({ size: 20, dim: 5, numNegatives: 4 });
    const a = bank.init(Rng.fromSeed(1));
    const b = bank.init(Rng.fromSeed(1));
    expect(Array.from(a.bank.dataSync())).toEqual(Array.from(b.bank.dataSync()));
    const norms = tf.tidy(() => tf.norm(a.bank, 'euclidean', 1).arraySync() as number[]);
    norms.forEach((n) => expect(n).toBeCloseTo(1, 5));
    bank.dispose(a);
    bank.dispose(b);
  });

  it('updates v <- normalise(m v + (1 - m) z) at the batch indices, like the naive reference; rows stay unit-norm', () => {
    const arb = fc
      .record({ size: fc.integer({ min: 1, max: 8 }), dim: fc.integer({ min: 1, max: 5 }), b: fc.integer({ min: 1, max: 6 }), m: f32(0, 1), seed: fc.integer() })
      .chain((c) =>
        fc.record({
          c: fc.constant(c),
          indices: fc.array(fc.integer({ min: 0, max: c.size - 1 }), { minLength: c.b, maxLength: c.b }),
          keys: fc.array(fc.array(f32(-3, 3).filter((x) => Math.abs(x) > 1e-3), { minLength: c.dim, maxLength: c.dim }), { minLength: c.b, maxLength: c.b }),
        }),
      );
    fc.assert(
      fc.property(arb, ({ c, indices, keys }) => {
        const bank = memoryBank({ size: c.size, dim: c.dim, numNegatives: 2, momentum: c.m });
        const state = bank.init(Rng.fromSeed(c.seed));
        const before = state.bank.arraySync();
        const k = tf.tensor2d(keys, [c.b, c.dim]);
        const next = bank.write(state, k, Int32Array.from(indices));
        k.dispose();
        const got = next.bank.arraySync();
        const want = referenceWrite(before, keys, indices, c.m);
        got.forEach((row, r) => {
          if (!indices.includes(r)) expect(row).toEqual(before[r]); // untouched rows are bit-identical
          const norm = Math.sqrt(row.reduce((s, x) => s + x * x, 0));
          expect(norm).toBeCloseTo(1, 4);
          row.forEach((x, j) => expect(x).toBeCloseTo(want[r]?.[j] as number, 4));
        });
        bank.dispose(next);
      }),
      { numRuns: 30 },
    );
  });

  it('with momentum 0 the entry becomes the normalised key', () => {
    const bank = memoryBank({ size: 3, dim: 2, numNegatives: 1, momentum: 0 });
    let state = bank.init(Rng.fromSeed(2));
    const keys = tf.tensor2d([[3, 4]]);
    state = bank.write(state, keys, new Int32Array([1]));
    const row = state.bank.arraySync()[1] as number[];
    expect(row[0]).toBeCloseTo(0.6, 6);
    expect(row[1]).toBeCloseTo(0.8, 6);
    keys.dispose();
    bank.dispose(state);
  });

  it('reads K seeded negatives that are bank rows; excludeBatch never draws a batch index', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 20 }), fc.integer(), (size, k, seed) => {
        // Rows of this bank identify themselves: row r = [r, 1].
        const bank = memoryBank({ size, dim: 2, numNegatives: k, excludeBatch: true });
        const state = { bank: tf.tensor2d(Array.from({ length: size }, (_, r) => [r, 1])) };
        const rng = Rng.fromSeed(seed);
        const batch = Int32Array.from({ length: Math.max(1, Math.floor(size / 2)) }, (_, i) => (i * 7) % size);
        const neg = bank.read(state, { rng: rng.clone(), indices: batch });
        expect(neg.shape).toEqual([k, 2]);
        const drawn = (neg.arraySync() as number[][]).map((r) => r[0] as number);
        drawn.forEach((r) => {
          expect(Number.isInteger(r) && r >= 0 && r < size).toBe(true);
          expect(batch.includes(r)).toBe(false);
        });
        const again = bank.read(state, { rng: rng.clone(), indices: batch });
        expect(Array.from(again.dataSync())).toEqual(Array.from(neg.dataSync()));
        neg.dispose();
        again.dispose();
        bank.dispose(state);
      }),
      { numRuns: 30 },
    );
  });

  it('without excludeBatch samples the whole bank uniformly (every row is drawn eventually)', () => {
    const bank = memoryBank({ size: 4, dim: 2, numNegatives: 64 });
    const state = { bank: tf.tensor2d(Array.from({ length: 4 }, (_, r) => [r, 1])) };
    const neg = bank.read(state, { rng: Rng.fromSeed(9), indices: new Int32Array([0, 1]) });
    const drawn = new Set((neg.arraySync() as number[][]).map((r) => r[0]));
    expect([...drawn].sort()).toEqual([0, 1, 2, 3]);
    neg.dispose();
    bank.dispose(state);
  });

  it('lookup returns the rows at the given indices', () => {
    const bank = memoryBank({ size: 5, dim: 3, numNegatives: 2 });
    const state = bank.init(Rng.fromSeed(4));
    const rows = state.bank.arraySync();
    const got = bank.lookup(state, new Int32Array([4, 0, 4]));
    expect(got.arraySync()).toEqual([rows[4], rows[0], rows[4]]);
    got.dispose();
    bank.dispose(state);
  });

  it('does not leak across read, lookup, write and serialize', () => {
    const bank = memoryBank({ size: 10, dim: 3, numNegatives: 4 });
    const rng = Rng.fromSeed(1);
    let state = bank.init(rng);
    const keys = tf.randomNormal([3, 3], 0, 1, 'float32', 1) as tf.Tensor2D;
    const idx = new Int32Array([1, 5, 1]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      bank.read(state, { rng, indices: idx }).dispose();
      bank.lookup(state, idx).dispose();
      state = bank.write(state, keys, idx);
      Object.values(bank.serialize(state).tensors).forEach((t) => t.dispose());
    }
    expect(tf.memory().numTensors).toBe(before);
    keys.dispose();
    bank.dispose(state);
  });

  it('serialize/deserialize round-trips exactly', () => {
    const bank = memoryBank({ size: 6, dim: 3, numNegatives: 2, momentum: 0.3 });
    const keys = tf.randomNormal([2, 3], 0, 1, 'float32', 3) as tf.Tensor2D;
    let state = bank.init(Rng.fromSeed(6));
    state = bank.write(state, keys, new Int32Array([2, 3]));
    const data = bank.serialize(state);
    const restored = bank.deserialize(data);
    Object.values(data.tensors).forEach((t) => t.dispose());
    expect(Array.from(restored.bank.dataSync())).toEqual(Array.from(state.bank.dataSync()));
    const a = bank.write(state, keys, new Int32Array([0, 3]));
    const b = bank.write(restored, keys, new Int32Array([0, 3]));
    expect(Array.from(a.bank.dataSync())).toEqual(Array.from(b.bank.dataSync()));
    keys.dispose();
    bank.dispose(a);
    bank.dispose(b);
  });

  it('refuses a mismatched serialized state with CheckpointError', () => {
    const small = memoryBank({ size: 4, dim: 3, numNegatives: 2 });
    const big = memoryBank({ size: 5, dim: 3, numNegatives: 2 });
    const state = small.init(Rng.fromSeed(1));
    const data = small.serialize(state);
    expect(() => big.deserialize(data)).toThrow(CheckpointError);
    expect(() => small.deserialize({ tensors: data.tensors, meta: { kind: 'momentumQueue', size: 4, dim: 3 } })).toThrow(CheckpointError);
    expect(() => big.deserialize({ tensors: data.tensors, meta: { kind: 'memoryBank', size: 5, dim: 3 } })).toThrow(/shape \[5,3\]/);
    Object.values(data.tensors).forEach((t) => t.dispose());
    small.dispose(state);
  });

  it('rejects bad configuration and bad arguments, naming them', () => {
    expect(() => memoryBank({ size: 0, dim: 3, numNegatives: 1 })).toThrow(/options\.size/);
    expect(() => memoryBank({ size: 4, dim: 3, numNegatives: 0 })).toThrow(/options\.numNegatives/);
    expect(() => memoryBank({ size: 4, dim: 3, numNegatives: 1, momentum: 1.5 })).toThrow(/options\.momentum/);
    expect(() => memoryBank({ size: 1, dim: 3, numNegatives: 1, excludeBatch: true })).toThrow(ArgumentError);
    const bank = memoryBank({ size: 4, dim: 3, numNegatives: 2, excludeBatch: true });
    const state = bank.init(Rng.fromSeed(1));
    const keys = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(() => bank.write(state, keys)).toThrow(/'indices'/);
    expect(() => bank.write(state, keys, new Int32Array([0]))).toThrow(/2 entries/);
    expect(() => bank.write(state, keys, new Int32Array([0, 4]))).toThrow(/\[0, 4\)/);
    expect(() => bank.read(state, { rng: Rng.fromSeed(1), indices: new Int32Array([0, 1, 2, 3]) })).toThrow(/whole bank/);
    const wrong = tf.zeros([2, 2]) as tf.Tensor2D;
    expect(() => bank.write(state, wrong, new Int32Array([0, 1]))).toThrow(ShapeError);
    keys.dispose();
    wrong.dispose();
    bank.dispose(state);
  });
});
