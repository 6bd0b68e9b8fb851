/**
 * Runs a kernel function directly on a backend instance (TensorInfo in/out, no engine), reads the
 * result, frees everything, and reports how many backend data ids (and wasm heap bytes) the call
 * left behind: the leak check for backend-level kernels, whose intermediates the engine never sees.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { wasmHeapStats } from '../src/memory-guard.js';

/** A tensor held on the host. */
export interface HostTensor {
  readonly data: Float32Array | Int32Array;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
}

/** What {@link runKernel} returns. */
export interface KernelRun {
  readonly values: Float32Array;
  readonly shape: readonly number[];
  /** Backend data ids alive after the call minus before (0 = nothing leaked). */
  readonly leakedDataIds: number;
  /** wasm only: heap bytes allocated from JS and not freed by the call. */
  readonly leakedHeapBytes: number;
}

/** Runs `kernelFunc` on the initialised backend `backendName` (inputs by name, or a list as for Concat/Einsum). */
export function runKernel(backendName: string, kernelFunc: KernelFunc, inputs: Record<string, HostTensor> | readonly HostTensor[], attrs: object): KernelRun {
  const backend = tf.findBackend(backendName) as KernelBackend | null;
  if (backend === null) throw new Error(`backend ${backendName} is not initialised`);
  const heapBefore = backendName === 'wasm' ? wasmHeapStats().liveBytes : 0;
  const idsBefore = backend.numDataIds();
  const infos: Record<string, TensorInfo> = Array.isArray(inputs) ? ([] as unknown as Record<string, TensorInfo>) : {};
  let values: Float32Array;
  let shape: readonly number[];
  try {
    for (const [name, t] of Object.entries(inputs)) {
      // cpu keeps the array it is given: hand it a copy.
      infos[name] = { dataId: backend.write(t.data.slice(), [...t.shape], t.dtype), shape: [...t.shape], dtype: t.dtype };
    }
    const out = kernelFunc({ inputs: infos, backend, attrs: attrs as tf.NamedAttrMap }) as TensorInfo;
    try {
      values = Float32Array.from(backend.readSync(out.dataId) as Float32Array);
      shape = out.shape;
    } finally {
      backend.disposeData(out.dataId);
    }
  } finally {
    for (const info of Object.values(infos)) backend.disposeData(info.dataId);
  }
  return {
    values,
    shape,
    leakedDataIds: backend.numDataIds() - idsBefore,
    leakedHeapBytes: backendName === 'wasm' ? wasmHeapStats().liveBytes - heapBefore : 0,
  };
}

/** The stock kernel function `kernelName` of `backendName`, as tfjs registered it. */
export function stockKernel(kernelName: string, backendName: string): KernelFunc {
  const k = tf.getKernel(kernelName, backendName);
  if (k === undefined) throw new Error(`no ${kernelName} kernel for ${backendName}`);
  return k.kernelFunc;
}

/** Largest |a[i] − b[i]| and largest |b[i]|. */
export function maxErrors(a: ArrayLike<number>, b: ArrayLike<number>): { readonly abs: number; readonly scale: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let abs = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    abs = Math.max(abs, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return { abs, scale };
}

/** Starts both the wasm (with this package's kernels) and the cpu engine; leaves wasm active. */
export async function startWasmAndCpu(): Promise<void> {
  const { initBackend } = await import('../src/node/init-backend.js');
  await initBackend({ prefer: 'cpu' });
  await initBackend({ prefer: 'wasm' });
}
