/**
 * Checks shared by the negative sources (internal): dataset indices and serialized states.
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { ArgumentError, CheckpointError, assertFiniteTensor, assertFloatTensor, assertShape, describeValue, isTensorLike, type SerializedState } from '@contrastive/core';

/** `indices` is an Int32Array of `length` entries, each in [0, size). */
export function assertIndices(where: string, name: string, indices: unknown, size: number, length?: number): asserts indices is Int32Array {
  if (!(indices instanceof Int32Array)) {
    throw new ArgumentError(`${where}: argument '${name}' must be an Int32Array of dataset indices, received ${describeValue(indices)}`, {
      argument: name,
      expected: 'an Int32Array',
      received: indices,
    });
  }
  if (length !== undefined && indices.length !== length) {
    throw new ArgumentError(`${where}: argument '${name}' must have ${length} entries (one per key), received ${indices.length}`, {
      argument: name,
      expected: `${length} entries`,
      received: indices,
    });
  }
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i] as number;
    if (v < 0 || v >= size) {
      throw new ArgumentError(`${where}: argument '${name}' must hold indices in [0, ${size}), found ${v} at position ${i}`, {
        argument: name,
        expected: `integers in [0, ${size})`,
        received: v,
      });
    }
  }
}

/** Throws a {@link CheckpointError} naming `where` and what is wrong with a serialized state. */
export function badState(where: string, what: string, received: unknown): never {
  throw new CheckpointError(`${where}: argument 'data' ${what}, received ${describeValue(received)}`, {
    argument: 'data',
    expected: what,
    received,
  });
}

/** The tensor `data.tensors[key]`, checked to be a live tensor of `dtype` (default float32) and `shape`. */
export function serializedTensor(where: string, data: SerializedState, key: string, shape: readonly number[], dtype: 'float32' | 'int32' = 'float32'): Tensor {
  if (typeof data !== 'object' || data === null || typeof data.tensors !== 'object' || data.tensors === null) {
    badState(where, 'must be a SerializedState { tensors, meta }', data);
  }
  const t = data.tensors[key];
  if (!isTensorLike(t) || (t as { isDisposed?: boolean }).isDisposed === true) badState(where, `must hold a live tensor '${key}'`, t);
  if (t.dtype !== dtype || t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
    badState(where, `must hold '${key}' as a ${dtype} tensor of shape [${shape.join(',')}]`, t);
  }
  // A restored state is read once: refuse NaN or infinite values here rather than train on them.
  if (!(t as Tensor).dataSync().every(Number.isFinite)) badState(where, `must hold '${key}' with finite values only`, t);
  return t as Tensor;
}

/** `data.meta[key]`, checked to equal `expected`. */
export function metaEquals(where: string, data: SerializedState, key: string, expected: unknown): void {
  const meta = (data as { meta?: unknown }).meta;
  const got = typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>)[key] : undefined;
  if (got !== expected) badState(where, `must have meta.${key} = ${JSON.stringify(expected)}`, got);
}

/**
 * The keys of a `write`: a float32 `[B, dim]` tensor; with `checkValues`, read back and refused
 * (NonFiniteError naming `keys`) when any value is NaN or infinite, so that one bad batch
 * cannot poison the queue or bank for every later step.
 */
export function assertKeys(where: string, keys: unknown, dim: number, checkValues: boolean): asserts keys is Tensor {
  assertShape(where, 'keys', keys, [null, dim]);
  assertFloatTensor(where, 'keys', keys, 2);
  if (checkValues) assertFiniteTensor(where, 'keys', keys);
}
