// Which gradients does a conv net (conv, BatchNorm, ReLU, pooling, dense) and a contrastive loss
// (logSumExp, softmax cross-entropy, L2 normalisation, matMul, masks, gathers) need on wasm, and do
// they all run and agree with the cpu engine once this package's kernels are registered?
// The stock wasm engine is probed first (kernels not yet registered) to record what it lacks.
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@contrastive/core';
import { describe, expect, it } from 'vitest';
import { initBackend } from './node/init-backend.js';
import { registerTrainingKernels } from './register-kernels.js';

await initBackend({ prefer: 'cpu' });
await initBackend({ prefer: 'wasm', trainingKernels: false });

type Shape = readonly number[];
/** A probe: a scalar function of `x` (other operands are fixed random tensors made from `c`). */
interface Probe {
  readonly shape: Shape;
  readonly f: (x: tf.Tensor, c: (shape: Shape) => tf.Tensor) => tf.Tensor;
}

const weighted = (y: tf.Tensor, c: (shape: Shape) => tf.Tensor): tf.Scalar => tf.sum(tf.mul(y, c(y.shape)));
const idx = (values: number[]): tf.Tensor1D => tf.tensor1d(values, 'int32');

const PROBES: Readonly<Record<string, Probe>> = {
  'conv2d dx (same, stride 1)': { shape: [2, 5, 5, 3], f: (x, c) => weighted(tf.conv2d(x as tf.Tensor4D, c([3, 3, 3, 4]) as tf.Tensor4D, 1, 'same'), c) },
  'conv2d dW (same, stride 1)': { shape: [3, 3, 3, 4], f: (w, c) => weighted(tf.conv2d(c([2, 5, 5, 3]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), c) },
  'conv2d dx (valid, stride 2)': { shape: [2, 7, 6, 2], f: (x, c) => weighted(tf.conv2d(x as tf.Tensor4D, c([3, 2, 2, 3]) as tf.Tensor4D, 2, 'valid'), c) },
  'conv2d dW (valid, stride 2)': { shape: [3, 2, 2, 3], f: (w, c) => weighted(tf.conv2d(c([2, 7, 6, 2]) as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid'), c) },
  'conv2d dW (pad 1, stride 2)': { shape: [3, 3, 2, 2], f: (w, c) => weighted(tf.conv2d(c([1, 6, 6, 2]) as tf.Tensor4D, w as tf.Tensor4D, 2, 1), c) },
  'fused conv2d+bias+relu dW': {
    shape: [3, 3, 2, 3],
    f: (w, c) => weighted(tf.fused.conv2d({ x: c([2, 5, 5, 2]) as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias: c([3]), activation: 'relu' }), c),
  },
  'conv1d dW': { shape: [3, 2, 3], f: (w, c) => weighted(tf.conv1d(c([2, 8, 2]) as tf.Tensor3D, w as tf.Tensor3D, 1, 'same'), c) },
  'depthwiseConv2d dx': { shape: [1, 6, 6, 2], f: (x, c) => weighted(tf.depthwiseConv2d(x as tf.Tensor4D, c([3, 3, 2, 2]) as tf.Tensor4D, 1, 'same'), c) },
  'depthwiseConv2d dW (stride 2)': { shape: [3, 3, 2, 2], f: (w, c) => weighted(tf.depthwiseConv2d(c([1, 7, 7, 2]) as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'), c) },
  'separableConv2d depthwise dW': {
    shape: [3, 3, 2, 2],
    f: (w, c) => weighted(tf.separableConv2d(c([1, 6, 6, 2]) as tf.Tensor4D, w as tf.Tensor4D, c([1, 1, 4, 3]) as tf.Tensor4D, 1, 'same'), c),
  },
  'conv2dTranspose dx': { shape: [1, 3, 3, 3], f: (x, c) => weighted(tf.conv2dTranspose(x as tf.Tensor4D, c([3, 3, 2, 3]) as tf.Tensor4D, [1, 6, 6, 2], 2, 'same'), c) },
  'batchNorm (FusedBatchNorm) dx': {
    shape: [2, 4, 4, 3],
    f: (x, c) => weighted(tf.batchNorm(x, c([3]), tf.add(tf.abs(c([3])), 0.5), c([3]), c([3]), 1e-3), c),
  },
  'batchNorm dscale, doffset': {
    shape: [3],
    f: (s, c) => weighted(tf.batchNorm(c([2, 4, 4, 3]), c([3]), tf.add(tf.abs(c([3])), 0.5), s, s, 1e-3), c),
  },
  'BatchNorm via moments + broadcast arithmetic': {
    shape: [2, 4, 4, 3],
    f: (x, c) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2], true);
      return weighted(tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-3))), c([3])), c([3])), c);
    },
  },
  relu: { shape: [3, 5], f: (x, c) => weighted(tf.relu(x), c) },
  relu6: { shape: [3, 5], f: (x, c) => weighted(tf.relu6(tf.mul(x, 4)), c) },
  leakyRelu: { shape: [3, 5], f: (x, c) => weighted(tf.leakyRelu(x, 0.1), c) },
  elu: { shape: [3, 5], f: (x, c) => weighted(tf.elu(x), c) },
  prelu: { shape: [3, 5], f: (x, c) => weighted(tf.prelu(x, c([5])), c) },
  sigmoid: { shape: [3, 5], f: (x, c) => weighted(tf.sigmoid(x), c) },
  tanh: { shape: [3, 5], f: (x, c) => weighted(tf.tanh(x), c) },
  softplus: { shape: [3, 5], f: (x, c) => weighted(tf.softplus(x), c) },
  'add/sub/mul/div with broadcasting': { shape: [1, 4], f: (x, c) => weighted(tf.div(tf.mul(tf.sub(tf.add(x, c([3, 1])), c([4])), c([3, 4])), tf.add(tf.abs(c([3, 1])), 1)), c) },
  'maxPool 3x3 stride 2 same': { shape: [1, 7, 7, 2], f: (x, c) => weighted(tf.maxPool(x as tf.Tensor4D, 3, 2, 'same'), c) },
  'maxPool 2x2 valid': { shape: [2, 6, 6, 2], f: (x, c) => weighted(tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'), c) },
  'maxPool over negative windows (after BN, before ReLU)': { shape: [2, 4, 4, 3], f: (x, c) => weighted(tf.maxPool(tf.sub(tf.neg(tf.abs(x)), 0.1) as tf.Tensor4D, 2, 2, 'valid'), c) },
  'avgPool 3x3 stride 2 same': { shape: [1, 7, 7, 2], f: (x, c) => weighted(tf.avgPool(x as tf.Tensor4D, 3, 2, 'same'), c) },
  'global average pool (mean over H, W)': { shape: [2, 3, 3, 4], f: (x, c) => weighted(tf.mean(x, [1, 2]), c) },
  'sum / max / min over an axis': { shape: [3, 4], f: (x, c) => tf.add(tf.add(weighted(tf.sum(x, 1), c), weighted(tf.max(x, 1), c)), weighted(tf.min(x, 0), c)) },
  'dense: matMul + bias': { shape: [3, 4], f: (x, c) => weighted(tf.add(tf.matMul(x, c([4, 2])), c([2])), c) },
  'matMul dW, transposed B (similarity matrix)': { shape: [5, 4], f: (z, c) => weighted(tf.matMul(c([3, 4]), z, false, true), c) },
  'batched matMul': { shape: [2, 3, 4], f: (x, c) => weighted(tf.matMul(x, c([2, 4, 2])), c) },
  logSumExp: { shape: [3, 4], f: (x, c) => weighted(tf.logSumExp(x, 1), c) },
  logSoftmax: { shape: [3, 4], f: (x, c) => weighted(tf.logSoftmax(x), c) },
  softmax: { shape: [3, 4], f: (x, c) => weighted(tf.softmax(x), c) },
  'softmax cross-entropy (one-hot labels)': { shape: [3, 4], f: (x) => tf.losses.softmaxCrossEntropy(tf.oneHot(idx([1, 0, 2]), 4), x) },
  'sigmoid cross-entropy': { shape: [3, 4], f: (x) => tf.losses.sigmoidCrossEntropy(tf.ones([3, 4]), x) },
  'L2 normalise via tf.norm': { shape: [3, 4], f: (x, c) => weighted(tf.div(x, tf.norm(x, 'euclidean', 1, true)), c) },
  'L2 normalise via rsqrt(sum(x²))': { shape: [3, 4], f: (x, c) => weighted(tf.mul(x, tf.rsqrt(tf.sum(tf.square(x), 1, true))), c) },
  'mask via where(greater)': { shape: [3, 4], f: (x, c) => weighted(tf.where(tf.greater(c([3, 4]), 0), x, tf.mul(x, -2)), c) },
  'mask via 1 - eye (NT-Xent self-similarity)': { shape: [4, 4], f: (x, c) => weighted(tf.mul(x, tf.sub(1, tf.eye(4))), c) },
  'positives via one-hot matMul': { shape: [3, 4], f: (x, c) => weighted(tf.matMul(tf.oneHot(idx([2, 0, 1, 2]), 3, 1, 0, 'float32'), x), c) },
  'gather rows (memory bank read)': { shape: [4, 3], f: (x, c) => weighted(tf.gather(x, idx([2, 0, 3, 2])), c) },
  'gather along axis 1': { shape: [3, 4], f: (x, c) => weighted(tf.gather(x, idx([3, 0]), 1), c) },
  unsortedSegmentSum: { shape: [4, 3], f: (x, c) => weighted(tf.unsortedSegmentSum(x, idx([1, 0, 1, 2]), 3), c) },
  'concat / slice / stack / unstack / split': {
    shape: [3, 4],
    f: (x, c) => weighted(tf.concat([tf.slice(x, [0, 1], [3, 2]), tf.reshape(tf.stack(tf.unstack(x)), [3, 4]), tf.split(x, 2, 1)[1] as tf.Tensor], 1), c),
  },
  'transpose / tile / broadcastTo / reverse': { shape: [3, 4], f: (x, c) => weighted(tf.add(tf.tile(tf.transpose(tf.reverse(x, 1)), [1, 2]), tf.broadcastTo(c([1, 6]), [4, 6])), c) },
  'pad / mirrorPad': { shape: [3, 4], f: (x, c) => weighted(tf.mirrorPad(tf.pad(x, [[1, 1], [2, 0]]), [[1, 1], [1, 1]], 'reflect'), c) },
  'exp / log / sqrt / square / pow / abs': {
    shape: [5],
    f: (x, c) => weighted(tf.add(tf.add(tf.exp(x), tf.log(tf.add(tf.abs(x), 1))), tf.add(tf.sqrt(tf.add(tf.square(x), 1)), tf.pow(tf.abs(x), 3))), c),
  },
  'clip / maximum / minimum / squaredDifference': {
    shape: [5],
    f: (x, c) => weighted(tf.add(tf.add(tf.clipByValue(x, -0.5, 0.5), tf.maximum(x, c([5]))), tf.add(tf.minimum(x, c([5])), tf.squaredDifference(x, c([5])))), c),
  },
  cumsum: { shape: [3, 4], f: (x, c) => weighted(tf.cumsum(x, 1), c) },
  'resizeBilinear (augmentation)': { shape: [1, 3, 3, 2], f: (x, c) => weighted(tf.image.resizeBilinear(x as tf.Tensor4D, [5, 5]), c) },
  'sin / cos': { shape: [5], f: (x, c) => weighted(tf.add(tf.sin(x), tf.cos(x)), c) },
};

/** Gradients tfjs 4.22 cannot compute on any engine (no gradient registered, or it rejects the attrs). */
const UNSUPPORTED_BY_TFJS: Readonly<Record<string, Probe>> = {
  'dilated conv2d dW': { shape: [3, 3, 2, 2], f: (w, c) => weighted(tf.conv2d(c([1, 7, 7, 2]) as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NHWC', 2), c) },
  'gatherND': { shape: [3, 4], f: (x, c) => weighted(tf.gatherND(x, tf.tensor2d([[0, 1], [2, 3]], [2, 2], 'int32')), c) },
  'stridedSlice': { shape: [3, 4], f: (x, c) => weighted(tf.stridedSlice(x, [0, 0], [3, 4], [2, 2]), c) },
  'einsum': { shape: [3, 4], f: (x, c) => weighted(tf.einsum('ij,jk->ik', x, c([4, 2])), c) },
};

/** Runs every probe's gradient on `backend`; returns values or the first line of the error. */
let leaks: string[] = [];
async function probeAll(backend: string, probes: Readonly<Record<string, Probe>>): Promise<Map<string, Float32Array | string>> {
  await tf.setBackend(backend);
  const out = new Map<string, Float32Array | string>();
  for (const [name, probe] of Object.entries(probes)) {
    const before = tf.memory().numTensors;
    const rng = Rng.fromSeed(name.length * 7919 + name.charCodeAt(0));
    const x0 = rng.normalArray(probe.shape.reduce((a, b) => a * b, 1));
    const constants: Float32Array[] = [];
    try {
      const g = tf.tidy(() => {
        let k = 0;
        const c = (shape: Shape): tf.Tensor => {
          const size = shape.reduce((a, b) => a * b, 1);
          constants[k] ??= rng.normalArray(size); // same constants on every backend
          return tf.tensor(constants[k++] as Float32Array, [...shape]);
        };
        return tf.grad((x: tf.Tensor) => probe.f(x, c) as tf.Scalar)(tf.tensor(x0, [...probe.shape]));
      });
      out.set(name, Float32Array.from(g.dataSync()));
      g.dispose();
    } catch (e) {
      out.set(name, (e as Error).message.split('\n')[0] ?? String(e));
    }
    if (tf.memory().numTensors !== before) leaks.push(`${backend}/${name}: ${tf.memory().numTensors - before}`);
  }
  return out;
}

const failures = (results: Map<string, Float32Array | string>): string[] => [...results].filter(([, v]) => typeof v === 'string').map(([k]) => k);

const stock = await probeAll('wasm', PROBES);
const stockFailures = failures(stock);
// (tfjs's tape leaks tensors when a gradient throws: only the passes below are leak-checked.)
leaks = [];
registerTrainingKernels('wasm');
const tensorsBefore = tf.memory().numTensors;
const wasm = await probeAll('wasm', PROBES);
const tensorsAfter = tf.memory().numTensors;
const cpu = await probeAll('cpu', PROBES);
await tf.setBackend('wasm');

/** Max relative difference of each probe that ran on both, against the cpu engine. */
function errorsAgainstCpu(results: Map<string, Float32Array | string>): Map<string, number> {
  const errors = new Map<string, number>();
  for (const [name, v] of results) {
    const ref = cpu.get(name);
    if (typeof v === 'string' || typeof ref === 'string' || ref === undefined) continue;
    let abs = 0;
    let scale = 1;
    for (let i = 0; i < ref.length; i++) {
      abs = Math.max(abs, Math.abs((v[i] as number) - (ref[i] as number)));
      scale = Math.max(scale, Math.abs(ref[i] as number));
    }
    errors.set(name, abs / scale);
  }
  return errors;
}
const errors = errorsAgainstCpu(wasm);
const stockWrong = [...errorsAgainstCpu(stock)].filter(([, e]) => e > 1e-4).map(([k]) => k);
const worst = Math.max(...errors.values());
const worstName = [...errors].find(([, e]) => e === worst)?.[0];

describe('gradient probe: a conv net and the contrastive losses on wasm', () => {
  it(`the stock wasm engine fails ${stockFailures.length} of ${Object.keys(PROBES).length} probes: ${stockFailures.join('; ')}`, () => {
    // The gaps this package fills (tfjs 4.22): conv filter gradient, depthwise gradients, gather gradient.
    expect(stockFailures.sort()).toEqual(
      [
        'conv1d dW',
        'conv2d dW (pad 1, stride 2)',
        'conv2d dW (same, stride 1)',
        'conv2d dW (valid, stride 2)',
        'depthwiseConv2d dW (stride 2)',
        'depthwiseConv2d dx',
        'fused conv2d+bias+relu dW',
        'gather along axis 1',
        'gather rows (memory bank read)',
        'separableConv2d depthwise dW',
        'unsortedSegmentSum',
      ].sort(),
    );
    for (const name of stockFailures) expect(stock.get(name)).toMatch(/not registered for backend 'wasm'/);
  });

  it(`the stock wasm engine silently computes ${stockWrong.length} of them wrong: ${stockWrong.join('; ')}`, () => {
    // MaxPoolGrad misroutes windows whose maximum is negative; OneHot(float32) writes int bits.
    expect(stockWrong.sort()).toEqual(['maxPool 2x2 valid', 'maxPool over negative windows (after BN, before ReLU)', 'positives via one-hot matMul'].sort());
  });

  it(`with registerTrainingKernels('wasm') all ${Object.keys(PROBES).length} run and equal the cpu engine (max rel err ${worst.toExponential(1)}, in '${worstName}')`, () => {
    expect(failures(wasm).map((k) => `${k}: ${String(wasm.get(k))}`)).toEqual([]);
    expect(failures(cpu)).toEqual([]);
    for (const [name, e] of errors) expect(e, name).toBeLessThan(1e-4);
    expect(errors.size).toBe(Object.keys(PROBES).length);
  });

  it('leaks no tensors across the probes', () => {
    expect(leaks).toEqual([]);
    expect(tensorsAfter).toBe(tensorsBefore);
  });

  it(`tfjs itself has no gradient for: ${Object.keys(UNSUPPORTED_BY_TFJS).join(', ')} (fails on cpu too; use the alternatives)`, async () => {
    const onCpu = await probeAll('cpu', UNSUPPORTED_BY_TFJS);
    await tf.setBackend('wasm');
    expect(failures(onCpu).sort()).toEqual(Object.keys(UNSUPPORTED_BY_TFJS).sort());
  });
});
