/**
 * Registers the training kernels that tfjs 4.22's wasm engine lacks (and, on request, faster
 * replacements for the cpu engine's scalar-loop convolution gradients). Idempotent; the replaced
 * stock kernels are kept so that {@link unregisterTrainingKernels} can put them back.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { BackendError, assertOneOf } from '@contrastive/core';
import { makeConv2DBackpropFilter } from './kernels/conv2d-backprop-filter.js';
import { makeConv2DBackpropInput } from './kernels/conv2d-backprop-input.js';
import { makeDepthwiseConv2dBackpropFilter } from './kernels/depthwise-conv2d-backprop-filter.js';
import { makeDepthwiseConv2dBackpropInput } from './kernels/depthwise-conv2d-backprop-input.js';
import { makeEinsum } from './kernels/einsum.js';
import { makeCast, makeIdentity } from './kernels/identity.js';
import { makeMaxPoolGrad } from './kernels/max-pool-grad.js';
import { makeMaxPoolWithArgmax } from './kernels/max-pool-with-argmax.js';
import { makeOneHot } from './kernels/one-hot.js';
import { makeUnsortedSegmentSum } from './kernels/unsorted-segment-sum.js';

/** Backends {@link registerTrainingKernels} knows. */
export const TRAINING_KERNEL_BACKENDS = ['wasm', 'cpu'] as const;
/** A backend {@link registerTrainingKernels} knows. */
export type TrainingKernelBackend = (typeof TRAINING_KERNEL_BACKENDS)[number];

/** Builds a kernel for a backend; `stock` is the kernel it replaces, if any. */
type KernelFactory = (backendName: string, stock: KernelFunc | undefined) => KernelFunc;

const FACTORIES: Readonly<Record<string, KernelFactory>> = {
  Conv2DBackpropFilter: makeConv2DBackpropFilter,
  Conv2DBackpropInput: makeConv2DBackpropInput,
  DepthwiseConv2dNativeBackpropFilter: makeDepthwiseConv2dBackpropFilter,
  DepthwiseConv2dNativeBackpropInput: makeDepthwiseConv2dBackpropInput,
  UnsortedSegmentSum: makeUnsortedSegmentSum,
  MaxPoolGrad: makeMaxPoolGrad,
  MaxPoolWithArgmax: makeMaxPoolWithArgmax,
  OneHot: makeOneHot,
  Einsum: makeEinsum,
  Identity: makeIdentity,
  Cast: makeCast,
};

/**
 * Which kernels each backend gets. wasm: all of them (Conv2DBackpropFilter, the depthwise gradients
 * and UnsortedSegmentSum are missing from tfjs-backend-wasm 4.22; its Conv2DBackpropInput is a
 * single-threaded scalar loop; its MaxPoolGrad misroutes the gradient of windows whose maximum is
 * negative and its MaxPoolWithArgmax returns 1.18e-38 as their maximum; its OneHot writes int32 values into float32 outputs; it has no Einsum; its Identity and
 * same-dtype Cast copy the whole buffer, which tfjs-core does for every tensor saved for a gradient).
 * cpu: only the two convolution gradients, whose stock versions read every element through a
 * TensorBuffer (~100x slower than a convolution on training shapes); the rest are fine there.
 */
export const TRAINING_KERNELS: Readonly<Record<TrainingKernelBackend, readonly string[]>> = {
  wasm: Object.keys(FACTORIES),
  cpu: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'],
};

const ours = new WeakSet<KernelFunc>();
const stock = new Map<string, KernelConfig>(); // `${backend}/${kernel}` -> the replaced stock kernel

/**
 * Registers this package's training kernels for `backendName` and returns their names. Calling it
 * again changes nothing. Works before or after the engine is started.
 *
 * @param backendName - `'wasm'` (adds the missing gradient kernels) or `'cpu'` (replaces the two
 *   slow convolution gradients; the cpu engine is otherwise the reference the wasm kernels are
 *   tested against, so {@link initBackend} does this only when asked).
 * @example
 * ```ts
 * registerTrainingKernels('wasm'); // ['Conv2DBackpropFilter', 'Conv2DBackpropInput', ...]
 * ```
 */
export function registerTrainingKernels(backendName: TrainingKernelBackend): readonly string[] {
  assertOneOf('registerTrainingKernels', 'backendName', backendName, TRAINING_KERNEL_BACKENDS);
  if (tf.getKernelsForBackend(backendName).length === 0) {
    throw new BackendError(
      `registerTrainingKernels: backend '${backendName}' has no kernels loaded yet; import @tensorflow/tfjs-backend-${backendName} first (initBackend does)`,
      { argument: 'backendName', received: backendName },
    );
  }
  for (const kernelName of TRAINING_KERNELS[backendName]) {
    const existing = tf.getKernel(kernelName, backendName);
    if (existing !== undefined && ours.has(existing.kernelFunc)) continue;
    const kernelFunc = (FACTORIES[kernelName] as KernelFactory)(backendName, existing?.kernelFunc);
    if (existing !== undefined) {
      stock.set(`${backendName}/${kernelName}`, existing);
      tf.unregisterKernel(kernelName, backendName);
    }
    ours.add(kernelFunc);
    tf.registerKernel({ kernelName, backendName, kernelFunc });
  }
  return trainingKernelsRegistered(backendName);
}

/** Names of this package's kernels currently registered for `backendName`. */
export function trainingKernelsRegistered(backendName: TrainingKernelBackend): readonly string[] {
  assertOneOf('trainingKernelsRegistered', 'backendName', backendName, TRAINING_KERNEL_BACKENDS);
  return TRAINING_KERNELS[backendName].filter((name) => {
    const k = tf.getKernel(name, backendName);
    return k !== undefined && ours.has(k.kernelFunc);
  });
}

/**
 * Removes this package's kernels from `backendName` and puts back the stock kernels they replaced.
 * Returns the names removed.
 */
export function unregisterTrainingKernels(backendName: TrainingKernelBackend): readonly string[] {
  assertOneOf('unregisterTrainingKernels', 'backendName', backendName, TRAINING_KERNEL_BACKENDS);
  const removed = trainingKernelsRegistered(backendName);
  for (const kernelName of removed) {
    tf.unregisterKernel(kernelName, backendName);
    const key = `${backendName}/${kernelName}`;
    const original = stock.get(key);
    if (original !== undefined) {
      tf.registerKernel(original);
      stock.delete(key);
    }
  }
  return removed;
}
