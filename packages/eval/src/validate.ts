/**
 * Internal argument checks shared by the evaluation functions (not exported from the
 * package). They build on the core assertion helpers so that every error names the
 * function, the argument, what was expected and what was received.
 */
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  ShapeError,
  assertFiniteTensor,
  assertFloatTensor,
  assertInteger,
  describeValue,
  isTensorLike,
} from '@contrastive/core';

/** Integer class labels: an int32 tensor `[N]`, an `Int32Array` or a plain array of integers. */
export type Labels = Tensor1D | Int32Array | readonly number[];

/**
 * A float32 feature matrix `[N, D]` with N >= `minRows`, D >= 1 and only finite values.
 * The finiteness check reads the tensor once: these functions are called once per
 * evaluation, not per step, so the cost is negligible next to the evaluation itself.
 */
export function checkFeatures(where: string, name: string, value: unknown, minRows = 1): Tensor2D {
  assertFloatTensor(where, name, value, 2);
  const [n, d] = value.shape as [number, number];
  if (n < minRows || d < 1) {
    throw new ShapeError(
      `${where}: argument '${name}' must have at least ${minRows} row(s) and 1 column, received shape [${value.shape.join(',')}]`,
      { argument: name, expected: `shape [>=${minRows}, >=1]`, received: value },
    );
  }
  assertFiniteTensor(where, name, value);
  return value as Tensor2D;
}

/** Two feature matrices must share their width D. */
export function checkSameWidth(where: string, nameA: string, a: Tensor2D, nameB: string, b: Tensor2D): void {
  if (a.shape[1] !== b.shape[1]) {
    throw new ShapeError(
      `${where}: arguments '${nameA}' and '${nameB}' must have the same number of columns, received shapes [${a.shape.join(',')}] and [${b.shape.join(',')}]`,
      { argument: nameB, expected: `shape [*, ${a.shape[1]}]`, received: b },
    );
  }
}

/**
 * Reads integer labels into an `Int32Array`, checking the length against `expectedLength`
 * (the number of feature rows) and, when `numClasses` is given, the range [0, numClasses).
 */
export function readLabels(where: string, name: string, value: unknown, expectedLength: number, numClasses?: number): Int32Array {
  let values: ArrayLike<number>;
  if (isTensorLike(value)) {
    const t = value as unknown as Tensor;
    if ((t as { isDisposed?: boolean }).isDisposed === true) {
      throw new ArgumentError(`${where}: argument '${name}' must be a live (not disposed) Tensor, received ${describeValue(value)}`, {
        argument: name,
        expected: 'a live Tensor',
        received: value,
      });
    }
    if (t.rank !== 1) {
      throw new ShapeError(`${where}: argument '${name}' must have rank 1, received shape [${t.shape.join(',')}]`, {
        argument: name,
        expected: 'rank 1',
        received: value,
      });
    }
    values = t.dataSync();
  } else if (value instanceof Int32Array || Array.isArray(value)) {
    values = value as ArrayLike<number>;
  } else {
    throw new ArgumentError(
      `${where}: argument '${name}' must be integer labels (a Tensor1D, an Int32Array or an array of integers), received ${describeValue(value)}`,
      { argument: name, expected: 'a Tensor1D, Int32Array or number[] of integer labels', received: value },
    );
  }
  if (values.length !== expectedLength) {
    throw new ShapeError(
      `${where}: argument '${name}' must hold ${expectedLength} labels (one per feature row), received ${values.length}`,
      { argument: name, expected: `${expectedLength} labels`, received: value },
    );
  }
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    const bad = !Number.isInteger(v) || v < 0 || (numClasses !== undefined && v >= numClasses);
    if (bad) {
      const expected = numClasses === undefined ? 'integers >= 0' : `integers in [0, ${numClasses})`;
      throw new ArgumentError(`${where}: argument '${name}' must hold ${expected}, received ${describeValue(v)} at index ${i}`, {
        argument: name,
        expected,
        received: v,
      });
    }
    out[i] = v;
  }
  return out;
}

/** Every label lies in [0, numClasses). */
export function checkLabelRange(where: string, name: string, labels: Int32Array, numClasses: number): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i] as number;
    if (v >= numClasses) {
      const expected = `integers in [0, ${numClasses})`;
      throw new ArgumentError(`${where}: argument '${name}' must hold ${expected} (numClasses = ${numClasses}), received ${v} at index ${i}`, {
        argument: name,
        expected,
        received: v,
      });
    }
  }
}

/** `numClasses` when given (an integer >= 1), otherwise 1 + the largest label seen. */
export function resolveNumClasses(where: string, given: unknown, ...labelSets: Int32Array[]): number {
  if (given !== undefined) {
    assertInteger(where, 'numClasses', given, 1);
    return given;
  }
  let max = -1;
  for (const labels of labelSets) for (const v of labels) if (v > max) max = v;
  return Math.max(1, max + 1);
}

/** An optional positive integer option with a default. */
export function intOption(where: string, name: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  assertInteger(where, name, value, min);
  return value;
}
