/**
 * Random convolution geometries for the gradient-kernel tests (fast-check), and one function that
 * checks a gradient kernel on one geometry against the cpu backend's stock kernel and the naive
 * float64 reference.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { Rng } from '@contrastive/core';
import { convGradientsReference, type ConvGeometry } from './reference.js';
import { maxErrors, runKernel, stockKernel } from './kernel-harness.js';

type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];
/** A padding attribute, with the rounding mode that may go with a numeric pad. */
export type PadSpec =
  | { readonly pad: 'same' | 'valid' | ExplicitPad }
  | { readonly pad: number; readonly dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined };

/** One random convolution. `co` is the output channels, or the channel multiplier when depthwise. */
export interface ConvCase {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly co: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  readonly pad: PadSpec;
  readonly seed: number;
}

const padArb: fc.Arbitrary<PadSpec> = fc.oneof(
  fc.constantFrom<PadSpec>({ pad: 'same' }, { pad: 'valid' }),
  fc.record({ pad: fc.integer({ min: 0, max: 2 }), dimRoundingMode: fc.constantFrom(undefined, 'floor' as const, 'round' as const, 'ceil' as const) }),
  fc
    .tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 }))
    .map(([t, b, l, r]): PadSpec => ({ pad: [[0, 0], [t, b], [l, r], [0, 0]] })),
);

/** Geometry of `c` as tfjs computes it, or null when the convolution has no output. */
export function geometryOf(c: ConvCase, depthwise: boolean): ConvGeometry | null {
  try {
    const info = tf.backend_util.computeConv2DInfo(
      [c.n, c.h, c.w, c.c],
      [c.kh, c.kw, c.c, c.co],
      [c.sh, c.sw],
      [c.dh, c.dw],
      c.pad.pad,
      'dimRoundingMode' in c.pad ? c.pad.dimRoundingMode : undefined,
      depthwise,
    );
    if (info.outHeight < 1 || info.outWidth < 1) return null;
    return {
      n: c.n, h: c.h, w: c.w, c: c.c, oh: info.outHeight, ow: info.outWidth, kh: c.kh, kw: c.kw, sh: c.sh, sw: c.sw,
      dh: c.dh, dw: c.dw, top: info.padInfo.top, left: info.padInfo.left, co: c.co, depthwise,
    };
  } catch {
    return null;
  }
}

