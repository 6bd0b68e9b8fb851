/**
 * `MaxPoolGrad` for wasm, built from existing kernels.
 *
 * tfjs-backend-wasm 4.22's own MaxPoolGrad (C++) starts its running maximum at FLT_MIN, the smallest
 * *positive* float, so it never selects a negative maximum: in any window whose values are all
 * negative it sends the gradient to the window's first element instead of its maximum. A max pool after BatchNorm and
 * before a ReLU sees such windows all the time. Found by this package's gradient probe; this kernel
 * replaces it.
 *
 * Semantics match the cpu engine: each output's gradient goes to the *first* maximal element of its
 * window in row-major (kh, kw) order. All window taps are extracted at once (a one-hot depthwise
 * convolution over the input padded with −FLT_MAX, so padding never wins), `ArgMax` over the taps
 * picks the first maximum, the tap's offset is added to the window's base index, and `ScatterNd`
 * adds each dy to its input position (overlapping windows that share a maximum accumulate).
 * Inputs must be finite (±∞ or NaN in a window make its tap values NaN).
 *
 * Attributes: filterSize, strides, pad ('same' | 'valid' | number | explicit), dimRoundingMode.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelFunc, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '@contrastive/core';
import { extractPatches, geometryMatchingDy } from './conv-geometry.js';
import { KernelScope } from './kernel-scope.js';

const WHERE = 'MaxPoolGrad';
const LOWEST_FLOAT32 = -3.4028234663852886e38;

/** Returns the `MaxPoolGrad` kernel function for backend `backendName`. */
export function makeMaxPoolGrad(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
    if (input.shape.length !== 4 || dy.shape.length !== 4) {
      throw new BackendError(`${WHERE}: input and dy must be rank 4, received [${input.shape.join(',')}] and [${dy.shape.join(',')}]`);
    }
    const info = geometryMatchingDy(WHERE, dy.shape, pad, dimRoundingMode, (mode) =>
      tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, mode),
    );
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
    const scope = new KernelScope(backend as KernelBackend, backendName, WHERE);
    try {
      const index = firstMaxIndex(scope, input, info, true);
      const size = n * h * w * c;
      const count = n * oh * ow * c;
      const dx = scope.run('ScatterNd', { indices: scope.reshape(index, [count, 1]), updates: scope.reshape(dy, [count]) }, { shape: [size] });
      return scope.keep(scope.reshape(dx, [n, h, w, c]));
    } finally {
      scope.dispose();
    }
  };
}

/**
 * For every pooling window, the flat input index of its first maximal element (row-major window
 * order; padding never wins): [N, OH, OW, C] int32. With `includeBatch` the index counts the batch
 * (((b·H + y)·W + x)·C + c), otherwise not ((y·W + x)·C + c), as tfjs's MaxPoolWithArgmax defines.
 */
export function firstMaxIndex(scope: KernelScope, input: TensorInfo, info: tf.backend_util.Conv2DInfo, includeBatch: boolean): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  // Rows/columns the pool reads beyond the input (pad with the lowest float; may exceed the
  // nominal padding with dimRoundingMode 'ceil') or leaves unread (crop).
  const bottom = (oh - 1) * sh + kh - h - padInfo.top;
  const right = (ow - 1) * sw + kw - w - padInfo.left;
  let x = input;
  if (bottom < 0 || right < 0) {
    const rows = h + Math.min(0, bottom);
    const cols = w + Math.min(0, right);
    x = scope.run('Slice', { x }, { begin: [0, 0, 0, 0], size: [n, rows, cols, c] });
  }
  const taps = extractPatches(scope, x, {
    kh,
    kw,
    sh,
    sw,
    dh: 1,
    dw: 1,
    pads: [padInfo.top, Math.max(0, bottom), padInfo.left, Math.max(0, right)],
    padValue: LOWEST_FLOAT32,
  }); // [N, OH, OW, C*T]
  const t = kh * kw;
  const first = scope.run('ArgMax', { x: scope.reshape(taps, [n, oh, ow, c, t]) }, { axis: 4 }); // [N, OH, OW, C] int32
  // Flat input index = index of the window's top-left corner + the winning tap's offset.
  const tapOffset = new Int32Array(t);
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) tapOffset[i * kw + j] = (i * w + j) * c;
  const corner = new Int32Array(n * oh * ow * c);
  let k = 0;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      for (let q = 0; q < ow; q++) {
        const base = (((includeBatch ? b * h : 0) + r * sh - padInfo.top) * w + q * sw - padInfo.left) * c;
        for (let ch = 0; ch < c; ch++) corner[k++] = base + ch;
      }
    }
  }
  const offsets = scope.run('GatherV2', { x: scope.write(tapOffset, [t], 'int32'), indices: first }, { axis: 0, batchDims: 0 });
  return scope.run('Add', { a: scope.write(corner, [n, oh, ow, c], 'int32'), b: offsets });
}
