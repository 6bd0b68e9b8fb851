// 300 training steps of a conv net on wasm+onednn: no tensor, wasm-heap or native memory growth.
// Native memory (oneDNN primitives, reordered filters, scratchpads) is measured as process RSS
// after the caches have reached their steady state (step 100) and at the end (step 300).
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@contrastive/core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../node/init-backend.js';
import { wasmHeapStats } from '../memory-guard.js';
import { startOnednn } from '../../test/onednn-harness.js';
import { onednnKernelStats } from './kernels.js';

const { addon, reason } = await startOnednn();
const MIB = 1024 ** 2;

if (addon === null) {
  describe('wasm+onednn memory over 300 steps', () => {
    it(`does not apply here: the oneDNN addon is unavailable (${reason})`, () => {
      expect(reason).not.toBe('');
    });
  });
} else {
  const report = await initBackend({ prefer: 'wasm+onednn' });
  // A small filter cache, so that its steady state comes early: training makes new filter
  // tensors every step, and each reordered copy of a retired one must age out.
  addon.setFilterCacheBytes(4 * MIB);
  const rng = Rng.fromSeed(3);
  const N = 16;
  const shapes: Record<string, number[]> = { w1: [3, 3, 3, 64], w2: [3, 3, 64, 64], w3: [1, 1, 64, 32], dense: [32, 10] };
  const v = Object.fromEntries(
    Object.entries(shapes).map(([name, shape]) => {
      const size = shape.reduce((a, b) => a * b, 1);
      return [name, tf.variable(tf.tensor(rng.normalArray(size, 0, Math.sqrt(2 / (size / (shape.at(-1) as number)))), shape), true, `mem-${name}`)];
    }),
  ) as Record<string, tf.Variable>;
  const x = tf.tensor4d(rng.normalArray(N * 16 * 16 * 3), [N, 16, 16, 3]);
  const y = tf.oneHot(tf.tensor1d(Int32Array.from({ length: N }, (_, i) => i % 10), 'int32'), 10);
  const loss = (): tf.Scalar => {
    let h = tf.relu(tf.conv2d(x, v['w1'] as tf.Tensor4D, 1, 'same'));
    h = tf.relu(tf.conv2d(h, v['w2'] as tf.Tensor4D, 2, 'same'));
    h = tf.conv2d(h, v['w3'] as tf.Tensor4D, 1, 'valid');
    const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
    return tf.losses.softmaxCrossEntropy(y, tf.matMul(pooled, v['dense'] as tf.Tensor2D)) as tf.Scalar;
  };
  const optimizer = tf.train.sgd(0.01);
  const step = (): number => {
    const l = optimizer.minimize(loss, true) as tf.Scalar;
    const value = l.dataSync()[0] as number;
    l.dispose();
    return value;
  };
  const sample = () => ({ rss: process.memoryUsage().rss, tensors: tf.memory().numTensors, heapLive: wasmHeapStats().liveBytes, info: addon.info() });
  const losses: number[] = [];
  for (let i = 0; i < 100; i++) losses.push(step());
  global.gc?.();
  const at100 = sample();
  for (let i = 100; i < 300; i++) losses.push(step());
  global.gc?.();
  const at300 = sample();
  const growth = (at300.rss - at100.rss) / MIB;

  describe('wasm+onednn memory over 300 steps', () => {
    it('ran on oneDNN (convolutions and their gradients)', () => {
      expect(report.engine).toBe('wasm+onednn');
      for (const name of ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter']) expect(onednnKernelStats.onednn.get(name) ?? 0).toBeGreaterThanOrEqual(300);
      expect(losses.at(-1)).toBeLessThan(losses[0] as number);
    });
    it('tensors and wasm heap bytes are unchanged from step 100 to step 300', () => {
      expect(at300.tensors).toBe(at100.tensors);
      expect(at300.heapLive).toBe(at100.heapLive);
    });
    it('no new primitives after the first steps, and the filter cache stays within its bound', () => {
      expect(at300.info.primitives).toBe(at100.info.primitives);
      expect(at300.info.primitivesCreated).toBe(at100.info.primitivesCreated);
      expect(at300.info.cachedFilterBytes).toBeLessThanOrEqual(4 * MIB);
      expect(at300.info.filterReorders).toBeGreaterThan(at100.info.filterReorders); // new filters every step: the cache does turn over
    });
    it(`resident memory is bounded: ${growth.toFixed(1)} MiB growth over steps 100-300 (bound 24 MiB; a leaked reordered filter per step would be 2 x 144 KiB x 200 = 56 MiB)`, () => {
      expect(growth).toBeLessThan(24);
    });
  });
}
