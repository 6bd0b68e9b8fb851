/**
 * `DepthwiseConv2dNativeBackpropFilter` (filter gradient of a depthwise convolution) built from
 * existing kernels; tfjs-backend-wasm 4.22 has none.
 *
 * dW[kh, kw, c, m] = Σ_{n, oh, ow} xpad[n, oh·sH + kh·dH, ow·sW + kw·dW, c] · dy[n, oh, ow, c·M + m]
 *
 * All filter taps of the input are extracted at once (a one-hot depthwise convolution, exact),
 * arranged as [C, T, P] with T = KH·KW and P = N·OH·OW, and multiplied by dy arranged as [C, P, M]
 * in one batched matrix product (batch = C): [C, T, M], i.e. dW after a transpose. The extracted
 * taps take T × the output's memory.
 *
 * Attributes: strides, dilations, pad ('same' | 'valid' | number | explicit), dimRoundingMode,
 * filterShape.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DepthwiseConv2dNativeBackpropFilterAttrs, KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '@contrastive/core';
import { assertChannelsLast, extractPatches, geometryMatchingDy, padOrCrop } from './conv-geometry.js';
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
      // Input rows/columns the convolution read beyond the input are zero padding; rows it never
      // read are cropped (a numeric pad with dimRoundingMode 'floor' can leave some).
      const bottom = (oh - 1) * sh + (kh - 1) * dh + 1 - h - padInfo.top;
      const right = (ow - 1) * sw + (kw - 1) * dw + 1 - w - padInfo.left;
      if (h + Math.min(0, bottom) <= 0 || w + Math.min(0, right) <= 0) {
        // Every window lies in the padding: the filter never saw the input.
        return scope.keep(scope.run('Fill', {}, { shape: [kh, kw, c, m], value: 0, dtype: 'float32' }));
      }
      const xc = padOrCrop(scope, x, { before: 0, after: Math.min(0, bottom) }, { before: 0, after: Math.min(0, right) });
      const t = kh * kw;
      const p = n * oh * ow;
      const taps = extractPatches(scope, xc, {
        kh,
        kw,
        sh,
        sw,
        dh,
        dw,
        pads: [padInfo.top, Math.max(0, bottom), padInfo.left, Math.max(0, right)],
      }); // [N, OH, OW, C*T]
      const a = scope.transpose(scope.reshape(taps, [p, c, t]), [1, 2, 0]); // [C, T, P]
      const b = scope.transpose(scope.reshape(dy, [p, c, m]), [1, 0, 2]); // [C, P, M]
      const prod = scope.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }); // [C, T, M]
      const perTap = scope.transpose(prod, [1, 0, 2]); // [T, C, M]
      return scope.keep(scope.reshape(perTap, [kh, kw, c, m]));
    } finally {
      scope.dispose();
    }
  };
}
