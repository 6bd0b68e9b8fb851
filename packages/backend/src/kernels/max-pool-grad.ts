/**
 * `MaxPoolGrad` for wasm, built from existing kernels.
 *
 * tfjs-backend-wasm 4.22's own MaxPoolGrad (C++) never selects a negative maximum: in any window
 * whose values are all negative it sends the gradient to the window's first element instead of its
 * maximum (its MaxPoolWithArgmax returns zeros for such windows). A max pool after BatchNorm and
 * before a ReLU sees such windows all the time. Found by this package's gradient probe; this kernel
 * replaces it.
 *
 * Semantics match the cpu engine: each output's gradient goes to the *first* maximal element of its
 * window in row-major (kh, kw) order. For each filter tap in that order, the strided window of the
 * input (padded with −∞) is compared with the pooled output y; a hit that no earlier tap claimed
 * takes dy there, and the tap's share is scattered back to the input positions it read
 * (zero-insertion by the strides, then padding by the tap offset), summed over the taps.
 *
 * Attributes: filterSize, strides, pad ('same' | 'valid' | number | explicit), dimRoundingMode.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelFunc, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '@contrastive/core';
import { geometryMatchingDy, insertZeros, padOrCrop } from './conv-geometry.js';
import { KernelScope } from './kernel-scope.js';

const WHERE = 'MaxPoolGrad';

/** Returns the `MaxPoolGrad` kernel function for backend `backendName`. */
export function makeMaxPoolGrad(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, input, output } = inputs as { dy: TensorInfo; input: TensorInfo; output?: TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
    if (input.shape.length !== 4 || dy.shape.length !== 4) {
      throw new BackendError(`${WHERE}: input and dy must be rank 4, received [${input.shape.join(',')}] and [${dy.shape.join(',')}]`);
    }
    const info = geometryMatchingDy(WHERE, dy.shape, pad, dimRoundingMode, (mode) =>
      tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, mode),
    );
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
    const scope = new KernelScope(backend as KernelBackend, backendName, WHERE);
    try {
      const y = output ?? scope.run('MaxPool', { x: input }, { filterSize, strides, pad, dimRoundingMode });
      const needH = (oh - 1) * sh + kh;
      const needW = (ow - 1) * sw + kw;
      const rows = { before: padInfo.top, after: needH - h - padInfo.top };
      const cols = { before: padInfo.left, after: needW - w - padInfo.left };
      // Padding never wins: pad with -Infinity (crop where the pool reads less than the input).
      let xp = padOrCrop(scope, input, { before: 0, after: Math.min(0, rows.after) }, { before: 0, after: Math.min(0, cols.after) });
      if (rows.before > 0 || rows.after > 0 || cols.before > 0 || cols.after > 0) {
        const paddings = [[0, 0], [rows.before, Math.max(0, rows.after)], [cols.before, Math.max(0, cols.after)], [0, 0]];
        xp = scope.run('PadV2', { x: xp }, { paddings, constantValue: Number.NEGATIVE_INFINITY });
      }
      let unclaimed = scope.run('OnesLike', { x: dy }); // 1 where no earlier tap took the maximum
      let acc: TensorInfo | null = null; // gradient w.r.t. the padded input, [N, needH, needW, C]
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const window =
            sh === 1 && sw === 1
              ? scope.run('Slice', { x: xp }, { begin: [0, i, j, 0], size: [n, oh, ow, c] })
              : scope.run(
                  'StridedSlice',
                  { x: xp },
                  {
                    begin: [0, i, j, 0],
                    end: [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c],
                    strides: [1, sh, sw, 1],
                    beginMask: 0,
                    endMask: 0,
                    ellipsisMask: 0,
                    newAxisMask: 0,
                    shrinkAxisMask: 0,
                  },
                );
          const isMax = scope.run('Cast', { x: scope.run('Equal', { a: window, b: y }) }, { dtype: 'float32' });
          const hit = scope.run('Multiply', { a: isMax, b: unclaimed });
          unclaimed = scope.run('Sub', { a: unclaimed, b: hit });
          const share = scope.run('Multiply', { a: dy, b: hit }); // [N, OH, OW, C]
          // Back to the padded-input positions this tap read: rows i, i + sH, ..., i + (OH − 1)·sH.
          const spread = insertZeros(scope, share, sh, sw); // [N, OH·sH, OW·sW, C]
          const placed = padOrCrop(scope, spread, { before: i, after: needH - i - oh * sh }, { before: j, after: needW - j - ow * sw });
          acc = acc === null ? placed : scope.run('Add', { a: acc, b: placed });
        }
      }
      // Padded-input row r is input row r − top; rows the pool never read get zero gradient.
      const dx = padOrCrop(scope, acc as TensorInfo, { before: -padInfo.top, after: h + padInfo.top - needH }, { before: -padInfo.left, after: w + padInfo.left - needW });
      return scope.keep(dx);
    } finally {
      scope.dispose();
    }
  };
}
