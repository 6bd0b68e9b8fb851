/**
 * `DepthwiseConv2dNativeBackpropInput` (input gradient of a depthwise convolution) built from
 * existing kernels; tfjs-backend-wasm 4.22 has none, so `tf.depthwiseConv2d` and
 * `tf.separableConv2d` could not be trained on wasm.
 *
 * With filter W [KH, KW, C, M] (channel multiplier M) and dy [N, OH, OW, C·M]:
 * dx[n, i, j, c] = Σ_m Σ_{kh, kw} u[n, i + padTop − kh·dH, j + padLeft − kw·dW, c·M + m] · W[kh, kw, c, m]
 * where u is dy with `stride − 1` zeros inserted. That is a depthwise convolution (channel
 * multiplier 1, dilation dH × dW, stride 1) of u with the spatially flipped filter reshaped to
 * [KH, KW, C·M, 1], followed by a sum over m.
 *
 * Attributes: strides, dilations, pad ('same' | 'valid' | number | explicit), dimRoundingMode,
 * inputShape. (tfjs's gradient only produces dilations 1; other values work when the kernel is
 * called directly.)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, DepthwiseConv2dNativeBackpropInputAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '@contrastive/core';
import { assertChannelsLast, geometryMatchingDy, insertZeros, padOrCrop } from './conv-geometry.js';
import { KernelScope } from './kernel-scope.js';

const WHERE = 'DepthwiseConv2dNativeBackpropInput';

/** Returns the `DepthwiseConv2dNativeBackpropInput` kernel function for backend `backendName`. */
export function makeDepthwiseConv2dBackpropInput(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
    assertChannelsLast(WHERE, (attrs as { dataFormat?: unknown }).dataFormat);
    if (dy.shape.length !== 4 || filter.shape.length !== 4) {
      throw new BackendError(`${WHERE}: dy and filter must be rank 4, received [${dy.shape.join(',')}] and [${filter.shape.join(',')}]`);
    }
    const info = geometryMatchingDy(WHERE, dy.shape, pad, dimRoundingMode, (mode) =>
      tf.backend_util.computeConv2DInfo(
        inputShape,
        filter.shape as [number, number, number, number],
        strides,
        dilations ?? 1,
        pad,
        mode,
        true,
      ),
    );
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
    const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, padInfo } = info;
    const { filterHeight: kh, filterWidth: kw, effectiveFilterHeight: ekh, effectiveFilterWidth: ekw } = info;
    const m = filter.shape[3] as number;
    const scope = new KernelScope(backend as KernelBackend, backendName, WHERE);
    try {
      const u = insertZeros(scope, dy, sh, sw); // [N, OH*sH, OW*sW, C*M]
      const top = ekh - 1 - padInfo.top;
      const left = ekw - 1 - padInfo.left;
      const bottom = h + ekh - 1 - oh * sh - top;
      const right = w + ekw - 1 - ow * sw - left;
      const uc = padOrCrop(scope, u, { before: Math.min(0, top), after: Math.min(0, bottom) }, { before: Math.min(0, left), after: Math.min(0, right) });
      const flipped = scope.run('Reverse', { x: filter }, { dims: [0, 1] });
      const f1 = scope.reshape(flipped, [kh, kw, c * m, 1]);
      const y = scope.run(
        'DepthwiseConv2dNative',
        { x: uc, filter: f1 },
        {
          strides: [1, 1],
          dilations: [dh, dw],
          pad: [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]],
          dimRoundingMode: undefined,
        },
      ); // [N, H, W, C*M]
      if (m === 1) return scope.keep(y);
      const y5 = scope.reshape(y, [n, h, w, c, m]);
      return scope.keep(scope.run('Sum', { x: y5 }, { axis: [4], keepDims: false })); // [N, H, W, C]
    } finally {
      scope.dispose();
    }
  };
}
