/**
 * Input checks for embeddings and labels. Every error names the argument (`z1`,
 * `views[2]`, `labels`) and carries the value received.
 */
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { ArgumentError, assertFloatTensor, describeValue, NonFiniteError, ShapeError } from '@contrastive/core';

/** What {@link checkEmbeddings} expects of a matrix. */
export interface EmbeddingExpectation {
  readonly rows?: number;
  readonly dim?: number;
  /** Fewest rows accepted (default 1; 0 for an empty queue). */
  readonly minRows?: number;
  /** Read the values back and check them (see `values`). */
  readonly checkValues: boolean;
  /**
   * What the values must be, with `checkValues`:
   * - `'directions'` (default): finite, and no all-zero row (the loss L2-normalises rows, and
   *   the cosine similarity of a zero vector is undefined);
   * - `'features'`: finite; zero rows are fine (the loss standardises or compares features
   *   per dimension, never normalises a row);
   * - `'varying-features'`: finite, and no column constant over the rows (the loss divides each
   *   column by its standard deviation over the batch, Barlow Twins).
   */
  readonly values?: 'directions' | 'features' | 'varying-features';
}

/**
 * An embedding matrix: a float32 `[rows, dim]` tensor with at least `minRows` rows and a
 * matching shape. With `checkValues`, also its values as `expect.values` says (by default:
 * every value finite and no all-zero row).
 */
export function checkEmbeddings(where: string, name: string, value: unknown, expect: EmbeddingExpectation): asserts value is Tensor2D {
  assertFloatTensor(where, name, value, 2);
  const [rows, dim] = value.shape as [number, number];
  const minRows = expect.minRows ?? 1;
  if (rows < minRows) {
    const expected = `at least ${minRows} row${minRows === 1 ? '' : 's'}`;
    throw new ShapeError(`${where}: argument '${name}' must have ${expected}, received shape [${value.shape.join(',')}]`, {
      argument: name,
      expected,
      received: value,
    });
  }
  if (dim < 1) {
    throw new ShapeError(`${where}: argument '${name}' must have at least 1 column, received shape [${value.shape.join(',')}]`, {
      argument: name,
      expected: 'at least 1 column',
      received: value,
    });
  }
  const wantRows = expect.rows;
  const wantDim = expect.dim;
  if ((wantRows !== undefined && rows !== wantRows) || (wantDim !== undefined && dim !== wantDim)) {
    const expected = `shape [${wantRows ?? '*'},${wantDim ?? '*'}]`;
    throw new ShapeError(`${where}: argument '${name}' must have ${expected}, received shape [${value.shape.join(',')}]`, {
      argument: name,
      expected,
      received: value,
    });
  }
  if (expect.checkValues) checkRowValues(where, name, value, rows, dim, expect.values ?? 'directions');
}

function checkRowValues(where: string, name: string, value: Tensor, rows: number, dim: number, kind: NonNullable<EmbeddingExpectation['values']>): void {
  const data = value.dataSync();
  for (let r = 0; r < rows; r++) {
    let nonZero = false;
    for (let c = 0; c < dim; c++) {
      const v = data[r * dim + c] as number;
      if (!Number.isFinite(v)) {
        throw new NonFiniteError(
          `${where}: argument '${name}' must hold only finite values, received ${describeValue(v)} at row ${r}, column ${c} of ${describeValue(value)}`,
          { argument: name, expected: 'finite values', received: value },
        );
      }
      if (v !== 0) nonZero = true;
    }
    if (!nonZero && kind === 'directions') {
      throw new ArgumentError(
        `${where}: argument '${name}' must have no all-zero row (cosine similarity is undefined), received a zero vector at row ${r} of ${describeValue(value)}`,
        { argument: name, expected: 'rows with a non-zero norm', received: value },
      );
    }
  }
  if (kind === 'varying-features') checkColumnsVary(where, name, value, data, rows, dim);
}

/** Every column takes at least two distinct values over the rows (its standard deviation is not 0). */
function checkColumnsVary(where: string, name: string, value: Tensor, data: ArrayLike<number>, rows: number, dim: number): void {
  for (let c = 0; c < dim; c++) {
    const first = data[c] as number;
    let varies = false;
    for (let r = 1; r < rows && !varies; r++) varies = data[r * dim + c] !== first;
    if (!varies) {
      throw new ArgumentError(
        `${where}: argument '${name}' must have no constant column (each dimension is divided by its standard deviation over the batch), received column ${c} equal to ${describeValue(first)} in every row of ${describeValue(value)}`,
        { argument: name, expected: 'columns that vary over the batch', received: value },
      );
    }
  }
}

/** Largest magnitude a label may have (labels travel as int32). */
const MAX_LABEL = 2 ** 31 - 1;

/**
 * Integer class labels, one per sample: a rank-1 tensor (int32, or float32 holding integers),
 * an `Int32Array`, or an array of integers. Returns them as an `Int32Array` of length `n`.
 */
export function checkLabels(where: string, name: string, value: unknown, n: number): Int32Array {
  let values: ArrayLike<number>;
  if (value instanceof Int32Array) {
    values = value;
  } else if (Array.isArray(value)) {
    values = value as number[];
  } else if (typeof value === 'object' && value !== null && 'dataId' in value) {
    assertFloatOrIntTensor(where, name, value);
    values = value.dataSync() as ArrayLike<number>;
  } else {
    const expected = 'a rank-1 int32 Tensor, an Int32Array or an array of integers';
    throw new ArgumentError(`${where}: argument '${name}' must be ${expected}, received ${describeValue(value)}`, {
      argument: name,
      expected,
      received: value,
    });
  }
  if (values.length !== n) {
    const expected = `${n} labels (one per sample)`;
    throw new ShapeError(`${where}: argument '${name}' must hold ${expected}, received ${values.length}: ${describeValue(value)}`, {
      argument: name,
      expected,
      received: value,
    });
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || Math.abs(v) > MAX_LABEL) {
      const expected = `integers in [-${MAX_LABEL}, ${MAX_LABEL}]`;
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

/**
 * Labels given as a tensor, checked without reading values (for `checkValues: false`): a live
 * rank-1 int32 or float32 tensor of `n` entries. Returned as is; its values stay on the device.
 */
export function checkLabelTensor(where: string, name: string, value: Tensor, n: number): Tensor1D {
  assertFloatOrIntTensor(where, name, value);
  if (value.shape[0] !== n) {
    const expected = `${n} labels (one per sample)`;
    throw new ShapeError(`${where}: argument '${name}' must hold ${expected}, received ${value.shape[0]}: ${describeValue(value)}`, {
      argument: name,
      expected,
      received: value,
    });
  }
  return value as Tensor1D;
}

function assertFloatOrIntTensor(where: string, name: string, value: object): asserts value is Tensor {
  const t = value as Tensor;
  if (t.isDisposed || !Array.isArray(t.shape) || t.rank !== 1 || (t.dtype !== 'int32' && t.dtype !== 'float32')) {
    const expected = 'a live rank-1 Tensor of dtype int32 (or float32 holding integers)';
    throw new ShapeError(`${where}: argument '${name}' must be ${expected}, received ${describeValue(value)}`, {
      argument: name,
      expected,
      received: value,
    });
  }
}
