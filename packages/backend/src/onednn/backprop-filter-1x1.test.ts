// Regression: Conv2DBackpropFilter of a strided 1x1 convolution with fewer input channels than the
// ISA's channel block (a ResNet-18 x0.125 downsample shortcut: 56x56x8 -> 28x28x16, stride 2).
// oneDNN 2.6.3 runs it as jit_1x1 with a "reduce to unit stride" copy that writes past its scratch
// buffer for such channel counts: the process died with SIGSEGV (or "munmap_chunk(): invalid
// pointer"), and on AVX2 the filter gradient came out wrong. The addon now gathers the strided input
// itself and runs the stride-1 convolution; these calls must match the cpu kernel.
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@contrastive/core';
import { describe, expect, it } from 'vitest';
import { relative } from '../../test/conv-cases.js';
import { maxErrors, runKernel, stockKernel, type HostTensor } from '../../test/kernel-harness.js';
import { startOnednn } from '../../test/onednn-harness.js';
import { makeOnednnKernel, onednnKernelStats, onednnRefusals } from './kernels.js';

const { addon, reason } = await startOnednn();
const TOLERANCE = 1e-5;

interface Case {
  readonly n: number;
  readonly h: number;
  readonly c: number;
  readonly o: number;
  readonly stride: number;
  readonly pad: 'valid' | 'same' | number;
}

const CASES: readonly Case[] = [
  { n: 8, h: 56, c: 8, o: 16, stride: 2, pad: 'valid' }, // the ResNet-18 x0.125 shortcut at 224 px, batch 8
  { n: 1, h: 112, c: 4, o: 8, stride: 2, pad: 'valid' },
  { n: 2, h: 40, c: 4, o: 16, stride: 2, pad: 'same' },
  { n: 1, h: 30, c: 20, o: 8, stride: 3, pad: 1 }, // a channel tail above one block, and padding taps
];

const describeCase = (k: Case) => `${k.n}x${k.h}x${k.h}x${k.c} -> ${k.o}, 1x1 stride ${k.stride}, pad ${JSON.stringify(k.pad)}`;

if (addon === null) {
  describe('strided 1x1 Conv2DBackpropFilter on oneDNN', () => {
    it(`is not run: the oneDNN addon is not available on this machine (${reason})`, () => {
      expect(reason).not.toBe('');
    });
  });
} else {
  const onednn = addon;
  const kernel = makeOnednnKernel(onednn, 'Conv2DBackpropFilter', stockKernel('Conv2DBackpropFilter', 'wasm'));

  describe('strided 1x1 Conv2DBackpropFilter on oneDNN (few input channels)', () => {
    for (const k of CASES) {
      it(`equals the cpu kernel: ${describeCase(k)}`, () => {
        const info = tf.backend_util.computeConv2DInfo([k.n, k.h, k.h, k.c], [1, 1, k.c, k.o], k.stride, 1, k.pad);
        const [, oh, ow] = info.outShape;
        const rng = Rng.fromSeed(k.h * 100 + k.c);
        const host = (shape: number[]): HostTensor => ({ data: rng.normalArray(shape.reduce((a, b) => a * b, 1)), shape, dtype: 'float32' });
        const inputs = { x: host([k.n, k.h, k.h, k.c]), dy: host([k.n, oh as number, ow as number, k.o]) };
        const attrs = { strides: [k.stride, k.stride], pad: k.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [1, 1, k.c, k.o] };
        const before = onednnKernelStats.onednn.get('Conv2DBackpropFilter') ?? 0;
        const got = runKernel('wasm', kernel, inputs, attrs);
        expect(onednnKernelStats.onednn.get('Conv2DBackpropFilter') ?? 0).toBe(before + 1);
        expect(onednnRefusals.has('Conv2DBackpropFilter')).toBe(false);
        const want = runKernel('cpu', stockKernel('Conv2DBackpropFilter', 'cpu'), inputs, attrs);
        expect(got.shape).toEqual([1, 1, k.c, k.o]);
        expect(got.leakedDataIds).toBe(0);
        expect(got.leakedHeapBytes).toBe(0);
        expect(relative(maxErrors(got.values, want.values))).toBeLessThan(TOLERANCE);
      });
    }

    it('built no strided or padded 1x1 backward-weights primitive (the oneDNN path that corrupts memory)', () => {
      // Cache keys: "2:n,h,w,c,kh,kw,o,oh,ow,sh,sw,dh,dw,pt,pl,pb,pr,..." for backward weights.
      const keys = Object.keys(onednn.info().implementations).filter((key) => key.startsWith('2:'));
      expect(keys.length).toBeGreaterThan(0);
      const strided1x1 = keys.filter((key) => {
        const f = key.slice(2).split(',').map(Number);
        return f[4] === 1 && f[5] === 1 && (f[9] !== 1 || f[10] !== 1 || f.slice(13, 17).some((p) => p !== 0));
      });
      expect(strided1x1).toEqual([]);
    });
  });
}
