/**
 * `Conv2DBackpropFilter` (the weight gradient of a 2-D convolution) built from existing kernels.
 *
 * dW[kh, kw, ci, co] = Σ_{n, oh, ow} xpad[n, oh·sH + kh, ow·sW + kw, ci] · dy[n, oh, ow, co]
 *
 * which is itself a convolution once the batch axis is moved into the channel slot: with
 * xT = xpad transposed to [CI, Hp, Wp, N] (CI plays the batch, N the input channels) and
 * dyT = dy transposed to [OH, OW, N, CO] (a filter of size OH × OW), a VALID convolution of xT with
 * dyT at *dilation* (sH, sW) gives [CI, KH, KW, CO]; transposing gives dW. On wasm that runs on
 * XNNPACK's multi-threaded convolution (tfjs-backend-wasm 4.22 has no such kernel at all; the cpu
 * backend's own kernel is a scalar loop, ~100x slower on training shapes).
 *
 * Attributes: strides, pad ('same' | 'valid' | number | explicit [[0,0],[t,b],[l,r],[0,0]]),
 * dimRoundingMode (with a numeric pad), filterShape; dataFormat must be NHWC. The kernel's
 * attributes have no dilations (tfjs's conv2d gradient rejects dilated convolutions).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, Conv2DBackpropFilterAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '@contrastive/core';
import { assertChannelsLast, extractPatches, geometryMatchingDy, padOrCrop } from './conv-geometry.js';
import { KernelScope } from './kernel-scope.js';

const WHERE = 'Conv2DBackpropFilter';

/**
 * How the filter gradient is computed:
 * - `'conv'`: the convolution above (batch axis in the channel slot, stride -> dilation);
 * - `'matmul'`: all taps at once by a one-hot depthwise convolution ("im2col", `extractPatches`),
 *   then one GEMM dyT[CO, P] · patches[P, CI·T] (P = N·OH·OW) with no transpose flag (tfjs-wasm's
 *   transposed matMul operands are ~10x slower), a small transpose of the [CO, CI, KH, KW] result;
 *
 * Measured on the CIFAR ResNet-18 layer shapes at 128 views (`bench/filter-gradient-variants.ts`):
 * `'matmul'` is 1.2-4.7x slower on every 3x3 layer (tfjs-wasm's BatchMatMul with a long inner
 * dimension, plus the 9x patch matrix) and 1.3-1.45x faster only on the tiny 1x1 stride-2
 * shortcuts, so the registered kernel uses `'conv'`; `'matmul'` is kept, tested, for other shapes.
 */
export type FilterGradientVariant = 'conv' | 'matmul';

