import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@contrastive/backend';
import { CheckpointError, Rng } from '@contrastive/core';
import { inBatch } from './in-batch.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('inBatch', () => {
  it('has no external negatives and a write that keeps the state', () => {
    const source = inBatch();
    const rng = Rng.fromSeed(1);
    const state = source.init(rng);
    expect(source.read(state, { rng })).toBeNull();
    const keys = tf.ones([3, 4]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    expect(source.write(state, keys, new Int32Array([0, 1, 2]))).toBe(state);
    expect(tf.memory().numTensors).toBe(before);
    keys.dispose();
  });

  it('serializes to an empty tensor set and back', () => {
    const source = inBatch();
    const state = source.init(Rng.fromSeed(1));
    const data = source.serialize(state);
    expect(Object.keys(data.tensors)).toEqual([]);
    expect(source.deserialize(data)).toEqual(state);
  });

  it('refuses a state serialized by another source', () => {
    const source = inBatch();
    expect(() => source.deserialize({ tensors: {}, meta: { kind: 'momentumQueue' } })).toThrow(CheckpointError);
  });
});
