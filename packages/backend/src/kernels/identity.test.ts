import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runKernel, startWasmAndCpu, stockKernel } from '../../test/kernel-harness.js';
import { measurePeakBytes, wasmHeapStats } from '../memory-guard.js';
import { registerTrainingKernels, unregisterTrainingKernels } from '../register-kernels.js';
import { makeCast, makeIdentity } from './identity.js';

await startWasmAndCpu();
unregisterTrainingKernels('wasm');
const stockIdentity = stockKernel('Identity', 'wasm');
const stockCast = stockKernel('Cast', 'wasm');
registerTrainingKernels('wasm');

const identity = makeIdentity('wasm', stockIdentity);
const cast = makeCast('wasm', stockCast);
const valuesArb = fc.array(fc.float({ noNaN: true }), { minLength: 1, maxLength: 40 });

describe('Identity / Cast on wasm: share the buffer instead of copying it', () => {
  it('Identity returns the input values with no leak (fast-check, kernel level)', () => {
    fc.assert(
      fc.property(valuesArb, (xs) => {
        const x = Float32Array.from(xs);
        const got = runKernel('wasm', identity, { x: { data: x, shape: [x.length], dtype: 'float32' } }, {});
        expect(Array.from(got.values)).toEqual(Array.from(x));
        expect(got.leakedDataIds).toBe(0);
        expect(got.leakedHeapBytes).toBe(0);
      }),
      { numRuns: 30 },
    );
  });

  it('a clone shares the data id, outlives its source, and frees the buffer with its last holder', () => {
    const heap0 = wasmHeapStats().liveBytes;
    const n0 = tf.memory().numTensors;
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = tf.clone(a);
    expect(b.dataId).toBe(a.dataId);
    expect(wasmHeapStats().liveBytes - heap0).toBe(24); // one buffer, not two
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(b.shape).toEqual([2, 3]);
    b.dispose();
    expect(tf.memory().numTensors).toBe(n0);
    expect(wasmHeapStats().liveBytes).toBe(heap0);
  });

  it('Cast to the same dtype shares; Cast to another dtype converts like the cpu engine (fast-check)', () => {
    const pairs = fc.constantFrom(['float32', 'float32'], ['int32', 'int32'], ['int32', 'float32'], ['float32', 'int32'], ['bool', 'float32'], ['float32', 'bool'], ['bool', 'bool']);
    fc.assert(
      fc.property(pairs, fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 20 }), fc.float({ min: -1, max: 1, noNaN: true }), ([from, to], ints, frac) => {
        const data = ints.map((v) => (from === 'float32' ? v + frac : from === 'bool' ? (v > 0 ? 1 : 0) : v));
        const onWasm = tf.tidy(() => tf.cast(tf.tensor1d(data, from as tf.DataType), to as tf.DataType).arraySync());
        tf.setBackend('cpu');
        const onCpu = tf.tidy(() => tf.cast(tf.tensor1d(data, from as tf.DataType), to as tf.DataType).arraySync());
        tf.setBackend('wasm');
        expect(onWasm).toEqual(onCpu);
      }),
      { numRuns: 40 },
    );
    const heap0 = wasmHeapStats().liveBytes;
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.cast(x, 'float32');
    expect(y.dataId).toBe(x.dataId);
    const z = tf.cast(x, 'int32');
    expect(z.dataId).not.toBe(x.dataId);
    tf.dispose([x, y, z]);
    expect(wasmHeapStats().liveBytes).toBe(heap0);
    const got = runKernel('wasm', cast, { x: { data: Float32Array.of(1.5, -2), shape: [2], dtype: 'float32' } }, { dtype: 'float32' });
    expect(Array.from(got.values)).toEqual([1.5, -2]);
    expect(got.leakedDataIds).toBe(0);
    const toBool = runKernel('wasm', cast, { x: { data: Int32Array.of(256, 0, -1), shape: [3], dtype: 'int32' } }, { dtype: 'bool' });
    expect(Array.from(toBool.values)).toEqual([1, 0, 1]);
    expect(toBool.leakedDataIds).toBe(0);
    expect(toBool.leakedHeapBytes).toBe(0);
  });

  it('stock wasm Cast to bool is wrong for 0.5 and 256 (why Cast to bool is replaced)', () => {
    const viaStock = runKernel('wasm', stockCast, { x: { data: Float32Array.of(0.5, 256), shape: [2], dtype: 'float32' } }, { dtype: 'bool' });
    expect(Array.from(viaStock.values)).toEqual([0, 0]);
    expect(tf.tidy(() => tf.cast(tf.tensor1d([0.5, 256]), 'bool').arraySync())).toEqual([1, 1]);
  });

  it('strings go to the stock kernel', () => {
    const s = tf.tensor1d(['a', 'bc']);
    const c = tf.clone(s);
    expect(c.arraySync()).toEqual(['a', 'bc']);
    tf.dispose([s, c]);
  });

  it('tensors saved for a gradient cost no extra memory, and gradients are unchanged', async () => {
    // exp saves its output, mul its inputs: with copying clones each saved tensor exists twice.
    const x = tf.randomNormal([64, 1024], 0, 0.1, 'float32', 7);
    const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.exp(tf.exp(t)), t));
    const gradOurs = await measurePeakBytes(() => tf.tidy(() => tf.grad(f)(x)));
    unregisterTrainingKernels('wasm');
    let gradStock: { value: tf.Tensor; peakBytes: number };
    try {
      gradStock = await measurePeakBytes(() => tf.tidy(() => tf.grad(f)(x)));
    } finally {
      registerTrainingKernels('wasm');
    }
    expect(Array.from(gradOurs.value.dataSync())).toEqual(Array.from(gradStock.value.dataSync()));
    // One activation is 256 KiB; the stock run holds at least two more copies at its peak.
    expect(gradStock.peakBytes - gradOurs.peakBytes).toBeGreaterThanOrEqual(2 * 64 * 1024 * 4);
    tf.dispose([x, gradOurs.value, gradStock.value]);
  });
});
