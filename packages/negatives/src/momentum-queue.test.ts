import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { ArgumentError, CheckpointError, Rng, ShapeError } from '@contrastive/core';
import { momentumQueue, type MomentumQueueState } from './momentum-queue.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

const DIM = 2;

/** Keys whose rows identify them: row i of batch starting at id0 is [id0 + i, -(id0 + i)]. */
function keysWithIds(id0: number, b: number): tf.Tensor2D {
  const v: number[] = [];
  for (let i = 0; i < b; i++) v.push(id0 + i, -(id0 + i));
  return tf.tensor2d(v, [b, DIM]);
}

/** Naive reference: write each key, one at a time, into slot `pointer`, then advance it. */
function referenceEnqueue(slots: number[], pointer: number, ids: readonly number[]): number {
  let p = pointer;
  for (const id of ids) {
    slots[p] = id;
    p = (p + 1) % slots.length;
  }
  return p;
}

/** The id held by each slot, or null for a slot still holding its random initial key. */
function slotIds(state: MomentumQueueState): (number | null)[] {
  return state.keys.arraySync().map(([a, b]) => (Number.isInteger(a) && (a as number) >= 1 && b === -(a as number) ? (a as number) : null));
}

/** Runs batches of the given sizes through a fresh queue; returns its slots and pointer. */
function runQueue(size: number, batchSizes: readonly number[]): { slots: (number | null)[]; pointer: number; ids: number[] } {
  const queue = momentumQueue({ size, dim: DIM, normalize: false });
  let state = queue.init(Rng.fromSeed(3));
  let next = 1;
  const ids: number[] = [];
  for (const b of batchSizes) {
    const keys = keysWithIds(next, b);
    state = queue.write(state, keys);
    keys.dispose();
    for (let i = 0; i < b; i++) ids.push(next + i);
    next += b;
  }
  const out = { slots: slotIds(state), pointer: state.pointer, ids };
  queue.dispose(state);
  return out;
}

