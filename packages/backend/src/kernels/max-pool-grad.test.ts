import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@contrastive/core';
import { describe, expect, it } from 'vitest';
import { maxErrors, runKernel, startWasmAndCpu, stockKernel } from '../../test/kernel-harness.js';
import { maxPoolGradReference, maxPoolWithArgmaxReference, type PoolGeometry } from '../../test/reference.js';
import { registerTrainingKernels, unregisterTrainingKernels } from '../register-kernels.js';
import { makeMaxPoolGrad } from './max-pool-grad.js';
import { makeMaxPoolWithArgmax } from './max-pool-with-argmax.js';

await startWasmAndCpu();

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
interface PoolCase {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly pad: Pad;
  readonly dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined;
  /** Small integers (many ties, many all-negative windows) instead of normal values. */
  readonly ties: boolean;
  readonly seed: number;
}

function geometry(p: PoolCase): PoolGeometry | null {
  try {
    const info = tf.backend_util.computePool2DInfo([p.n, p.h, p.w, p.c], [p.kh, p.kw], [p.sh, p.sw], 1, p.pad, p.dimRoundingMode);
    if (info.outHeight < 1 || info.outWidth < 1) return null;
    // Every window must overlap the input (an all-padding window has no maximum).
    if ((info.outHeight - 1) * p.sh - info.padInfo.top >= p.h || (info.outWidth - 1) * p.sw - info.padInfo.left >= p.w) return null;
    if (info.padInfo.top >= p.kh || info.padInfo.left >= p.kw) return null;
    return { n: p.n, h: p.h, w: p.w, c: p.c, oh: info.outHeight, ow: info.outWidth, kh: p.kh, kw: p.kw, sh: p.sh, sw: p.sw, top: info.padInfo.top, left: info.padInfo.left };
  } catch {
    return null;
  }
}

const caseArb: fc.Arbitrary<PoolCase> = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }),
    h: fc.integer({ min: 1, max: 8 }),
    w: fc.integer({ min: 1, max: 8 }),
    c: fc.integer({ min: 1, max: 3 }),
    kh: fc.integer({ min: 1, max: 3 }),
    kw: fc.integer({ min: 1, max: 3 }),
    sh: fc.integer({ min: 1, max: 3 }),
    sw: fc.integer({ min: 1, max: 3 }),
    pad: fc.oneof(
      fc.constantFrom<Pad>('same', 'valid'),
      fc.integer({ min: 0, max: 1 }),
      fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 })).map(
        ([t, b, l, r]): Pad => [[0, 0], [t, b], [l, r], [0, 0]],
      ),
    ),
    dimRoundingMode: fc.constantFrom(undefined, 'floor' as const, 'ceil' as const),
    ties: fc.boolean(),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .map((p) => (typeof p.pad === 'number' ? p : { ...p, dimRoundingMode: undefined }))
  .filter((p) => geometry(p) !== null);

const subject = makeMaxPoolGrad('wasm');

function check(p: PoolCase): { vsCpu: number; vsReference: number; leakedDataIds: number; leakedHeapBytes: number } {
  const g = geometry(p)!;
  const rng = Rng.fromSeed(p.seed);
  const size = p.n * p.h * p.w * p.c;
  const x = p.ties ? Float32Array.from({ length: size }, () => rng.int(-3, 2)) : rng.normalArray(size);
  const dy = rng.normalArray(p.n * g.oh * g.ow * p.c);
  const attrs = { filterSize: [p.kh, p.kw], strides: [p.sh, p.sw], pad: p.pad, dimRoundingMode: p.dimRoundingMode };
  const xT = { data: x, shape: [p.n, p.h, p.w, p.c], dtype: 'float32' as const };
  const dyT = { data: dy, shape: [p.n, g.oh, g.ow, p.c], dtype: 'float32' as const };
  // The pooled output, as the engine hands it to the gradient (computed on cpu).
  const y = runKernel('cpu', stockKernel('MaxPool', 'cpu'), { x: xT }, attrs);
  const yT = { data: y.values, shape: y.shape, dtype: 'float32' as const };
  const inputs = { dy: dyT, input: xT, output: yT };
  const got = runKernel('wasm', subject, inputs, attrs);
  const cpu = runKernel('cpu', stockKernel('MaxPoolGrad', 'cpu'), inputs, attrs);
  const ref = maxPoolGradReference(g, x, dy);
  const rel = (e: { abs: number; scale: number }): number => e.abs / Math.max(1, e.scale);
  return {
    vsCpu: rel(maxErrors(got.values, cpu.values)),
    vsReference: rel(maxErrors(got.values, ref)),
    leakedDataIds: got.leakedDataIds,
    leakedHeapBytes: got.leakedHeapBytes,
  };
}

const cases = fc.sample(caseArb, { seed: 99, numRuns: 30 });
const results = cases.map(check);
const worstCpu = Math.max(...results.map((r) => r.vsCpu));
const worstRef = Math.max(...results.map((r) => r.vsReference));

