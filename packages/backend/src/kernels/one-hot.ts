/**
 * `OneHot` for wasm with a correct float32 output.
 *
 * tfjs-backend-wasm 4.22's OneHot kernel always writes int32 values, even when asked for float32:
 * `tf.oneHot(labels, k, 1, 0, 'float32')` returns 1.4e-45 (the int 1 read as a float) where it
 * should return 1 (found by this package's gradient probe). A one-hot matrix used as a mask or in a
 * selection matMul, as contrastive losses do, is then silently zero. This kernel builds the int32
 * 0/1 matrix with the stock kernel, casts it, and maps it to off/on values exactly:
 * out = f·on + (1 − f)·off. Other dtypes go to the stock kernel unchanged.
 */
import type { KernelBackend, KernelFunc, OneHotAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { BackendError } from '@contrastive/core';
import { KernelScope } from './kernel-scope.js';

const WHERE = 'OneHot';

/** Returns the fixed `OneHot` kernel for `backendName`, delegating to `stock` (the replaced kernel). */
export function makeOneHot(backendName: string, stock: KernelFunc | undefined): KernelFunc {
  if (stock === undefined) throw new BackendError(`${WHERE}: backend '${backendName}' has no stock OneHot kernel to build on`);
  return (args) => {
    const { dtype, onValue, offValue } = args.attrs as unknown as OneHotAttrs;
    if (dtype !== 'float32') return stock(args);
    const { indices } = args.inputs as { indices: TensorInfo };
    const scope = new KernelScope(args.backend as KernelBackend, backendName, WHERE);
    try {
      const ints = scope.call(stock, { indices }, { ...args.attrs, dtype: 'int32', onValue: 1, offValue: 0 }, 'stock OneHot');
      const f = scope.run('Cast', { x: ints }, { dtype: 'float32' });
      if (onValue === 1 && offValue === 0) return scope.keep(f);
      const scalar = (v: number): TensorInfo => scope.write(Float32Array.of(v), [], 'float32');
      const on = scope.run('Multiply', { a: f, b: scalar(onValue) });
      const notF = scope.run('Sub', { a: scalar(1), b: f });
      const off = scope.run('Multiply', { a: notF, b: scalar(offValue) });
      return scope.keep(scope.run('Add', { a: on, b: off }));
    } finally {
      scope.dispose();
    }
  };
}
