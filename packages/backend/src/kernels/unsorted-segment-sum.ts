/**
 * `UnsortedSegmentSum` built on the `ScatterNd` kernel (which accumulates duplicate indices).
 * tfjs-backend-wasm 4.22 has no such kernel, and it is the gradient of `tf.gather`, so without it
 * nothing that gathers (embedding lookups, label-indexed logits, memory-bank reads) trains on wasm.
 *
 * out[s, ...] = Σ_{i : segmentIds[i] = s} x[i, ...]   for s in [0, numSegments)
 *
 * Ids outside [0, numSegments) are dropped, as in TensorFlow: they are routed to one extra
 * scratch row that is sliced away. segmentIds may have any rank k ≤ rank(x); x is then read as
 * [prod(segmentIds.shape), ...x.shape.slice(k)].
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelFunc, TensorInfo, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs-core';
import { BackendError } from '@contrastive/core';
import { KernelScope } from './kernel-scope.js';

const WHERE = 'UnsortedSegmentSum';

/** Returns the `UnsortedSegmentSum` kernel function for backend `backendName`. */
export function makeUnsortedSegmentSum(backendName: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
    const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
    if (!Number.isSafeInteger(numSegments) || numSegments < 0) {
      throw new BackendError(`${WHERE}: attribute numSegments must be an integer >= 0, received ${String(numSegments)}`, {
        argument: 'attrs.numSegments',
        received: numSegments,
      });
    }
    if (segmentIds.dtype !== 'int32') {
      throw new BackendError(`${WHERE}: segmentIds must be int32, received ${segmentIds.dtype}`, { argument: 'segmentIds' });
    }
    const k = segmentIds.shape.length;
    if (k > x.shape.length || !tf.util.arraysEqual(x.shape.slice(0, k), segmentIds.shape)) {
      throw new BackendError(`${WHERE}: segmentIds shape [${segmentIds.shape.join(',')}] must be a prefix of x shape [${x.shape.join(',')}]`);
    }
    const rest = x.shape.slice(k);
    const count = tf.util.sizeFromShape(segmentIds.shape);
    const scope = new KernelScope(backend as KernelBackend, backendName, WHERE);
    try {
      const ids = (backend as KernelBackend).readSync(segmentIds.dataId) as Int32Array;
      let invalid = false;
      for (let i = 0; i < count; i++) {
        const id = ids[i] as number;
        if (id < 0 || id >= numSegments) {
          invalid = true;
          break;
        }
      }
      let indices: TensorInfo;
      if (invalid) {
        const routed = new Int32Array(count);
        for (let i = 0; i < count; i++) {
          const id = ids[i] as number;
          routed[i] = id < 0 || id >= numSegments ? numSegments : id;
        }
        indices = scope.write(routed, [count, 1], 'int32');
      } else {
        indices = scope.reshape(segmentIds, [count, 1]);
      }
      const rows = invalid ? numSegments + 1 : numSegments;
      const updates = scope.reshape(x, [count, ...rest]);
      const out = scope.run('ScatterNd', { indices, updates }, { shape: [rows, ...rest] });
      if (!invalid) return scope.keep(out);
      return scope.keep(scope.run('Slice', { x: out }, { begin: new Array(1 + rest.length).fill(0), size: [numSegments, ...rest] }));
    } finally {
      scope.dispose();
    }
  };
}
