/**
 * Conv2DBackpropFilter on wasm: the convolution form vs the im2col + GEMM form, on the layer shapes
 * of the CIFAR ResNet-18 training step (2N views), alternating the two in each repetition.
 *   npx tsx --conditions=contrastive-source bench/filter-gradient-variants.ts [--views 128] [--widths 16,32,64,128]
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadavg } from 'node:os';
import { initBackend } from '../src/node/index.js';
import { makeConv2DBackpropFilter } from '../src/kernels/conv2d-backprop-filter.js';

const arg = (n: string, d: string): string => {
  const i = process.argv.indexOf(`--${n}`);
  return i >= 0 ? (process.argv[i + 1] as string) : d;
};
const views = Number(arg('views', '128'));
const widths = arg('widths', '16,32,64,128').split(',').map(Number);
await initBackend({ prefer: 'wasm' });
console.log(`# Conv2DBackpropFilter conv vs matmul, ${views} views, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const shapes: { hw: number; ci: number; co: number; k: number; s: number }[] = [{ hw: 32, ci: 3, co: widths[0]!, k: 3, s: 1 }];
widths.forEach((w, i) => {
  const hw = 32 >> i;
  if (i > 0) {
    shapes.push({ hw: hw * 2, ci: widths[i - 1]!, co: w, k: 3, s: 2 }, { hw: hw * 2, ci: widths[i - 1]!, co: w, k: 1, s: 2 });
  }
  shapes.push({ hw, ci: w, co: w, k: 3, s: 1 });
});
const variants = { conv: makeConv2DBackpropFilter('wasm', undefined, 'conv'), matmul: makeConv2DBackpropFilter('wasm', undefined, 'matmul') };
const backend = tf.backend();
let totals = { conv: 0, matmul: 0 };
for (const sh of shapes) {
  const x = tf.randomNormal([views, sh.hw, sh.hw, sh.ci]);
  const oh = Math.ceil(sh.hw / sh.s);
  const dy = tf.randomNormal([views, oh, oh, sh.co]);
  const best = { conv: Infinity, matmul: Infinity };
  let err = 0;
  for (let r = 0; r < 3; r++) {
    const outs: Record<string, Float32Array> = {};
    for (const [name, fn] of Object.entries(variants)) {
      const t0 = performance.now();
      const info = fn({ inputs: { x, dy }, backend, attrs: { strides: [sh.s, sh.s], pad: 'same', dataFormat: 'NHWC', filterShape: [sh.k, sh.k, sh.ci, sh.co] } }) as tf.TensorInfo;
      const t = tf.engine().makeTensorFromTensorInfo(info);
      outs[name] = t.dataSync() as Float32Array;
      const dt = performance.now() - t0;
      t.dispose();
      best[name as 'conv'] = Math.min(best[name as 'conv'], dt);
    }
    const a = outs.conv!, b = outs.matmul!;
    let m = 0, s = 0;
    for (let i = 0; i < a.length; i++) { m = Math.max(m, Math.abs(a[i]! - b[i]!)); s = Math.max(s, Math.abs(a[i]!)); }
    err = Math.max(err, m / Math.max(1, s));
  }
  totals = { conv: totals.conv + best.conv, matmul: totals.matmul + best.matmul };
  console.log(`x[${views},${sh.hw},${sh.hw},${sh.ci}] k${sh.k} s${sh.s} -> ${sh.co}: conv ${best.conv.toFixed(1)} ms, matmul ${best.matmul.toFixed(1)} ms, conv/matmul ${(best.conv / best.matmul).toFixed(2)}x, rel diff ${err.toExponential(1)}`);
  tf.dispose([x, dy]);
}
console.log(`total: conv ${totals.conv.toFixed(0)} ms, matmul ${totals.matmul.toFixed(0)} ms; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
process.exit(0);
