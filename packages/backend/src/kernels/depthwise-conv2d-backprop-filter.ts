/**
 * `DepthwiseConv2dNativeBackpropFilter` (filter gradient of a depthwise convolution) built from
 * existing kernels; tfjs-backend-wasm 4.22 has none.
 *
 * dW[kh, kw, c, m] = Σ_{n, oh, ow} xpad[n, oh·sH + kh·dH, ow·sW + kw·dW, c] · dy[n, oh, ow, c·M + m]
 *
 * For each filter tap (kh, kw) the strided window of the (transposed) input, [C, 1, P] with
 * P = N·OH·OW, is multiplied by dy arranged as [C, P, M] in one batched matrix product (batch = C),
 * giving that tap's [C, M] slice. KH·KW small products; no tensor larger than the input or dy.
 *
 * Attributes: strides, dilations, pad ('same' | 'valid' | number | explicit), dimRoundingMode,
 * filterShape.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, DepthwiseConv2dNativeBackpropFilterAttrs, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '@contrastive/core';
import { assertChannelsLast, geometryMatchingDy, padOrCrop } from './conv-geometry.js';
import { KernelScope } from './kernel-scope.js';

const WHERE = 'DepthwiseConv2dNativeBackpropFilter';

/** Returns the `DepthwiseConv2dNativeBackpropFilter` kernel function for backend `backendName`. */
export function makeDepthwiseConv2dBackpropFilter(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as DepthwiseConv2dNativeBackpropFilterAttrs;
    assertChannelsLast(WHERE, (attrs as { dataFormat?: unknown }).dataFormat);
    if (x.shape.length !== 4 || dy.shape.length !== 4) {
      throw new BackendError(`${WHERE}: x and dy must be rank 4, received [${x.shape.join(',')}] and [${dy.shape.join(',')}]`);
    }
    const info = geometryMatchingDy(WHERE, dy.shape, pad, dimRoundingMode, (mode) =>
      tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        filterShape,
        strides,
        dilations ?? 1,
        pad,
        mode,
        true,
      ),
    );
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
    const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, padInfo } = info;
    const { filterHeight: kh, filterWidth: kw } = info;
    const m = filterShape[3];
    const scope = new KernelScope(backend as KernelBackend, backendName, WHERE);
    try {
      const needH = (oh - 1) * sh + (kh - 1) * dh + 1;
      const needW = (ow - 1) * sw + (kw - 1) * dw + 1;
      const xp = padOrCrop(
        scope,
        x,
        { before: padInfo.top, after: needH - h - padInfo.top },
        { before: padInfo.left, after: needW - w - padInfo.left },
      );
      const xT = scope.transpose(xp, [3, 0, 1, 2]); // [C, N, needH, needW]
      const p = n * oh * ow;
      const dyT = scope.transpose(scope.reshape(dy, [p, c, m]), [1, 0, 2]); // [C, P, M]
      const taps: TensorInfo[] = [];
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const window =
            sh === 1 && sw === 1
              ? scope.run('Slice', { x: xT }, { begin: [0, 0, i * dh, j * dw], size: [c, n, oh, ow] })
              : scope.run(
                  'StridedSlice',
                  { x: xT },
                  {
                    begin: [0, 0, i * dh, j * dw],
                    end: [c, n, i * dh + (oh - 1) * sh + 1, j * dw + (ow - 1) * sw + 1],
                    strides: [1, 1, sh, sw],
                    beginMask: 0,
                    endMask: 0,
                    ellipsisMask: 0,
                    newAxisMask: 0,
                    shrinkAxisMask: 0,
                  },
                ); // [C, N, OH, OW]
          const a = scope.reshape(window, [c, 1, p]);
          taps.push(scope.run('BatchMatMul', { a, b: dyT }, { transposeA: false, transposeB: false })); // [C, 1, M]
        }
      }
      const all = taps.length === 1 ? (taps[0] as TensorInfo) : scope.run('Concat', taps as unknown as NamedTensorInfoMap, { axis: 1 }); // [C, KH*KW, M]
      const t = scope.transpose(all, [1, 0, 2]); // [KH*KW, C, M]
      return scope.keep(scope.reshape(t, [kh, kw, c, m]));
    } finally {
      scope.dispose();
    }
  };
}