/** Returns the `Conv2DBackpropFilter` kernel function for backend `backendName` ('wasm' or 'cpu'); `variant` as in {@link FilterGradientVariant}. */
export function makeConv2DBackpropFilter(backendName: string, _stock?: KernelFunc, variant: FilterGradientVariant = 'conv'): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
    assertChannelsLast(WHERE, dataFormat);
    if (x.shape.length !== 4 || dy.shape.length !== 4) {
      throw new BackendError(`${WHERE}: x and dy must be rank 4, received [${x.shape.join(',')}] and [${dy.shape.join(',')}]`);
    }
    const info = geometryMatchingDy(WHERE, dy.shape, pad, dimRoundingMode, (mode) =>
      tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        filterShape,
        strides,
        1,
        pad,
        mode,
        false,
        'channelsLast',
      ),
    );
    const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
    const { strideHeight: sh, strideWidth: sw, padInfo } = info;
    const scope = new KernelScope(backend as KernelBackend, backendName, WHERE);
    try {
      // The rows/columns of the zero-padded input that the forward convolution read.
      const needH = (oh - 1) * sh + kh;
      const needW = (ow - 1) * sw + kw;
      const rows = { before: padInfo.top, after: needH - h - padInfo.top };
      const cols = { before: padInfo.left, after: needW - w - padInfo.left };
      // The convolution form pads inside Conv2D (no padded copy) and crops only rows/columns the
      // forward pass never read; when a crop would reach into the padding, pad and crop as the others do.
      const crops = [rows.before, rows.after, cols.before, cols.after].map((v) => Math.max(0, -v));
      const padInConv = variant === 'conv' && (crops[0]! + crops[1]! < h && crops[2]! + crops[3]! < w);
      const xp = padInConv || (variant === 'conv' && kh === 1 && kw === 1) ? x : padOrCrop(scope, x, rows, cols);
      const xc = padInConv ? padOrCrop(scope, x, { before: Math.min(0, rows.before), after: Math.min(0, rows.after) }, { before: Math.min(0, cols.before), after: Math.min(0, cols.after) }) : xp;
      const [padT, padB, padL, padR] = padInConv ? ([rows.before, rows.after, cols.before, cols.after].map((v) => Math.max(0, v)) as [number, number, number, number]) : [0, 0, 0, 0];
      const ci = x.shape[3] as number;
      const co = dy.shape[3] as number;
      const p = (dy.shape[0] as number) * oh * ow;
      if (variant === 'matmul') {
        const patches = kh === 1 && kw === 1 && sh === 1 && sw === 1
          ? xp
          : extractPatches(scope, xp, { kh, kw, sh, sw, dh: 1, dw: 1, pads: [0, 0, 0, 0] }); // [N, OH, OW, CI·T], channel ci·T + t
        const dyT = scope.transpose(scope.reshape(dy, [1, p, co]), [0, 2, 1]); // [1, CO, P]
        const prod = scope.run(
          'BatchMatMul',
          { a: dyT, b: scope.reshape(patches, [1, p, ci * kh * kw]) },
          { transposeA: false, transposeB: false },
        ); // [1, CO, CI·T]
        return scope.keep(scope.transpose(scope.reshape(prod, [co, ci, kh, kw]), [2, 3, 1, 0])); // [KH, KW, CI, CO]
      }
      // 1x1 filter: a plain GEMM dW[CI, CO] = xs^T[CI, P] · dy[P, CO] over the pixels the
      // forward pass read (every stride-th), run as a 1x1 Conv2D (multi-threaded, unlike wasm's
      // BatchMatMul) with dy in its own layout. The subsample is a reshape + Slice (tfjs-wasm's
      // StridedSlice took 102 ms on [128, 32, 32, 16]); see docs/performance.md.
      if (kh === 1 && kw === 1) {
        const n = dy.shape[0] as number;
        const whole = padOrCrop(scope, x, { before: rows.before, after: rows.after + sh - 1 }, { before: cols.before, after: cols.after + sw - 1 }); // [N, OH·sH, OW·sW, CI]
        const picked = sh === 1 && sw === 1 ? whole : scope.run('Slice', { x: scope.reshape(whole, [n * oh, sh, ow, sw * ci]) }, { begin: [0, 0, 0, 0], size: [n * oh, 1, ow, ci] });
        const xsT = scope.transpose(scope.reshape(picked, [p, ci]), [1, 0]); // [CI, P]
        const r = scope.run(
          'Conv2D',
          { x: scope.reshape(xsT, [ci, 1, 1, p]), filter: scope.reshape(dy, [1, 1, p, co]) },
          { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined },
        ); // [CI, 1, 1, CO]
        return scope.keep(scope.reshape(r, [1, 1, ci, co]));
      }
      const xT = scope.transpose(xc, [3, 1, 2, 0]); // [CI, rows, cols, N], unpadded
      const dyT = scope.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, CO]
      // The zero padding is the convolution's own (XNNPACK reads zeros for it; no padded copy).
      const r = scope.run(
        'Conv2D',
        { x: xT, filter: dyT },
        { strides: [1, 1], pad: [[0, 0], [padT, padB], [padL, padR], [0, 0]], dataFormat: 'NHWC', dilations: [sh, sw], dimRoundingMode: undefined },
      ); // [CI, KH, KW, CO]
      return scope.keep(scope.transpose(r, [1, 2, 0, 3])); // [KH, KW, CI, CO]
    } finally {
      scope.dispose();
    }
  };
}
