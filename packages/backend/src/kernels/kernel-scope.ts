/**
 * Calls existing kernels of one backend directly (TensorInfo in, TensorInfo out), the way tfjs's own
 * composite kernels do, and frees every intermediate when the composite kernel finishes or throws.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '@contrastive/core';

/**
 * A scope for backend-level kernel calls. Every output of {@link KernelScope.run} is an
 * intermediate, freed by {@link KernelScope.dispose}, unless handed to the caller with
 * {@link KernelScope.keep}.
 *
 * @example
 * ```ts
 * const scope = new KernelScope(backend as KernelBackend, 'wasm', 'Conv2DBackpropFilter');
 * try {
 *   const t = scope.run('Transpose', { x }, { perm: [3, 1, 2, 0] });
 *   return scope.keep(scope.run('Conv2D', { x: t, filter }, attrs));
 * } finally {
 *   scope.dispose();
 * }
 * ```
 */
export class KernelScope {
  private readonly temporaries: TensorInfo[] = [];

  constructor(
    private readonly backend: KernelBackend,
    private readonly backendName: string,
    private readonly where: string,
  ) {}

  /** Runs kernel `kernelName` of this scope's backend; the output is an intermediate. */
  run(kernelName: string, inputs: NamedTensorInfoMap, attrs: object = {}): TensorInfo {
    const config = tf.getKernel(kernelName, this.backendName);
    if (config === undefined) {
      throw new BackendError(`${this.where}: needs kernel '${kernelName}', which backend '${this.backendName}' does not have`);
    }
    return this.call(config.kernelFunc, inputs, attrs, kernelName);
  }

  /** Runs a given kernel function (e.g. a stock kernel that was replaced); the output is an intermediate. */
  call(kernelFunc: KernelFunc, inputs: NamedTensorInfoMap, attrs: object = {}, what = 'kernel'): TensorInfo {
    const out = kernelFunc({ inputs, backend: this.backend, attrs: attrs as NamedAttrMap });
    if (Array.isArray(out)) {
      this.temporaries.push(...out);
      throw new BackendError(`${this.where}: ${what} returned ${out.length} outputs, expected one`);
    }
    this.temporaries.push(out);
    return out;
  }

  /** Shorthand for a Reshape (shares the data; no copy). */
  reshape(x: TensorInfo, shape: readonly number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape: [...shape] });
  }

  /** Shorthand for a Transpose. */
  transpose(x: TensorInfo, perm: readonly number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm: [...perm] });
  }

  /**
   * Wraps data written by the caller (e.g. remapped indices) as an intermediate of this scope.
   */
  write(values: Float32Array | Int32Array, shape: readonly number[], dtype: 'float32' | 'int32'): TensorInfo {
    const dataId = this.backend.write(values, [...shape], dtype);
    const info: TensorInfo = { dataId, shape: [...shape], dtype };
    this.temporaries.push(info);
    return info;
  }

  /** Removes `info` from the intermediates: the caller now owns it (returns `info`). */
  keep(info: TensorInfo): TensorInfo {
    const i = this.temporaries.lastIndexOf(info);
    if (i < 0) throw new BackendError(`${this.where}: keep() got a tensor that this scope did not create`);
    this.temporaries.splice(i, 1);
    return info;
  }

  /** Frees every intermediate (each TensorInfo holds one reference to its data). */
  dispose(): void {
    for (const info of this.temporaries.splice(0)) this.backend.disposeData(info.dataId);
  }
}
