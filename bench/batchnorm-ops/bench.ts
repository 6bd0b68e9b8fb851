/**
 * The per-channel operations of a training-mode BatchNorm on the wasm engine, each way it can be
 * written with tfjs kernels, on the activation shapes of the small CIFAR ResNet-18 (128 views):
 * the measurements behind the choices in packages/encoders/src/batch-norm.ts.
 *
 * - channel sums `[N, H, W, C] -> [C]`: one `tf.sum` over the leading axes; two steps over
 *   `[M / 32, 32, C]`; an average pool over the whole image times H·W, then a sum over N;
 * - the affine map + ReLU: `relu(x * scale + shift)` as three kernels; tfjs's fused `batchNorm`
 *   kernel (+ relu); one 1x1 depthwise convolution with bias and ReLU (`FusedDepthwiseConv2D`).
 *
 * Each timing is the mean of 8 calls on a fresh input (a new tensor each time, as in training).
 * Run from the repository root:
 *   npx tsx --conditions=contrastive-source bench/batchnorm-ops/bench.ts
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadavg } from 'node:os';
import { initBackend } from '@contrastive/backend/node';

function time(f: (t: tf.Tensor) => tf.Tensor, make: () => tf.Tensor): number {
  const runs = 8;
  let total = 0;
  for (let i = 0; i < runs + 2; i++) {
    const fresh = make();
    fresh.dataSync();
    const t0 = performance.now();
    const r = f(fresh);
    r.dataSync();
    if (i >= 2) total += performance.now() - t0;
    tf.dispose([r, fresh]);
  }
  return total / runs;
}

const report = await initBackend({ prefer: 'wasm' });
console.log(`# BatchNorm building blocks on ${report.engine} (${report.threads} threads, SIMD ${report.simd}); load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('| activation [N,H,W,C] | sum: one tf.sum | sum: two steps | sum: avgPool + sum | relu(x*s+b): 3 kernels | tf.batchNorm + relu | 1x1 depthwise (bias, relu) |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const [n, h, c] of [[128, 32, 16], [128, 16, 32], [128, 8, 64], [128, 4, 128]] as const) {
  const x = tf.randomNormal([n, h, h, c]) as tf.Tensor4D;
  const scale = tf.randomNormal([c]);
  const shift = tf.randomNormal([c]);
  const variance = tf.randomUniform([c], 0.5, 2);
  const make = () => tf.relu(x);
  const m = n * h * h;
  const depthwise = (t: tf.Tensor) =>
    tf.engine().runKernel('FusedDepthwiseConv2D', { x: t, filter: tf.reshape(scale, [1, 1, c, 1]), bias: shift }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], activation: 'relu' } as unknown as tf.NamedAttrMap) as tf.Tensor;
  const ms = [
    time((t) => tf.sum(t, [0, 1, 2]), make),
    time((t) => tf.tidy(() => tf.sum(tf.sum(tf.reshape(t, [m / 32, 32, c]), 1), 0)), make),
    time((t) => tf.tidy(() => tf.mul(tf.sum(tf.reshape(tf.avgPool(t as tf.Tensor4D, [h, h], [h, h], 'valid'), [n, c]), 0), h * h)), make),
    time((t) => tf.tidy(() => tf.relu(tf.add(tf.mul(t, scale), shift))), make),
    time((t) => tf.tidy(() => tf.relu(tf.batchNorm(t, shift, variance, shift, scale, 1e-5))), make),
    time((t) => tf.tidy(() => depthwise(t)), make),
  ];
  // The depthwise form must equal the three-kernel form.
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(depthwise(x), tf.relu(tf.add(tf.mul(x, scale), shift))))).dataSync()[0] as number);
  if (diff > 1e-5) throw new Error(`depthwise affine differs from multiply + add by ${diff}`);
  console.log(`| [${n},${h},${h},${c}] | ${ms.map((v) => `${v.toFixed(2)} ms`).join(' | ')} |`);
  tf.dispose([x, scale, shift, variance]);
}
process.exit(0);
