import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ShapeError } from '@contrastive/core';
import { batchNormParameters, foldBatchNormWeights } from './batch-norm.js';
import { conv2d, conv2dParameters, dense, denseParameters } from './layers.js';
import { l2Normalize } from './l2-normalize.js';

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('layers', () => {
  it('declare PyTorch default initialisations under the given path', () => {
    expect(denseParameters('fc1', 4, 3, true)).toEqual([
      { path: 'fc1.kernel', shape: [4, 3], trainable: true, init: { kind: 'uniform', bound: 0.5 } },
      { path: 'fc1.bias', shape: [3], trainable: true, init: { kind: 'uniform', bound: 0.5 } },
    ]);
    expect(conv2dParameters('conv1', 3, 2, 8, false)).toEqual([{ path: 'conv1.kernel', shape: [3, 3, 2, 8], trainable: true, init: { kind: 'normal', std: Math.sqrt(2 / 72) } }]);
    expect(batchNormParameters('bn', 2, { center: false }).map((s) => s.path)).toEqual(['bn.gamma', 'bn.moving_mean', 'bn.moving_variance']);
  });

  it('dense and conv2d compute x W + b with the fused activation', () => {
    tf.tidy(() => {
      const y = dense(tf.tensor2d([[1, -2]]), tf.tensor2d([[1, 0], [0, 1]]), tf.tensor1d([0.5, 0.5]), 'relu');
      expect(Array.from(y.dataSync())).toEqual([1.5, 0]);
      const x = tf.ones([1, 3, 3, 1]) as tf.Tensor4D;
      const c = conv2d(x, tf.ones([3, 3, 1, 1]), undefined, 1, 1);
      expect(c.shape).toEqual([1, 3, 3, 1]);
      expect(c.dataSync()[4]).toBe(9);
      expect(conv2d(x, tf.ones([3, 3, 1, 1]), tf.tensor1d([-10]), 1, 1, 'relu').dataSync()[0]).toBe(0);
    });
  });

  it('foldBatchNormWeights: BN(x W + b) equals x W\' + b\' (inference statistics)', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([5, 3], 0, 1, 'float32', 1) as tf.Tensor2D;
      const w = tf.randomNormal([3, 4], 0, 1, 'float32', 2);
      const b = tf.randomNormal([4], 0, 1, 'float32', 3);
      const bn = {
        gamma: tf.variable(tf.tensor1d([1, 2, 0.5, -1])),
        beta: tf.variable(tf.tensor1d([0, 1, -1, 2])),
        movingMean: tf.variable(tf.tensor1d([0.1, -0.2, 0.3, 0])),
        movingVariance: tf.variable(tf.tensor1d([1, 4, 0.25, 2])),
      };
      const want = tf.batchNorm(dense(x, w, b), bn.movingMean, bn.movingVariance, bn.beta, bn.gamma, 1e-5);
      const f = foldBatchNormWeights(w, b, bn, 1e-5);
      const got = dense(x, f.kernel, f.bias);
      Array.from(got.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want.dataSync()[i] as number, 5));
      tf.dispose(Object.values(bn));
    });
  });
});

describe('l2Normalize', () => {
  it('unit rows, a zero row stays zero, tidy, checks its argument', () => {
    const start = tf.memory().numTensors;
    const y = l2Normalize(tf.tidy(() => tf.tensor2d([[3, 4], [0, 0], [1e-30, 0]])));
    expect(Array.from(y.dataSync())).toEqual([0.6000000238418579, 0.800000011920929, 0, 0, 1, 0]);
    tf.dispose(y);
    expect(tf.memory().numTensors).toBe(start + 1); // the input made above
    expect(() => l2Normalize(tf.tensor1d([1]) as unknown as tf.Tensor2D)).toThrow(ShapeError);
  });
});
