import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { resnet18 } from './index.js';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe('ResNet-18 training step on the wasm engine', () => {
  it('has the wasm filter-gradient kernel (registered by @contrastive/backend)', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('forward + backward of a [2,32,32,3] CIFAR batch: every parameter gets a finite, non-zero gradient, and an SGD step lowers the loss', () => {
    const encoder = resnet18({ stem: 'cifar', seed: 11 });
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 5);
    const target = tf.randomUniform([2, 512], 0, 1, 'float32', 6);
    const loss = () => tf.tidy(() => tf.mean(tf.square(tf.sub(encoder.apply(x, { training: true }), target))) as tf.Scalar);
    const statsBefore = encoder.nonTrainableVariables.map((v) => v.dataSync().slice());
    const before = tf.memory().numTensors;

    const { value, grads } = tf.variableGrads(loss, [...encoder.trainableVariables]);
    const l0 = value.dataSync()[0]!;
    expect(Number.isFinite(l0)).toBe(true);
    expect(Object.keys(grads).length).toBe(encoder.trainableVariables.length);
    for (const v of encoder.trainableVariables) {
      const g = grads[v.name]!;
      expect(g.shape).toEqual(v.shape);
      const data = g.dataSync();
      expect(data.every((d) => Number.isFinite(d))).toBe(true);
      expect(data.some((d) => d !== 0)).toBe(true);
    }
    // The training pass moved every running average.
    encoder.nonTrainableVariables.forEach((v, i) => expect(v.dataSync()).not.toEqual(statsBefore[i]));

    const sgd = tf.train.sgd(0.05);
    sgd.applyGradients(grads);
    tf.dispose([value, ...Object.values(grads)]);
    const l1 = loss();
    expect(l1.dataSync()[0]!).toBeLessThan(l0);
    l1.dispose();
    sgd.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, target]);
    encoder.dispose();
  });
});
