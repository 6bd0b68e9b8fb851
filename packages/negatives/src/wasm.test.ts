// The negative sources on the wasm engine: every kernel they use (GatherV2, TensorScatterUpdate,
// Slice, Concat) exists there, and the results agree with the cpu-independent expectations.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { Rng } from '@contrastive/core';
import { memoryBank } from './memory-bank.js';
import { momentumQueue } from './momentum-queue.js';
import { emaUpdate } from './index.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe('negative sources on wasm', () => {
  it('runs the queue with wrap-around', () => {
    expect(tf.getBackend()).toBe('wasm');
    const queue = momentumQueue({ size: 5, dim: 2, normalize: false });
    let state = queue.init(Rng.fromSeed(1));
    for (let s = 0; s < 3; s++) {
      const keys = tf.tensor2d([[10 * s + 1, 0], [10 * s + 2, 0]]);
      state = queue.write(state, keys);
      keys.dispose();
    }
    // 6 keys into 5 slots: slot 0 holds key 6 (wrapped), slots 1..4 hold keys 2..5.
    expect((state.keys.arraySync() as number[][]).map((r) => r[0])).toEqual([22, 2, 11, 12, 21]);
    expect(state.pointer).toBe(1);
    queue.dispose(state);
  });

  it('updates, samples and looks up the memory bank', () => {
    const bank = memoryBank({ size: 6, dim: 2, numNegatives: 3, momentum: 0 });
    let state = bank.init(Rng.fromSeed(2));
    const keys = tf.tensor2d([[3, 4], [0, 2]]);
    state = bank.write(state, keys, new Int32Array([5, 0]));
    const rows = bank.lookup(state, new Int32Array([5, 0]));
    const got = rows.arraySync();
    expect(got[0]?.[0]).toBeCloseTo(0.6, 6);
    expect(got[0]?.[1]).toBeCloseTo(0.8, 6);
    expect(got[1]).toEqual([0, 1]);
    const neg = bank.read(state, { rng: Rng.fromSeed(3) });
    expect(neg.shape).toEqual([3, 2]);
    [keys, rows, neg].forEach((t) => t.dispose());
    bank.dispose(state);
  });

  it('applies the EMA update', () => {
    const t = tf.variable(tf.tensor1d([1, 2]));
    const o = tf.variable(tf.tensor1d([3, 6]));
    emaUpdate([t], [o], 0.75);
    expect(Array.from(t.dataSync())).toEqual([1.5, 3]);
    t.dispose();
    o.dispose();
  });
});
