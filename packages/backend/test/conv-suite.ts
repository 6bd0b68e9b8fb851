/**
 * The shared test suite of the four convolution gradient kernels: equality with the cpu backend's
 * stock kernel and with the float64 reference on a fixed sample of random geometries (max error in
 * the test name), the same as a shrinking fast-check property, a leak check, and the NCHW error.
 */
import fc from 'fast-check';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { BackendError } from '@contrastive/core';
import { describe, expect, it } from 'vitest';
import {
  CONV_TOLERANCE,
  checkConvGradient,
  convCaseArb,
  describeCase,
  relative,
  summarise,
  type ConvCase,
  type GradientKind,
} from './conv-cases.js';
import { runKernel } from './kernel-harness.js';

/** Options of {@link convGradientSuite}. */
export interface ConvSuiteOptions {
  readonly title: string;
  readonly kind: GradientKind;
  readonly depthwise: boolean;
  readonly make: (backendName: string) => KernelFunc;
  /** Also check the kernel built for the cpu backend (where it replaces the stock one). */
  readonly cpuVariant: boolean;
}

/** Declares the suite. Call after the wasm and cpu engines have started (top-level await). */
export function convGradientSuite(o: ConvSuiteOptions): void {
  const arb = convCaseArb({ depthwise: o.depthwise, dilations: o.depthwise });
  const cases = fc.sample(arb, { seed: 424242, numRuns: 24 });
  const subject = o.make('wasm');
  const results = cases.map((c) => checkConvGradient(o.kind, o.depthwise, c, subject));
  const summary = summarise(results);

  describe(o.title, () => {
    it(`equals the cpu kernel and the float64 reference on ${cases.length} random geometries (max rel err vs cpu ${summary.cpu}, vs reference ${summary.reference})`, () => {
      results.forEach((r, i) => {
        const what = describeCase(cases[i]!);
        expect(relative(r.vsReference), what).toBeLessThan(CONV_TOLERANCE);
        if (r.vsCpu !== null) expect(relative(r.vsCpu), what).toBeLessThan(CONV_TOLERANCE);
      });
      // The sample covers the attributes it claims to.
      expect(new Set(cases.map((c) => typeof c.pad.pad)).size).toBeGreaterThanOrEqual(3);
      expect(cases.some((c) => c.sh > 1 || c.sw > 1)).toBe(true);
    });

    it('equals them on any geometry (fast-check property; shrinks a failure to a minimal case)', () => {
      fc.assert(
        fc.property(arb, (c) => {
          const r = checkConvGradient(o.kind, o.depthwise, c, subject);
          return relative(r.vsReference) < CONV_TOLERANCE && (r.vsCpu === null || relative(r.vsCpu) < CONV_TOLERANCE);
        }),
        { numRuns: 20 },
      );
    });

    it("infers dimRoundingMode from dy's shape when it is missing (tfjs's conv2d gradient drops it)", () => {
      // x [1,6,6,2], 3x3 filter, stride 2, pad 1: 'ceil' gives a 4x4 output, the default 3x3.
      const ceil: ConvCase = { n: 1, h: 6, w: 6, c: 2, co: 2, kh: 3, kw: 3, sh: 2, sw: 2, dh: 1, dw: 1, pad: { pad: 1, dimRoundingMode: 'ceil' }, seed: 5 };
      const rounded = [ceil, ...cases.filter((c) => typeof c.pad.pad === 'number' && 'dimRoundingMode' in c.pad && c.pad.dimRoundingMode !== undefined)];
      for (const c of rounded) {
        const r = checkConvGradient(o.kind, o.depthwise, c, subject, 'wasm', true);
        expect(relative(r.vsReference), describeCase(c)).toBeLessThan(CONV_TOLERANCE);
      }
    });

    it('frees every intermediate (backend data ids and wasm heap bytes unchanged)', () => {
      for (const r of results) {
        expect(r.leakedDataIds).toBe(0);
        expect(r.leakedHeapBytes).toBe(0);
      }
    });

    if (o.cpuVariant) {
      it('built for the cpu backend, equals the stock cpu kernel (it can replace it there)', () => {
        const cpuSubject = o.make('cpu');
        for (const c of cases.slice(0, 12)) {
          const r = checkConvGradient(o.kind, o.depthwise, c, cpuSubject, 'cpu');
          expect(r.leakedDataIds, describeCase(c)).toBe(0);
          expect(relative(r.vsReference), describeCase(c)).toBeLessThan(CONV_TOLERANCE);
        }
      });
    }

    it('throws BackendError for the NCHW layout instead of computing wrong numbers', () => {
      const x = { data: new Float32Array(2 * 3 * 3 * 2), shape: [2, 3, 3, 2], dtype: 'float32' as const };
      const dy = { data: new Float32Array(2 * 3 * 3 * 2), shape: [2, 3, 3, 2], dtype: 'float32' as const };
      const f = { data: new Float32Array(3 * 3 * 2 * 1), shape: [3, 3, 2, 1], dtype: 'float32' as const };
      const attrs = { strides: 1, pad: 'same', dataFormat: 'NCHW', dilations: 1, filterShape: [3, 3, 2, 1], inputShape: [2, 3, 3, 2] };
      const inputs = o.kind === 'filter' ? { x, dy } : { dy, filter: f };
      expect(() => runKernel('wasm', subject, inputs, attrs)).toThrow(BackendError);
      expect(() => runKernel('wasm', subject, inputs, attrs)).toThrow(/dataFormat 'NHWC'/);
    });
  });
}
