// The oneDNN kernels against the cpu engine's stock kernels (and, for the gradients, the float64
// reference): random shapes, strides, paddings, dilations (forward), bias + activation, transposed
// and broadcast matrix products. Each kernel must actually run on oneDNN (no silent fallback).
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { Rng } from '@contrastive/core';
import { describe, expect, it } from 'vitest';
import { convGradientSuite } from '../../test/conv-suite.js';
import { convCaseArb, describeCase, geometryOf, relative, type ConvCase } from '../../test/conv-cases.js';
import { maxErrors, runKernel, stockKernel, type HostTensor } from '../../test/kernel-harness.js';
import { startOnednn } from '../../test/onednn-harness.js';
import { makeConv2DBackpropFilter } from '../kernels/conv2d-backprop-filter.js';
import { makeConv2DBackpropInput } from '../kernels/conv2d-backprop-input.js';
import { initBackend } from '../node/init-backend.js';
import { makeOnednnKernel, onednnConvGeometry, onednnKernelStats, onednnRefusals } from './kernels.js';

const { addon, reason } = await startOnednn();
const TOLERANCE = 1e-5;

const host = (data: Float32Array, shape: number[]): HostTensor => ({ data, shape, dtype: 'float32' });

if (addon === null) {
  describe('oneDNN kernels: the addon is not available on this machine', () => {
    it(`initBackend falls back to plain wasm and says why and how to get the fast path (${reason})`, async () => {
      const report = await initBackend();
      expect(report.engine).toBe('wasm');
      expect(report.attempts.find((a) => a.engine === 'wasm+onednn')?.ok).toBe(false);
      expect(report.notes.join('\n')).toMatch(/oneDNN fast path is off .*libdnnl-dev/);
    });
  });
} else {
  const onednn = addon;
  convGradientSuite({
    title: 'Conv2DBackpropInput on oneDNN',
    kind: 'input',
    depthwise: false,
    make: () => makeOnednnKernel(onednn, 'Conv2DBackpropInput', makeConv2DBackpropInput('wasm')),
    cpuVariant: false,
  });
  convGradientSuite({
    title: 'Conv2DBackpropFilter on oneDNN',
    kind: 'filter',
    depthwise: false,
    make: () => makeOnednnKernel(onednn, 'Conv2DBackpropFilter', makeConv2DBackpropFilter('wasm')),
    cpuVariant: false,
  });

  const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const;
  // The stock wasm kernels as fallbacks, as registration does (initBackend({prefer:'wasm'}) left them in place).
  const conv = makeOnednnKernel(onednn, 'Conv2D', stockKernel('Conv2D', 'wasm'));
  const fused = makeOnednnKernel(onednn, 'FusedConv2D', stockKernel('FusedConv2D', 'wasm'));

  /** Forward convolution of case `c` on oneDNN and on the cpu engine; relative error. */
  function forwardError(c: ConvCase, activation: (typeof ACTIVATIONS)[number] | null): number {
    const g = geometryOf(c, false);
    if (g === null) throw new Error(`invalid case ${describeCase(c)}`);
    const rng = Rng.fromSeed(c.seed);
    const inputs: Record<string, HostTensor> = {
      x: host(rng.normalArray(c.n * c.h * c.w * c.c), [c.n, c.h, c.w, c.c]),
      filter: host(rng.normalArray(c.kh * c.kw * c.c * c.co), [c.kh, c.kw, c.c, c.co]),
    };
    const attrs: Record<string, unknown> = {
      strides: [c.sh, c.sw],
      pad: c.pad.pad,
      dimRoundingMode: 'dimRoundingMode' in c.pad ? c.pad.dimRoundingMode : undefined,
      dataFormat: 'NHWC',
      dilations: [c.dh, c.dw],
    };
    if (activation !== null) {
      inputs['bias'] = host(rng.normalArray(c.co), [c.co]);
      attrs['activation'] = activation;
      attrs['leakyreluAlpha'] = 0.3;
    }
    const name = activation === null ? 'Conv2D' : 'FusedConv2D';
    const got = runKernel('wasm', activation === null ? conv : fused, inputs, attrs);
    const want = runKernel('cpu', stockKernel(name, 'cpu'), inputs, attrs);
    expect(got.shape).toEqual(want.shape);
    expect(got.leakedDataIds).toBe(0);
    expect(got.leakedHeapBytes).toBe(0);
    return relative(maxErrors(got.values, want.values));
  }

  const infoOf = (c: ConvCase) =>
    tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.c], [c.kh, c.kw, c.c, c.co], [c.sh, c.sw], [c.dh, c.dw], c.pad.pad, 'dimRoundingMode' in c.pad ? c.pad.dimRoundingMode : undefined);
  // tfjs sizes a numeric pad's width axis with the height's filter and stride; where that gives an
  // output that no non-negative pad produces, oneDNN is not used (and the stock wasm Conv2D, the
  // fallback, writes out of bounds there: a tfjs-backend-wasm 4.22 bug, tested separately below).
  const expressible = (c: ConvCase) => onednnConvGeometry(infoOf(c)) !== null;
  const forwardArb = convCaseArb({ depthwise: false, dilations: true }).filter(expressible);
  const quirk: ConvCase = { n: 1, h: 1, w: 1, c: 1, co: 1, kh: 2, kw: 1, sh: 1, sw: 1, dh: 2, dw: 1, pad: { pad: 1, dimRoundingMode: undefined }, seed: 0 };
  const forwardCases = fc.sample(forwardArb, { seed: 1414, numRuns: 24 });
  const forwardWorst = Math.max(...forwardCases.map((c) => forwardError(c, null)));
  const fusedWorst = Math.max(...forwardCases.map((c, i) => forwardError(c, ACTIVATIONS[i % ACTIVATIONS.length] as (typeof ACTIVATIONS)[number])));

  describe('Conv2D and FusedConv2D on oneDNN', () => {
    it(`Conv2D equals the cpu kernel on ${forwardCases.length} random geometries with dilations (max rel err ${forwardWorst.toExponential(1)})`, () => {
      expect(forwardWorst).toBeLessThan(TOLERANCE);
      expect(forwardCases.some((c) => c.dh > 1 || c.dw > 1)).toBe(true);
    });
    it(`FusedConv2D (bias + each activation) equals the cpu kernel (max rel err ${fusedWorst.toExponential(1)})`, () => {
      expect(fusedWorst).toBeLessThan(TOLERANCE);
    });
    it('Conv2D equals the cpu kernel on any geometry (fast-check property)', () => {
      fc.assert(fc.property(forwardArb, (c) => forwardError(c, null) < TOLERANCE), { numRuns: 30 });
    });
    it('a tfjs numeric-pad size that no pad expresses goes to the kernel it replaced', () => {
      expect(expressible(quirk)).toBe(false);
      let called = 0;
      const recorder: KernelFunc = (args) => {
        called++;
        return (args.backend as unknown as { makeOutput(s: number[], d: string): TensorInfo }).makeOutput([1, 1, 1, 1], 'float32');
      };
      const wrapped = makeOnednnKernel(onednn, 'Conv2D', recorder);
      const inputs = { x: host(new Float32Array(1), [1, 1, 1, 1]), filter: host(new Float32Array(2), [2, 1, 1, 1]) };
      const out = runKernel('wasm', wrapped, inputs, { strides: 1, pad: 1, dataFormat: 'NHWC', dilations: [2, 1] });
      expect(called).toBe(1);
      expect(out.leakedDataIds).toBe(0);
      expect([...onednnKernelStats.fallbackReasons.keys()].some((k) => k.startsWith('Conv2D: a geometry oneDNN cannot express'))).toBe(true);
    });
    it('FusedConv2D with PReLU (not covered) goes to the kernel it replaced', () => {
      const stock = tf.getKernel('FusedConv2D', 'wasm')?.kernelFunc;
      const wrapped = makeOnednnKernel(onednn, 'FusedConv2D', stock);
      const before = onednnKernelStats.fallback.get('FusedConv2D') ?? 0;
      const inputs = {
        x: host(new Float32Array(2 * 4 * 4 * 3).fill(1), [2, 4, 4, 3]),
        filter: host(new Float32Array(3 * 3 * 3 * 2).fill(-0.5), [3, 3, 3, 2]),
        preluActivationWeights: host(new Float32Array([0.1, 0.2]), [2]),
      };
      const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation: 'prelu' };
      const got = runKernel('wasm', wrapped, inputs, attrs);
      const want = runKernel('cpu', stockKernel('FusedConv2D', 'cpu'), inputs, attrs);
      expect(relative(maxErrors(got.values, want.values))).toBeLessThan(TOLERANCE);
      expect(onednnKernelStats.fallback.get('FusedConv2D')).toBe(before + 1);
    });
  });

  // ------------------------------------------------------------------------------ matrix products
  interface MatMulCase {
    readonly batchA: number[];
    readonly batchB: number[];
    readonly m: number;
    readonly k: number;
    readonly n: number;
    readonly transposeA: boolean;
    readonly transposeB: boolean;
    readonly seed: number;
  }
  const matmulArb: fc.Arbitrary<MatMulCase> = fc
    .record({
      batch: fc.integer({ min: 1, max: 4 }),
      broadcast: fc.constantFrom('none', 'a', 'b', 'rank2'),
      m: fc.integer({ min: 1, max: 17 }),
      k: fc.integer({ min: 1, max: 19 }),
      n: fc.integer({ min: 1, max: 13 }),
      transposeA: fc.boolean(),
      transposeB: fc.boolean(),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .map((r) => ({
      batchA: r.broadcast === 'rank2' ? [] : r.broadcast === 'a' ? [1] : [r.batch],
      batchB: r.broadcast === 'rank2' ? [] : r.broadcast === 'b' ? [1] : [r.batch],
      m: r.m,
      k: r.k,
      n: r.n,
      transposeA: r.transposeA,
      transposeB: r.transposeB,
      seed: r.seed,
    }));

  function matmulError(c: MatMulCase, withBias: boolean): number {
    const rng = Rng.fromSeed(c.seed);
    const aShape = [...c.batchA, ...(c.transposeA ? [c.k, c.m] : [c.m, c.k])];
    const bShape = [...c.batchB, ...(c.transposeB ? [c.n, c.k] : [c.k, c.n])];
    const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
    const inputs: Record<string, HostTensor> = { a: host(rng.normalArray(size(aShape)), aShape), b: host(rng.normalArray(size(bShape)), bShape) };
    const attrs: Record<string, unknown> = { transposeA: c.transposeA, transposeB: c.transposeB };
    if (withBias) {
      inputs['bias'] = host(rng.normalArray(c.n), [c.n]);
      attrs['activation'] = 'relu';
    }
    const name = withBias ? '_FusedMatMul' : 'BatchMatMul';
    const got = runKernel('wasm', makeOnednnKernel(onednn, name, undefined), inputs, attrs);
    const want = runKernel('cpu', stockKernel(name, 'cpu'), inputs, attrs);
    expect(got.shape).toEqual(want.shape);
    expect(got.leakedDataIds).toBe(0);
    return relative(maxErrors(got.values, want.values));
  }
  const matmulCases = fc.sample(matmulArb, { seed: 99, numRuns: 30 });
  const matmulWorst = Math.max(...matmulCases.map((c) => matmulError(c, false)));
  const fusedMatmulWorst = Math.max(...matmulCases.map((c) => matmulError(c, true)));

  describe('BatchMatMul and _FusedMatMul on oneDNN', () => {
    it(`BatchMatMul equals the cpu kernel on ${matmulCases.length} random cases: transposes, batch broadcast, rank 2 (max rel err ${matmulWorst.toExponential(1)})`, () => {
      expect(matmulWorst).toBeLessThan(TOLERANCE);
    });
    it(`_FusedMatMul (bias + ReLU) equals the cpu kernel (max rel err ${fusedMatmulWorst.toExponential(1)})`, () => {
      expect(fusedMatmulWorst).toBeLessThan(TOLERANCE);
    });
    it('BatchMatMul equals the cpu kernel on any case (fast-check property)', () => {
      fc.assert(fc.property(matmulArb, (c) => matmulError(c, false) < TOLERANCE), { numRuns: 30 });
    });
  });

  // ------------------------------------------------------------------ BatchNorm building blocks
  const affineArb = fc.record({
    n: fc.integer({ min: 1, max: 5 }),
    h: fc.integer({ min: 1, max: 9 }),
    w: fc.integer({ min: 1, max: 9 }),
    c: fc.integer({ min: 1, max: 40 }),
    activation: fc.constantFrom('linear', 'relu', 'leakyrelu'),
    bias: fc.boolean(),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });
  const channelAffine = makeOnednnKernel(onednn, 'FusedDepthwiseConv2D', undefined);
  const globalPool = makeOnednnKernel(onednn, 'AvgPool', undefined);
  function affineError(r: { n: number; h: number; w: number; c: number; activation: string; bias: boolean; seed: number }): number {
    const rng = Rng.fromSeed(r.seed);
    const inputs: Record<string, HostTensor> = {
      x: host(rng.normalArray(r.n * r.h * r.w * r.c), [r.n, r.h, r.w, r.c]),
      filter: host(rng.normalArray(r.c), [1, 1, r.c, 1]),
    };
    if (r.bias) inputs['bias'] = host(rng.normalArray(r.c), [r.c]);
    const attrs = { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], activation: r.activation, leakyreluAlpha: 0.1 };
    const got = runKernel('wasm', channelAffine, inputs, attrs);
    const want = runKernel('cpu', stockKernel('FusedDepthwiseConv2D', 'cpu'), inputs, attrs);
    expect(got.leakedDataIds).toBe(0);
    return relative(maxErrors(got.values, want.values));
  }
  function poolError(r: { n: number; h: number; w: number; c: number; seed: number }): number {
    const rng = Rng.fromSeed(r.seed);
    const inputs = { x: host(rng.normalArray(r.n * r.h * r.w * r.c), [r.n, r.h, r.w, r.c]) };
    const attrs = { filterSize: [r.h, r.w], strides: [r.h, r.w], pad: 'valid' };
    const got = runKernel('wasm', globalPool, inputs, attrs);
    const want = runKernel('cpu', stockKernel('AvgPool', 'cpu'), inputs, attrs);
    expect(got.shape).toEqual([r.n, 1, 1, r.c]);
    expect(got.leakedDataIds).toBe(0);
    return relative(maxErrors(got.values, want.values));
  }
  const affineCases = fc.sample(affineArb, { seed: 7, numRuns: 30 });
  const affineWorst = Math.max(...affineCases.map((r) => affineError(r)));
  const poolWorst = Math.max(...affineCases.map((r) => poolError(r)));

  describe('BatchNorm building blocks as native loops', () => {
    it(`1x1 FusedDepthwiseConv2D (per-channel scale, bias, ReLU / leaky ReLU) equals the cpu kernel (max rel err ${affineWorst.toExponential(1)})`, () => {
      expect(affineWorst).toBeLessThan(TOLERANCE);
      fc.assert(fc.property(affineArb, (r) => affineError(r) < TOLERANCE), { numRuns: 30 });
    });
    it(`whole-image AvgPool (per-image channel means) equals the cpu kernel (max rel err ${poolWorst.toExponential(1)})`, () => {
      expect(poolWorst).toBeLessThan(TOLERANCE);
      fc.assert(fc.property(affineArb, (r) => poolError(r) < TOLERANCE), { numRuns: 30 });
    });
    it('other depthwise convolutions and pools go to the kernels they replaced', () => {
      let called = 0;
      const recorder: KernelFunc = (args) => {
        called++;
        return (args.backend as unknown as { makeOutput(s: number[], d: string): TensorInfo }).makeOutput([1, 1, 1, 2], 'float32');
      };
      const x = host(new Float32Array(1 * 4 * 4 * 2), [1, 4, 4, 2]);
      runKernel('wasm', makeOnednnKernel(onednn, 'FusedDepthwiseConv2D', recorder), { x, filter: host(new Float32Array(9 * 2), [3, 3, 2, 1]) }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1 });
      runKernel('wasm', makeOnednnKernel(onednn, 'AvgPool', recorder), { x }, { filterSize: 2, strides: 2, pad: 'valid' });
      expect(called).toBe(2);
    });
  });

  describe('oneDNN did the work', () => {
    it('every covered call above ran on oneDNN: no refusal; fallbacks only for PReLU, NCHW and tfjs numeric-pad sizes oneDNN cannot express', () => {
      expect([...onednnRefusals.entries()]).toEqual([]);
      for (const name of ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'BatchMatMul', '_FusedMatMul']) {
        expect(onednnKernelStats.onednn.get(name) ?? 0, name).toBeGreaterThan(20);
      }
      const allowed = /: (PReLU activation|NCHW data format|a geometry oneDNN cannot express .*|not a 1x1 filter with channel multiplier 1|not a whole-image window)$/;
      const reasons = [...onednnKernelStats.fallbackReasons.keys()];
      expect(reasons.filter((r) => !allowed.test(r))).toEqual([]);
      // The quirk (tfjs sizes a numeric pad's width axis with the height's filter) is rare: most calls ran on oneDNN.
      const fallbacks = [...onednnKernelStats.fallback.values()].reduce((a, b) => a + b, 0);
      const native = [...onednnKernelStats.onednn.values()].reduce((a, b) => a + b, 0);
      expect(fallbacks).toBeLessThan(native / 5);
      const info = onednn.info();
      expect(info.primitives).toBeGreaterThan(0);
      expect(Object.values(info.implementations).every((impl) => impl !== '')).toBe(true);
    });
  });
}
