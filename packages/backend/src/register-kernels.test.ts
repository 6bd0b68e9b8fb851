import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError } from '@contrastive/core';
import { describe, expect, it } from 'vitest';
import { initBackend } from './node/init-backend.js';
import { TRAINING_KERNELS, registerTrainingKernels, trainingKernelsRegistered, unregisterTrainingKernels } from './register-kernels.js';

await initBackend({ prefer: 'cpu' });
await initBackend({ prefer: 'wasm', trainingKernels: false });

const kernelFunc = (name: string, backend: string) => tf.getKernel(name, backend)?.kernelFunc;

describe('registerTrainingKernels', () => {
  it('adds the missing wasm kernels and replaces the faulty or slow ones, keeping the stock ones', () => {
    expect(kernelFunc('Conv2DBackpropFilter', 'wasm')).toBe(undefined);
    const stockInput = kernelFunc('Conv2DBackpropInput', 'wasm');
    const stockOneHot = kernelFunc('OneHot', 'wasm');
    expect(registerTrainingKernels('wasm')).toEqual(TRAINING_KERNELS.wasm);
    expect(kernelFunc('Conv2DBackpropFilter', 'wasm')).toBeTypeOf('function');
    expect(kernelFunc('Conv2DBackpropInput', 'wasm')).not.toBe(stockInput);
    expect(kernelFunc('OneHot', 'wasm')).not.toBe(stockOneHot);

    expect(unregisterTrainingKernels('wasm')).toEqual(TRAINING_KERNELS.wasm);
    expect(kernelFunc('Conv2DBackpropFilter', 'wasm')).toBe(undefined);
    expect(kernelFunc('Conv2DBackpropInput', 'wasm')).toBe(stockInput);
    expect(kernelFunc('OneHot', 'wasm')).toBe(stockOneHot);
    expect(trainingKernelsRegistered('wasm')).toEqual([]);
  });

  it('is idempotent: a second call changes nothing', () => {
    registerTrainingKernels('wasm');
    const first = TRAINING_KERNELS.wasm.map((k) => kernelFunc(k, 'wasm'));
    expect(registerTrainingKernels('wasm')).toEqual(TRAINING_KERNELS.wasm);
    expect(TRAINING_KERNELS.wasm.map((k) => kernelFunc(k, 'wasm'))).toEqual(first);
    // and unregistering after two registrations still restores tfjs's own kernel
    const stockInput = (() => {
      unregisterTrainingKernels('wasm');
      return kernelFunc('Conv2DBackpropInput', 'wasm');
    })();
    registerTrainingKernels('wasm');
    registerTrainingKernels('wasm');
    unregisterTrainingKernels('wasm');
    expect(kernelFunc('Conv2DBackpropInput', 'wasm')).toBe(stockInput);
  });

  it('touches only the backend it is given', () => {
    const cpuBefore = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'OneHot', 'MaxPoolGrad'].map((k) => kernelFunc(k, 'cpu'));
    registerTrainingKernels('wasm');
    expect(['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'OneHot', 'MaxPoolGrad'].map((k) => kernelFunc(k, 'cpu'))).toEqual(cpuBefore);
    expect(trainingKernelsRegistered('cpu')).toEqual([]);
  });

  it("on 'cpu' replaces only the two convolution gradients, and can be undone", async () => {
    const stockFilter = kernelFunc('Conv2DBackpropFilter', 'cpu');
    expect(registerTrainingKernels('cpu')).toEqual(['Conv2DBackpropFilter', 'Conv2DBackpropInput']);
    expect(kernelFunc('Conv2DBackpropFilter', 'cpu')).not.toBe(stockFilter);
    // the replaced kernels compute the same gradient through the engine
    await tf.setBackend('cpu');
    const x = tf.tensor4d(Float32Array.from({ length: 2 * 5 * 5 * 3 }, (_, i) => Math.sin(i)), [2, 5, 5, 3]);
    const w = tf.tensor4d(Float32Array.from({ length: 3 * 3 * 3 * 2 }, (_, i) => Math.cos(i)), [3, 3, 3, 2]);
    const grads = () => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))))([x, w]);
    const fast = grads().map((g) => Array.from(g.dataSync()));
    unregisterTrainingKernels('cpu');
    expect(kernelFunc('Conv2DBackpropFilter', 'cpu')).toBe(stockFilter);
    const slow = grads().map((g) => Array.from(g.dataSync()));
    for (let k = 0; k < 2; k++) {
      const a = fast[k] as number[];
      const b = slow[k] as number[];
      expect(Math.max(...a.map((v, i) => Math.abs(v - (b[i] as number))))).toBeLessThan(1e-3);
    }
    await tf.setBackend('wasm');
  });

  it('rejects an unknown backend with an ArgumentError naming the argument', () => {
    expect(() => registerTrainingKernels('webgl' as never)).toThrow(ArgumentError);
    expect(() => registerTrainingKernels('webgl' as never)).toThrow(/'backendName'/);
    expect(() => unregisterTrainingKernels(3 as never)).toThrow(/'backendName'/);
    expect(() => trainingKernelsRegistered(undefined as never)).toThrow(/'backendName'/);
  });
});