/** Random convolution cases with an output of at least 1 × 1. */
export function convCaseArb(options: { readonly depthwise: boolean; readonly dilations: boolean }): fc.Arbitrary<ConvCase> {
  return fc
    .record({
      n: fc.integer({ min: 1, max: 3 }),
      h: fc.integer({ min: 1, max: 9 }),
      w: fc.integer({ min: 1, max: 9 }),
      c: fc.integer({ min: 1, max: 4 }),
      co: fc.integer({ min: 1, max: options.depthwise ? 3 : 4 }),
      kh: fc.integer({ min: 1, max: 4 }),
      kw: fc.integer({ min: 1, max: 4 }),
      sh: fc.integer({ min: 1, max: 3 }),
      sw: fc.integer({ min: 1, max: 3 }),
      dh: options.dilations ? fc.integer({ min: 1, max: 2 }) : fc.constant(1),
      dw: options.dilations ? fc.integer({ min: 1, max: 2 }) : fc.constant(1),
      pad: padArb,
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .filter((c) => geometryOf(c, options.depthwise) !== null);
}

/** A short description of a case, for failure messages. */
export function describeCase(c: ConvCase): string {
  const pad = typeof c.pad.pad === 'object' ? JSON.stringify(c.pad.pad.slice(1, 3)) : String(c.pad.pad);
  const mode = 'dimRoundingMode' in c.pad && c.pad.dimRoundingMode !== undefined ? `/${c.pad.dimRoundingMode}` : '';
  return `x[${c.n},${c.h},${c.w},${c.c}] k${c.kh}x${c.kw}x${c.co} s${c.sh},${c.sw} d${c.dh},${c.dw} pad ${pad}${mode}`;
}

/** Which gradient: of the filter or of the input; regular or depthwise. */
export type GradientKind = 'filter' | 'input';

const KERNEL_NAMES = {
  regular: { filter: 'Conv2DBackpropFilter', input: 'Conv2DBackpropInput' },
  depthwise: { filter: 'DepthwiseConv2dNativeBackpropFilter', input: 'DepthwiseConv2dNativeBackpropInput' },
} as const;

/** Errors of one kernel on one case. */
export interface CaseResult {
  /** Against the cpu backend's stock kernel; null when the stock kernel cannot compute the case (dilations). */
  readonly vsCpu: { readonly abs: number; readonly scale: number } | null;
  /** Against the float64 reference. */
  readonly vsReference: { readonly abs: number; readonly scale: number };
  readonly leakedDataIds: number;
  readonly leakedHeapBytes: number;
}

/** Runs `subject` (a kernel function for backend `backendName`) on case `c`. */
export function checkConvGradient(
  kind: GradientKind,
  depthwise: boolean,
  c: ConvCase,
  subject: KernelFunc,
  backendName = 'wasm',
  /** Call the kernel without dimRoundingMode, as tfjs 4.22's conv2d gradient does (no cpu comparison then). */
  dropRoundingMode = false,
): CaseResult {
  const g = geometryOf(c, depthwise);
  if (g === null) throw new Error(`invalid case ${describeCase(c)}`);
  const rng = Rng.fromSeed(c.seed);
  const outC = depthwise ? c.c * c.co : c.co;
  const x = rng.normalArray(c.n * c.h * c.w * c.c);
  const filter = rng.normalArray(c.kh * c.kw * c.c * c.co);
  const dy = rng.normalArray(c.n * g.oh * g.ow * outC);
  const ref = convGradientsReference(g, x, filter, dy);
  const attrs = {
    strides: [c.sh, c.sw],
    pad: c.pad.pad,
    dimRoundingMode: 'dimRoundingMode' in c.pad && !dropRoundingMode ? c.pad.dimRoundingMode : undefined,
    dataFormat: 'NHWC',
    ...(depthwise ? { dilations: [c.dh, c.dw] } : {}),
    ...(kind === 'filter' ? { filterShape: [c.kh, c.kw, c.c, c.co] } : { inputShape: [c.n, c.h, c.w, c.c] }),
  };
  const xT = { data: x, shape: [c.n, c.h, c.w, c.c], dtype: 'float32' as const };
  const dyT = { data: dy, shape: [c.n, g.oh, g.ow, outC], dtype: 'float32' as const };
  const fT = { data: filter, shape: [c.kh, c.kw, c.c, c.co], dtype: 'float32' as const };
  const inputs = kind === 'filter' ? { x: xT, dy: dyT } : { dy: dyT, filter: fT };
  const got = runKernel(backendName, subject, inputs, attrs);
  const expected = kind === 'filter' ? ref.dW : ref.dx;
  let vsCpu: CaseResult['vsCpu'] = null;
  if (c.dh === 1 && c.dw === 1 && !dropRoundingMode) {
    const name = KERNEL_NAMES[depthwise ? 'depthwise' : 'regular'][kind];
    const cpu = runKernel('cpu', stockKernel(name, 'cpu'), inputs, attrs);
    vsCpu = maxErrors(got.values, cpu.values);
  }
  return { vsCpu, vsReference: maxErrors(got.values, expected), leakedDataIds: got.leakedDataIds, leakedHeapBytes: got.leakedHeapBytes };
}

/** Relative error: max |error| over max(1, max |expected|). */
export function relative(e: { readonly abs: number; readonly scale: number }): number {
  return e.abs / Math.max(1, e.scale);
}

/** Float32 tolerance for these small sums (at most a few hundred products of N(0,1) values). */
export const CONV_TOLERANCE = 1e-5;

/** Summary of a batch of case results for a test name. */
export function summarise(results: readonly CaseResult[]): { readonly cpu: string; readonly reference: string; readonly worst: number } {
  const cpu = results.filter((r) => r.vsCpu !== null).map((r) => relative(r.vsCpu!));
  const refs = results.map((r) => relative(r.vsReference));
  const fmt = (xs: number[]): string => (xs.length === 0 ? 'n/a' : Math.max(...xs).toExponential(1));
  return { cpu: `${fmt(cpu)} (${cpu.length} cases)`, reference: fmt(refs), worst: Math.max(0, ...cpu, ...refs) };
}
