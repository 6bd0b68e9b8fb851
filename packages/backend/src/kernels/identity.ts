/**
 * `Identity` and same-dtype `Cast` for wasm without a copy.
 *
 * tfjs-backend-wasm 4.22 implements both by allocating a new buffer and copying every element.
 * tfjs-core calls `Identity` (through `clone`) for **every tensor a kernel saves for its
 * gradient** (`Engine.saveTensorsForBackwardMode`), so on wasm a training step duplicates most of
 * its activations: the profile of a small-ResNet SimCLR step showed 739 `Identity` and 179 `Cast`
 * calls per step, and the copies stay alive on the tape until the backward pass ends. Tensor data
 * is immutable in tfjs (no kernel writes into its inputs; `Variable.assign` swaps the data id), so
 * a clone can share the buffer, exactly as the cpu engine's `Identity` does: the kernel raises
 * the buffer's reference count and returns the same data id; the buffer is freed when its last
 * holder is disposed. Strings and dtype-changing casts go to the stock kernels, except casts to
 * `bool`: the stock kernel stores each value into a `Uint8Array`, so 0.5 becomes `false` and 256
 * becomes `false` (found by this file's test against the cpu engine); here `bool` is `x != 0`.
 */
import type { CastAttrs, KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '@contrastive/core';
import { KernelScope } from './kernel-scope.js';

/** A backend that counts references to its buffers (wasm and cpu both do). */
interface RefCountingBackend {
  incRef(dataId: object): void;
}

function share(backend: KernelBackend, x: TensorInfo, where: string): TensorInfo {
  const b = backend as unknown as Partial<RefCountingBackend>;
  if (typeof b.incRef !== 'function') throw new BackendError(`${where}: the backend does not count buffer references (no incRef), so it cannot share a buffer`);
  b.incRef.call(backend, x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/** Returns an `Identity` kernel that shares the input's buffer; `stock` handles strings. */
export function makeIdentity(backendName: string, stock: KernelFunc | undefined): KernelFunc {
  if (stock === undefined) throw new BackendError(`Identity: backend '${backendName}' has no stock Identity kernel to build on`);
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === 'string') return stock(args);
    return share(args.backend as KernelBackend, x, 'Identity');
  };
}

/** Returns a `Cast` kernel that shares the buffer when the dtype does not change, casts to `bool` as `x != 0`, and leaves other conversions to `stock`. */
export function makeCast(backendName: string, stock: KernelFunc | undefined): KernelFunc {
  if (stock === undefined) throw new BackendError(`Cast: backend '${backendName}' has no stock Cast kernel to build on`);
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { dtype } = args.attrs as unknown as CastAttrs;
    if (x.dtype === 'string') return stock(args);
    if (dtype === x.dtype) return share(args.backend as KernelBackend, x, 'Cast');
    if (dtype !== 'bool' || (x.dtype !== 'float32' && x.dtype !== 'int32')) return stock(args);
    const scope = new KernelScope(args.backend as KernelBackend, backendName, 'Cast');
    try {
      const zero = scope.write(x.dtype === 'float32' ? Float32Array.of(0) : Int32Array.of(0), [], x.dtype);
      return scope.keep(scope.run('NotEqual', { a: x, b: zero }));
    } finally {
      scope.dispose();
    }
  };
}
