/**
 * `MaxPoolWithArgmax` for wasm. tfjs-backend-wasm 4.22's kernel starts its running maximum at
 * FLT_MIN (1.18e-38, the smallest *positive* float), so every window whose values are all negative
 * gets 1.18e-38 as its maximum and a wrong index (the same bug as its MaxPoolGrad). The pooled values come from the stock `MaxPool` (XNNPACK, correct); the indices of
 * the first maximal element per window from the shared first-max search of {@link firstMaxIndex}.
 *
 * Attributes: filterSize, strides, pad, includeBatchInIndex.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelFunc, MaxPoolWithArgmaxAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '@contrastive/core';
import { KernelScope } from './kernel-scope.js';
import { firstMaxIndex } from './max-pool-grad.js';

const WHERE = 'MaxPoolWithArgmax';

/** Returns the `MaxPoolWithArgmax` kernel function (two outputs: values, indexes) for `backendName`. */
export function makeMaxPoolWithArgmax(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    const { filterSize, strides, pad, includeBatchInIndex } = attrs as unknown as MaxPoolWithArgmaxAttrs;
    if (x.shape.length !== 4) throw new BackendError(`${WHERE}: x must be rank 4, received [${x.shape.join(',')}]`);
    const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], filterSize, strides, [1, 1], pad);
    const scope = new KernelScope(backend as KernelBackend, backendName, WHERE);
    try {
      const pooled = scope.run('MaxPool', { x }, { filterSize, strides, pad, dimRoundingMode: undefined });
      const indexes = firstMaxIndex(scope, x, info, includeBatchInIndex);
      return [scope.keep(pooled), scope.keep(indexes)];
    } finally {
      scope.dispose();
    }
  };
}
