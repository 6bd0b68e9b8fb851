/**
 * Puts the oneDNN kernels in place of the wasm engine's convolution and matrix-product kernels (and
 * takes them out again). The kernels they replace (stock, or this package's training kernels) stay
 * as the fallback for calls oneDNN does not cover.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { BackendError } from '@contrastive/core';
import type { OnednnAddon } from './addon-types.js';
import { ONEDNN_KERNELS, makeOnednnKernel } from './kernels.js';
import { BATCH_NORM_KERNELS, makeBatchNormGrad, makeBatchNormTrain } from './batch-norm-kernels.js';

const ours = new WeakSet<KernelFunc>();
const replaced = new Map<string, KernelConfig>();

/**
 * Registers the oneDNN kernels for the wasm engine over `addon` and returns their names. Calling
 * it again changes nothing. Register the training kernels first: the oneDNN kernels keep whatever
 * they replace as their fallback.
 */
export function registerOnednnKernels(addon: OnednnAddon): readonly string[] {
  if (tf.getKernelsForBackend('wasm').length === 0) {
    throw new BackendError('registerOnednnKernels: the wasm kernels are not loaded; start the wasm engine first (initBackend does)');
  }
  for (const name of ONEDNN_KERNELS) {
    const existing = tf.getKernel(name, 'wasm');
    if (existing !== undefined && ours.has(existing.kernelFunc)) continue;
    const kernelFunc = makeOnednnKernel(addon, name, existing?.kernelFunc);
    if (existing !== undefined) {
      replaced.set(name, existing);
      tf.unregisterKernel(name, 'wasm');
    }
    ours.add(kernelFunc);
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  }
  for (const [name, make] of [
    [BATCH_NORM_KERNELS.forward, makeBatchNormTrain],
    [BATCH_NORM_KERNELS.backward, makeBatchNormGrad],
  ] as const) {
    if (tf.getKernel(name, 'wasm') !== undefined) continue;
    const kernelFunc = make(addon);
    ours.add(kernelFunc);
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  }
  return onednnKernelsRegistered();
}

/** Names of the oneDNN kernels currently registered for the wasm engine. */
export function onednnKernelsRegistered(): readonly string[] {
  return [...ONEDNN_KERNELS, BATCH_NORM_KERNELS.forward, BATCH_NORM_KERNELS.backward].filter((name) => {
    const k = tf.getKernel(name, 'wasm');
    return k !== undefined && ours.has(k.kernelFunc);
  });
}

/** Removes the oneDNN kernels and puts back those they replaced; returns the names removed. */
export function unregisterOnednnKernels(): readonly string[] {
  const removed = onednnKernelsRegistered();
  for (const name of removed) {
    tf.unregisterKernel(name, 'wasm');
    const original = replaced.get(name);
    if (original !== undefined) {
      tf.registerKernel(original);
      replaced.delete(name);
    }
  }
  return removed;
}
