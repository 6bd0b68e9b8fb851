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
import { assertChannelsLast, geometryMatchingDy, padOrCrop } from './conv-geometry.js';
import { KernelScope } from './kernel-scope.js';

const WHERE = 'Conv2DBackpropFilter';

/** Returns the `Conv2DBackpropFilter` kernel function for backend `backendName` ('wasm' or 'cpu'). */
export function makeConv2DBackpropFilter(backendName: string): KernelFunc {
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
      const xp = padOrCrop(
        scope,
        x,
        { before: padInfo.top, after: needH - h - padInfo.top },
        { before: padInfo.left, after: needW - w - padInfo.left },
      );
      const xT = scope.transpose(xp, [3, 1, 2, 0]); // [CI, needH, needW, N]
      const dyT = scope.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, CO]
      const r = scope.run(
        'Conv2D',
        { x: xT, filter: dyT },
        { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [sh, sw], dimRoundingMode: undefined },
      ); // [CI, KH, KW, CO]
      return scope.keep(scope.transpose(r, [1, 2, 0, 3])); // [KH, KW, CI, CO]
    } finally {
      scope.dispose();
    }
  };
}
