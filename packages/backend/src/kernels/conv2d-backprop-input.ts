/**
 * `Conv2DBackpropInput` (the input gradient of a 2-D convolution) as one forward convolution.
 *
 * dx = conv2d(insertZeros(dy, strides), reverseHW(W) with its channel axes swapped, stride 1),
 * padded so that output row i reads dy rows (i + padTop − kh) / sH: a leading pad of
 * KH − 1 − padTop and a trailing one that makes the output exactly H rows (negative amounts crop).
 * tfjs-backend-wasm 4.22 ships this kernel as a single-threaded scalar C++ loop; the convolution
 * runs on XNNPACK with all threads (10-24x faster on ResNet shapes, issue 2 item 4(c)).
 *
 * Attributes: strides, pad ('same' | 'valid' | number | explicit), dimRoundingMode, inputShape;
 * dataFormat must be NHWC.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, Conv2DBackpropInputAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '@contrastive/core';
import { assertChannelsLast, geometryMatchingDy, insertZeros, padOrCrop } from './conv-geometry.js';
import { KernelScope } from './kernel-scope.js';

const WHERE = 'Conv2DBackpropInput';

/** Returns the `Conv2DBackpropInput` kernel function for backend `backendName` ('wasm' or 'cpu'). */
export function makeConv2DBackpropInput(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
    assertChannelsLast(WHERE, dataFormat);
    if (dy.shape.length !== 4 || filter.shape.length !== 4) {
      throw new BackendError(`${WHERE}: dy and filter must be rank 4, received [${dy.shape.join(',')}] and [${filter.shape.join(',')}]`);
    }
    const info = geometryMatchingDy(WHERE, dy.shape, pad, dimRoundingMode, (mode) =>
      tf.backend_util.computeConv2DInfo(
        inputShape,
        filter.shape as [number, number, number, number],
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
      const u = insertZeros(scope, dy, sh, sw); // [N, OH*sH, OW*sW, CO]
      const top = kh - 1 - padInfo.top;
      const left = kw - 1 - padInfo.left;
      const bottom = h + kh - 1 - oh * sh - top;
      const right = w + kw - 1 - ow * sw - left;
      // Crop where an amount is negative; pad the rest inside the convolution (no copy).
      const uc = padOrCrop(scope, u, { before: Math.min(0, top), after: Math.min(0, bottom) }, { before: Math.min(0, left), after: Math.min(0, right) });
      const flipped = scope.run('Reverse', { x: filter }, { dims: [0, 1] });
      const ft = scope.transpose(flipped, [0, 1, 3, 2]); // [KH, KW, CO, CI]
      const out = scope.run(
        'Conv2D',
        { x: uc, filter: ft },
        {
          strides: [1, 1],
          pad: [[0, 0], [Math.max(0, top), Math.max(0, bottom)], [Math.max(0, left), Math.max(0, right)], [0, 0]],
          dataFormat: 'NHWC',
          dilations: [1, 1],
          dimRoundingMode: undefined,
        },
      );
      return scope.keep(out);
    } finally {
      scope.dispose();
    }
  };
}
