import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ArgumentError } from '@contrastive/core';
import { convNet, mlpEncoder } from './index.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe("mlpEncoder activation: 'tanh'", () => {
  it('computes tanh(tanh(x W1 + b1) W2 + b2) (the 4-10-6 Iris network), in float64 reference', () => {
    const e = mlpEncoder({ inputDim: 4, hidden: [10, 6], activation: 'tanh', seed: 2 });
    expect(e.outputDim).toBe(6);
    expect(e.name).toBe('mlp-4-10-6-tanh');
    const x = [[5.1, 3.5, 1.4, 0.2], [-1, 0.5, 2, -3]];
    const layer = (inp: number[][], k: string, n: number): number[][] => {
      const W = Array.from(e.variable(`${k}.kernel`).dataSync());
      const b = Array.from(e.variable(`${k}.bias`).dataSync());
      return inp.map((row) => Array.from({ length: n }, (_, j) => Math.tanh(row.reduce((s, v, i) => s + v * (W[i * n + j] as number), b[j] as number))));
    };
    const want = layer(layer(x, 'fc1', 10), 'fc2', 6);
    const before = tf.memory().numTensors;
    const h = tf.tidy(() => e.apply(tf.tensor2d(x), { training: true }));
    const got = h.arraySync() as number[][];
    got.flat().forEach((v, i) => expect(v).toBeCloseTo(want.flat()[i] as number, 5));
    // tanh is not ReLU: some outputs are negative.
    expect(got.flat().some((v) => v < 0)).toBe(true);
    h.dispose();
    expect(tf.memory().numTensors).toBe(before);
    e.dispose();
  });

  it('rejects another activation by name', () => {
    expect(() => mlpEncoder({ inputDim: 4, hidden: [3], activation: 'gelu' as never })).toThrow(ArgumentError);
    expect(() => mlpEncoder({ inputDim: 4, hidden: [3], activation: 'gelu' as never })).toThrow(/options.activation/);
  });
});

describe('convNet fc', () => {
  it('conv16-pool-conv32-(global pool)-fc128: [B, 28, 28, 1] -> [B, 128], ReLU output, fc weights [32, 128]', () => {
    const e = convNet({ widths: [16, 32], fc: 128, inputShape: [28, 28, 1], seed: 1 });
    expect(e.outputDim).toBe(128);
    expect(e.name).toBe('convnet-16-32-fc128');
    expect(e.variable('fc.kernel').shape).toEqual([32, 128]);
    const h = tf.tidy(() => e.apply(tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 4) as tf.Tensor4D, { training: false }));
    expect(h.shape).toEqual([3, 128]);
    expect(Math.min(...h.dataSync())).toBeGreaterThanOrEqual(0);
    h.dispose();
    expect(() => convNet({ widths: [4], fc: 0 })).toThrow(/options.fc/);
    e.dispose();
  });
});
