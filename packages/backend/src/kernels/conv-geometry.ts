/**
 * Shared geometry of the convolution gradient kernels: which rows/columns of the zero-padded input
 * a convolution reads, and how to pad or crop a tensor to exactly that window.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '@contrastive/core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelScope } from './kernel-scope.js';

/** Throws {@link BackendError} unless the layout is NHWC (the only one the wasm engine runs). */
export function assertChannelsLast(where: string, dataFormat: unknown): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new BackendError(`${where}: only dataFormat 'NHWC' is supported, received ${JSON.stringify(dataFormat)}`, {
      argument: 'attrs.dataFormat',
      expected: "'NHWC'",
      received: dataFormat,
    });
  }
}

/** Leading/trailing amounts along one spatial axis; negative means "crop". */
export interface Window {
  readonly before: number;
  readonly after: number;
}

/**
 * Pads (with zeros) or crops `x` ([N, H, W, C]) along H and W by the given amounts; a negative
 * amount removes that many rows/columns. Returns `x` itself when there is nothing to do.
 */
export function padOrCrop(scope: KernelScope, x: TensorInfo, rows: Window, cols: Window): TensorInfo {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  let out = x;
  const pads = [Math.max(0, rows.before), Math.max(0, rows.after), Math.max(0, cols.before), Math.max(0, cols.after)];
  if (pads.some((p) => p > 0)) {
    out = scope.run('PadV2', { x: out }, { paddings: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]], constantValue: 0 });
  }
  const crops = [Math.max(0, -rows.before), Math.max(0, -rows.after), Math.max(0, -cols.before), Math.max(0, -cols.after)] as const;
  if (crops.some((p) => p > 0)) {
    const [ph, pw] = [out.shape[1] as number, out.shape[2] as number];
    const size = [n, ph - crops[0] - crops[1], pw - crops[2] - crops[3], c];
    if (size[1]! <= 0 || size[2]! <= 0) {
      throw new BackendError(
        `padOrCrop: cropping [${ph}, ${pw}] (from [${h}, ${w}]) by ${crops.join(',')} leaves nothing: a window lies entirely in the padding`,
      );
    }
    out = scope.run('Slice', { x: out }, { begin: [0, crops[0], crops[2], 0], size });
  }
  return out;
}

/**
 * Inserts `stride - 1` zeros after every row (and column) of `x` ([N, H, W, C]): the "dilated"
 * output gradient of a strided convolution. Result: [N, H * strideH, W * strideW, C] (the trailing
 * zeros are harmless; callers crop what they do not need).
 */
export function insertZeros(scope: KernelScope, x: TensorInfo, strideH: number, strideW: number): TensorInfo {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  let out = x;
  let width = w;
  if (strideW > 1) {
    // [N*H, W, 1, C] -> pad the unit axis -> [N*H, W, sW, C] == [N, H, W*sW, C] in memory order
    const a = scope.reshape(out, [n * h, w, 1, c]);
    out = scope.run('PadV2', { x: a }, { paddings: [[0, 0], [0, 0], [0, strideW - 1], [0, 0]], constantValue: 0 });
    width = w * strideW;
  }
  let height = h;
  if (strideH > 1) {
    // [N, H, 1, W'*C] -> pad the unit axis -> [N, H, sH, W'*C] == [N, H*sH, W', C]
    const a = scope.reshape(out, [n, h, 1, width * c]);
    out = scope.run('PadV2', { x: a }, { paddings: [[0, 0], [0, 0], [0, strideH - 1], [0, 0]], constantValue: 0 });
    height = h * strideH;
  }
  return out === x ? x : scope.reshape(out, [n, height, width, c]);
}

/** A `dimRoundingMode` attribute. */
export type DimRoundingMode = 'floor' | 'round' | 'ceil' | undefined;

/**
 * Computes the convolution geometry with `compute(dimRoundingMode)` and checks that it produces
 * dy's shape. tfjs 4.22's conv2d gradient drops `dimRoundingMode` when it calls the gradient
 * kernels, so with a numeric pad and no mode given, the modes are tried in turn and the one whose
 * output shape is dy's is used (dy's shape is the forward output's). Throws {@link BackendError}
 * when none matches, instead of reading dy with the wrong geometry.
 */
export function geometryMatchingDy<T extends { readonly outShape: readonly number[] }>(
  where: string,
  dyShape: readonly number[],
  pad: unknown,
  dimRoundingMode: DimRoundingMode,
  compute: (mode: DimRoundingMode) => T,
): T {
  const info = compute(dimRoundingMode);
  if (tf.util.arraysEqual(dyShape as number[], info.outShape as number[])) return info;
  if (typeof pad === 'number' && dimRoundingMode === undefined) {
    for (const mode of ['floor', 'round', 'ceil'] as const) {
      const alt = compute(mode);
      if (tf.util.arraysEqual(dyShape as number[], alt.outShape as number[])) return alt;
    }
  }
  throw new BackendError(`${where}: dy has shape [${dyShape.join(',')}] but the convolution outputs [${info.outShape.join(',')}]`, {
    argument: 'inputs.dy',
    expected: `shape [${info.outShape.join(',')}]`,
    received: [...dyShape],
  });
}

/** Geometry of {@link extractPatches}. */
export interface PatchGeometry {
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  /** Explicit padding [top, bottom, left, right] (zeros unless `padValue` says otherwise). */
  readonly pads: readonly [number, number, number, number];
  /** Value of the padding; default 0. */
  readonly padValue?: number;
}

/**
 * All filter taps of every output position at once ("im2col"): a depthwise convolution whose
 * filter [KH, KW, C, T] (T = KH·KW) is one-hot — tap t = kh·KW + kw is copied to output channel
 * c·T + t. Result: [N, OH, OW, C·T]. Exact for finite inputs: every output is 1·x plus zeros.
 * One multi-threaded XNNPACK call instead of KH·KW strided slices (tfjs-wasm's StridedSlice is a
 * slow generic loop).
 */
export function extractPatches(scope: KernelScope, x: TensorInfo, g: PatchGeometry): TensorInfo {
  const c = x.shape[3] as number;
  const t = g.kh * g.kw;
  const oneHot = new Float32Array(g.kh * g.kw * c * t);
  for (let i = 0; i < g.kh; i++) {
    for (let j = 0; j < g.kw; j++) {
      const tap = i * g.kw + j;
      for (let ch = 0; ch < c; ch++) oneHot[(tap * c + ch) * t + tap] = 1;
    }
  }
  const filter = scope.write(oneHot, [g.kh, g.kw, c, t], 'float32');
  let input = x;
  let pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [g.pads[0], g.pads[1]], [g.pads[2], g.pads[3]], [0, 0]];
  if ((g.padValue ?? 0) !== 0 && g.pads.some((p) => p > 0)) {
    input = scope.run('PadV2', { x }, { paddings: pad, constantValue: g.padValue });
    pad = [[0, 0], [0, 0], [0, 0], [0, 0]];
  }
  return scope.run(
    'DepthwiseConv2dNative',
    { x: input, filter },
    { strides: [g.sh, g.sw], dilations: [g.dh, g.dw], pad, dimRoundingMode: undefined },
  );
}
