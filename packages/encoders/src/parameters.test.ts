import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ArgumentError } from '@contrastive/core';
import { countParameters, mlpEncoder } from './index.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('countParameters', () => {
  it('sums the sizes of the trainable variables only (BatchNorm running averages excluded)', () => {
    const e = mlpEncoder({ inputDim: 7, hidden: [5, 3], batchNorm: true });
    // Linear without bias (BN follows) + gamma + beta per layer.
    expect(countParameters(e)).toBe(7 * 5 + 2 * 5 + 5 * 3 + 2 * 3);
    expect(e.nonTrainableVariables.reduce((a, v) => a + v.size, 0)).toBe(2 * 5 + 2 * 3);
    e.dispose();
    const module = { name: 'm', trainableVariables: [tf.variable(tf.zeros([2, 3]))], nonTrainableVariables: [tf.variable(tf.zeros([4]), false)], dispose: () => undefined };
    expect(countParameters(module)).toBe(6);
    tf.dispose([...module.trainableVariables, ...module.nonTrainableVariables]);
  });

  it('rejects a non-module, naming the argument', () => {
    expect(() => countParameters({} as never)).toThrow(ArgumentError);
    expect(() => countParameters(null as never)).toThrow(/'module'/);
  });
});