describe('MaxPoolGrad (wasm replacement: the stock kernel loses all-negative windows)', () => {
  it(`equals the cpu kernel and the first-max reference on ${cases.length} random pools, ties included (max rel err ${worstCpu.toExponential(1)} / ${worstRef.toExponential(1)})`, () => {
    for (const r of results) {
      expect(r.vsCpu).toBeLessThan(1e-6);
      expect(r.vsReference).toBeLessThan(1e-6);
    }
    expect(cases.some((p) => p.ties)).toBe(true);
  });

  it('equals the reference on any pool (fast-check property)', () => {
    fc.assert(
      fc.property(caseArb, (p) => check(p).vsReference < 1e-6),
      { numRuns: 20 },
    );
  });

  it('frees every intermediate', () => {
    for (const r of results) {
      expect(r.leakedDataIds).toBe(0);
      expect(r.leakedHeapBytes).toBe(0);
    }
  });

  it('the stock wasm kernel is wrong on an all-negative window (why this one exists)', () => {
    const x = { data: Float32Array.from([-3, -1, -2, -4]), shape: [1, 2, 2, 1], dtype: 'float32' as const };
    const inputs = { dy: { data: Float32Array.of(1), shape: [1, 1, 1, 1], dtype: 'float32' as const }, input: x, output: { data: Float32Array.of(-1), shape: [1, 1, 1, 1], dtype: 'float32' as const } };
    const attrs = { filterSize: [2, 2], strides: [2, 2], pad: 'valid', dimRoundingMode: undefined };
    expect(Array.from(runKernel('wasm', subject, inputs, attrs).values)).toEqual([0, 1, 0, 0]);
    const registered = tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc;
    expect(registered).not.toBe(undefined);
    // What tfjs-backend-wasm 4.22 itself computes, from the kernel registered before ours:
    unregisterTrainingKernels('wasm');
    const stockOut = runKernel('wasm', stockKernel('MaxPoolGrad', 'wasm'), inputs, attrs).values;
    registerTrainingKernels('wasm');
    // It sends the gradient to the window's first element (-3), not to its maximum (-1).
    expect(Array.from(stockOut)).toEqual([1, 0, 0, 0]);
  });
});

describe('MaxPoolWithArgmax (wasm replacement: the stock kernel returns FLT_MIN for all-negative windows)', () => {
  const argmax = makeMaxPoolWithArgmax('wasm');
  const run = (p: PoolCase, includeBatchInIndex: boolean) => {
    const g = geometry(p)!;
    const rng = Rng.fromSeed(p.seed);
    const size = p.n * p.h * p.w * p.c;
    const x = p.ties ? Float32Array.from({ length: size }, () => rng.int(-3, 2)) : rng.normalArray(size);
    const backend = tf.findBackend('wasm') as tf.KernelBackend;
    const before = backend.numDataIds();
    const xi = { dataId: backend.write(x.slice(), [p.n, p.h, p.w, p.c], 'float32'), shape: [p.n, p.h, p.w, p.c], dtype: 'float32' as const };
    const [values, indexes] = argmax({ inputs: { x: xi }, backend, attrs: { filterSize: [p.kh, p.kw], strides: [p.sh, p.sw], pad: p.pad, includeBatchInIndex } }) as tf.TensorInfo[];
    const got = { values: Array.from(backend.readSync(values!.dataId) as Float32Array), indexes: Array.from(backend.readSync(indexes!.dataId) as Int32Array) };
    for (const t of [values!, indexes!, xi]) backend.disposeData(t.dataId);
    const ref = maxPoolWithArgmaxReference(g, x, includeBatchInIndex);
    return { got, ref, leaked: backend.numDataIds() - before };
  };
  // 'same'/'valid'/numeric pads without a rounding mode: the attributes MaxPoolWithArgmax has.
  const argmaxArb = caseArb.filter((p) => p.dimRoundingMode === undefined);

  it('values and first-max indexes equal the reference, with and without the batch in the index (fast-check)', () => {
    fc.assert(
      fc.property(argmaxArb, fc.boolean(), (p, includeBatch) => {
        const { got, ref, leaked } = run(p, includeBatch);
        expect(got.values).toEqual(Array.from(ref.values));
        expect(got.indexes).toEqual(Array.from(ref.indexes));
        expect(leaked).toBe(0);
      }),
      { numRuns: 20 },
    );
  });

  it('the stock wasm kernel gets an all-negative window wrong (why this one exists)', () => {
    unregisterTrainingKernels('wasm');
    const stock = stockKernel('MaxPoolWithArgmax', 'wasm');
    registerTrainingKernels('wasm');
    const backend = tf.findBackend('wasm') as tf.KernelBackend;
    const xi = { dataId: backend.write(Float32Array.from([-3, -1, -2, -4]), [1, 2, 2, 1], 'float32'), shape: [1, 2, 2, 1], dtype: 'float32' as const };
    const outs = stock({ inputs: { x: xi }, backend, attrs: { filterSize: [2, 2], strides: [2, 2], pad: 'valid', includeBatchInIndex: true } }) as tf.TensorInfo[];
    const value = (backend.readSync(outs[0]!.dataId) as Float32Array)[0];
    for (const t of [...outs, xi]) backend.disposeData(t.dataId);
    // It starts its running maximum at FLT_MIN, the smallest *positive* float; the maximum is -1.
    expect(value).toBe(new Float32Array([1.1754943508222875e-38])[0]);
  });
});