describe('momentumQueue', () => {
  it('after ceil(K/B) enqueues holds exactly the last K keys, in FIFO order from the pointer', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 7 }), (k, b, extra, lastRaw) => {
        const last = Math.min(lastRaw, b); // a short (or full) last batch
        const full = Math.ceil(k / b) + extra;
        const sizes = [...Array.from({ length: full }, () => b), last];
        const { slots, pointer, ids } = runQueue(k, sizes);
        const lastK = ids.slice(-k);
        // Oldest first: slot (pointer + j) mod K holds the j-th oldest of the last K keys.
        const fifo = Array.from({ length: k }, (_, j) => slots[(pointer + j) % k]);
        expect(fifo).toEqual(lastK);
        expect(pointer).toBe(ids.length % k);
      }),
      { numRuns: 40 },
    );
  });

  it('matches the one-key-at-a-time reference for any batch sizes (B > K, K not a multiple of B)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 1, max: 13 }), { minLength: 1, maxLength: 6 }), (k, sizes) => {
        const { slots, pointer, ids } = runQueue(k, sizes);
        const ref = Array.from({ length: k }, () => Number.NaN);
        const refPointer = referenceEnqueue(ref, 0, ids);
        expect(pointer).toBe(refPointer);
        expect(slots).toEqual(ref.map((id) => (Number.isNaN(id) ? null : id)));
      }),
      { numRuns: 40 },
    );
  });

  it('normalises keys by default and starts from random unit rows', () => {
    const queue = momentumQueue({ size: 5, dim: 3 });
    let state = queue.init(Rng.fromSeed(7));
    const norms0 = tf.tidy(() => tf.norm(state.keys, 'euclidean', 1).arraySync() as number[]);
    norms0.forEach((n) => expect(n).toBeCloseTo(1, 5));
    const keys = tf.tensor2d([[3, 0, 4], [0, -2, 0]]);
    state = queue.write(state, keys);
    const rows = state.keys.arraySync();
    expect(rows[0]?.[0]).toBeCloseTo(0.6, 6);
    expect(rows[0]?.[2]).toBeCloseTo(0.8, 6);
    expect(rows[1]).toEqual([0, -1, 0]);
    expect(state.pointer).toBe(2);
    keys.dispose();
    queue.dispose(state);
  });

  it('is seeded: same rng, same initial queue', () => {
    const queue = momentumQueue({ size: 4, dim: 3 });
    const a = queue.init(Rng.fromSeed(11));
    const b = queue.init(Rng.fromSeed(11));
    const c = queue.init(Rng.fromSeed(12));
    expect(a.keys.arraySync()).toEqual(b.keys.arraySync());
    expect(a.keys.arraySync()).not.toEqual(c.keys.arraySync());
    [a, b, c].forEach((s) => queue.dispose(s));
  });

  it('read returns the queue as a copy the caller owns', () => {
    const queue = momentumQueue({ size: 4, dim: 3 });
    const rng = Rng.fromSeed(1);
    const state = queue.init(rng);
    const neg = queue.read(state, { rng });
    expect(neg.shape).toEqual([4, 3]);
    expect(neg.arraySync()).toEqual(state.keys.arraySync());
    neg.dispose();
    expect(state.keys.isDisposed).toBe(false);
    queue.dispose(state);
  });

  it('does not leak: write replaces the state tensor, read/serialize results are the only new tensors', () => {
    const queue = momentumQueue({ size: 7, dim: 3 });
    const rng = Rng.fromSeed(1);
    let state = queue.init(rng);
    const keys = tf.randomNormal([3, 3], 0, 1, 'float32', 1) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) state = queue.write(state, keys); // wraps around
    expect(tf.memory().numTensors).toBe(before);
    const neg = queue.read(state, { rng });
    expect(tf.memory().numTensors).toBe(before + 1);
    neg.dispose();
    const data = queue.serialize(state);
    expect(tf.memory().numTensors).toBe(before + 1);
    Object.values(data.tensors).forEach((t) => t.dispose());
    expect(tf.memory().numTensors).toBe(before);
    keys.dispose();
    queue.dispose(state);
  });

  it('serialize/deserialize round-trips exactly, pointer included', () => {
    const queue = momentumQueue({ size: 6, dim: 4 });
    let state = queue.init(Rng.fromSeed(5));
    const keys = tf.randomNormal([4, 4], 0, 1, 'float32', 2) as tf.Tensor2D;
    state = queue.write(state, keys);
    const data = queue.serialize(state);
    const restored = queue.deserialize(data);
    Object.values(data.tensors).forEach((t) => t.dispose());
    expect(restored.pointer).toBe(state.pointer);
    expect(Array.from(restored.keys.dataSync())).toEqual(Array.from(state.keys.dataSync()));
    // The two states continue identically.
    const a = queue.write(state, keys);
    const b = queue.write(restored, keys);
    expect(Array.from(a.keys.dataSync())).toEqual(Array.from(b.keys.dataSync()));
    keys.dispose();
    queue.dispose(a);
    queue.dispose(b);
  });

  it('refuses a mismatched serialized state with CheckpointError', () => {
    const queue = momentumQueue({ size: 6, dim: 4 });
    const other = momentumQueue({ size: 5, dim: 4 });
    const state = other.init(Rng.fromSeed(5));
    const data = other.serialize(state);
    expect(() => queue.deserialize(data)).toThrow(CheckpointError);
    const keys = data.tensors['keys'] as tf.Tensor;
    expect(() => queue.deserialize({ tensors: { keys }, meta: { kind: 'momentumQueue', size: 6, dim: 4, pointer: 0 } })).toThrow(CheckpointError);
    expect(() => other.deserialize({ tensors: { keys }, meta: { kind: 'momentumQueue', size: 5, dim: 4, pointer: 5 } })).toThrow(/pointer/);
    expect(() => other.deserialize({ tensors: { keys }, meta: { kind: 'memoryBank', size: 5, dim: 4 } })).toThrow(CheckpointError);
    expect(() => other.deserialize({ tensors: {}, meta: { kind: 'momentumQueue', size: 5, dim: 4, pointer: 0 } })).toThrow(CheckpointError);
    keys.dispose();
    other.dispose(state);
  });

  it('rejects bad configuration and bad keys, naming the argument', () => {
    expect(() => momentumQueue({ size: 0, dim: 4 })).toThrow(ArgumentError);
    expect(() => momentumQueue({ size: 0, dim: 4 })).toThrow(/options\.size/);
    expect(() => momentumQueue({ size: 4, dim: 1.5 })).toThrow(/options\.dim/);
    expect(() => momentumQueue({ size: 4, dim: 2, normalize: 'yes' as unknown as boolean })).toThrow(/options\.normalize/);
    const queue = momentumQueue({ size: 4, dim: 3 });
    const state = queue.init(Rng.fromSeed(1));
    const keys = tf.zeros([2, 5]) as tf.Tensor2D;
    expect(() => queue.write(state, keys)).toThrow(ShapeError);
    expect(() => queue.write(state, keys)).toThrow(/'keys'/);
    keys.dispose();
    queue.dispose(state);
  });
});
