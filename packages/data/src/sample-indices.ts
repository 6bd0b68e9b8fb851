/**
 * The one check of sample indices shared by the data sets of this package (in-memory images,
 * tabular rows, streaming folders).
 */
import { ArgumentError, describeValue } from '@contrastive/core';

/**
 * `indices` as an `Int32Array`, checked to be integers in `[0, length)`; an
 * {@link ArgumentError} naming argument `'indices'` (prefixed with `where`) otherwise.
 */
export function checkSampleIndices(where: string, length: number, indices: ArrayLike<number>): Int32Array {
  if (indices === null || typeof indices !== 'object' || typeof indices.length !== 'number') {
    throw new ArgumentError(`${where}: argument 'indices' must be an array of sample indices, received ${describeValue(indices)}`, {
      argument: 'indices', expected: 'an array of integers', received: indices,
    });
  }
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i] as number;
    if (!Number.isInteger(k) || k < 0 || k >= length) {
      throw new ArgumentError(`${where}: argument 'indices' must hold integers in [0, ${length}), found ${describeValue(k)} at position ${i}`, {
        argument: 'indices', expected: `integers in [0, ${length})`, received: k,
      });
    }
    out[i] = k;
  }
  return out;
}
