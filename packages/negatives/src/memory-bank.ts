/**
 * The memory bank of instance discrimination (Wu et al. 2018, "Unsupervised Feature Learning
 * via Non-Parametric Instance Discrimination", §3.2): one L2-normalised entry per dataset sample,
 * updated with momentum for the samples of each batch, from which K negatives are sampled.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  assertAllocation,
  describeValue,
  assertInteger,
  assertOptionsObject,
  assertProbability,
  assertShape,
  ArgumentError,
  type LabelledRows,
  type NegativeSource,
  type Rng,
  type SerializedState, assertKnownKeys } from '@contrastive/core';
import { l2Normalize } from '@contrastive/nn';
import { randomUnitRows } from './random-unit-rows.js';
import { emptyLabels, labelsOption, rejectLabels, rowLabels } from './row-labels.js';
import { assertIndices, assertKeys, badState, metaEquals, serializedTensor } from './validate.js';

/** Options of {@link memoryBank}. */
export interface MemoryBankOptions {
  /** Number of entries: one per dataset sample (n in Wu et al.). */
  readonly size: number;
  /** Embedding size D. */
  readonly dim: number;
  /** Negatives sampled per step (K; Wu et al. use 4096). */
  readonly numNegatives: number;
  /** Update momentum m of `v <- normalise(m v + (1 - m) z)`, in [0, 1]. Default 0.5 (Wu et al.). */
  readonly momentum?: number;
  /**
   * Draw negatives only from entries that are not in the current batch (needs `indices` at
   * `read`). Default `false`: uniform over the whole bank, as in Wu et al.'s sampler.
   */
  readonly excludeBatch?: boolean;
  /**
   * Store the class label of each entry (`write` then requires `labels`; the last label written
   * to an entry wins), for SupCon with a bank (`readLabelled`). Default `false`.
   */
  readonly labels?: boolean;
  /**
   * Read the keys of every `write` back and refuse NaN or infinite values (NonFiniteError);
   * default `true`. A synchronous download per step: the strategies turn it off unless their
   * `validate` option is set (the trainer's loss check catches a diverged step anyway).
   */
  readonly checkValues?: boolean;
}

/** State of a {@link memoryBank}: the bank `[size, dim]`, every row of unit L2 norm. */
export interface MemoryBankState {
  readonly bank: tf.Tensor2D;
  /** The label of each entry `[size]` int32 (-1: none yet), with `labels: true`; else absent. */
  readonly labels?: tf.Tensor1D;
}

/** A {@link NegativeSource} over a per-sample memory bank, plus a lookup of given rows. */
export interface MemoryBank extends NegativeSource<MemoryBankState> {
  readonly size: number;
  readonly dim: number;
  readonly numNegatives: number;
  readonly momentum: number;
  /** K = `numNegatives` sampled bank rows `[K, dim]` (never `null`). Caller disposes. */
  read(state: MemoryBankState, context: { readonly indices?: Int32Array; readonly rng: Rng }): tf.Tensor2D;
  /** With `labels: true`: the rows `read` draws from the same rng and their labels; else `null`. */
  readLabelled(state: MemoryBankState, context: { readonly indices?: Int32Array; readonly rng: Rng }): LabelledRows | null;
  /**
   * The bank rows at `indices` `[B, dim]`: the positives v_i of instance discrimination.
   * Stop-gradient; the caller disposes the result.
   */
  lookup(state: MemoryBankState, indices: Int32Array): tf.Tensor2D;
}

/**
 * A memory bank with one unit-norm entry per dataset sample (Wu et al. 2018, §3.2, eq. 2-3).
 *
 * - `init(rng)`: rows drawn uniformly on the unit sphere (seeded).
 * - `read(state, { rng, indices? })`: K = `numNegatives` rows sampled uniformly with replacement
 *   (`[K, dim]`); with `excludeBatch`, rows at the batch's `indices` are never drawn.
 * - `write(state, keys, indices)`: for each batch sample i, `v_i <- normalise(m v_i + (1 - m) z_i)`
 *   where `z_i` is the L2-normalised key (Wu et al.'s f_i is unit-norm). When an index occurs more
 *   than once in a batch, its last occurrence wins. The old bank tensor is disposed.
 *
 * - `labels: true`: each entry also holds the class label last written to it (-1 before any),
 *   returned with the sampled rows by `readLabelled` and checkpointed.
 *
 * All of this is stop-gradient: the bank is never differentiated, so `tf.gather` is safe here.
 *
 * @example
 * ```ts
 * const bank = memoryBank({ size: 50_000, dim: 128, numNegatives: 4096 });
 * let state = bank.init(rng.split());
 * const neg = bank.read(state, { rng, indices: batch.indices });   // [4096, 128]
 * // ... loss(z, bank.lookup(state, batch.indices), neg) ...
 * state = bank.write(state, tf.stopGradient(z), batch.indices);
 * ```
 */
export function memoryBank(options: MemoryBankOptions): MemoryBank {
  const where = 'memoryBank';
  assertOptionsObject(where, 'options', options);
  assertKnownKeys(where, 'options', options, ['size', 'dim', 'numNegatives', 'momentum', 'excludeBatch', 'labels', 'checkValues']);
  if (options === undefined) throw new ArgumentError(`${where}: argument 'options' is required`, { argument: 'options', expected: 'an options object' });
  const { size, dim, numNegatives } = options;
  const momentum = options.momentum ?? 0.5;
  const excludeBatch = options.excludeBatch ?? false;
  const checkValues = options.checkValues ?? true;
  if (typeof checkValues !== 'boolean') {
    throw new ArgumentError(`${where}: argument 'options.checkValues' must be a boolean, received ${describeValue(checkValues)}`, { argument: 'options.checkValues', expected: 'a boolean', received: checkValues });
  }
  assertInteger(where, 'options.size', size, 1);
  assertInteger(where, 'options.dim', dim, 1);
  assertAllocation(where, { what: 'the bank [size, dim] float32 (twice while a write replaces it)', bytes: size * dim * 8, largestTensorBytes: size * dim * 4, argument: size >= dim ? 'options.size' : 'options.dim', received: size >= dim ? size : dim });
  assertInteger(where, 'options.numNegatives', numNegatives, 1);
  // Each read draws numNegatives indices and gathers [numNegatives, dim] floats.
  assertAllocation(where, { what: 'the negatives of one read [numNegatives, dim] float32 (and their indices)', bytes: numNegatives * (dim + 1) * 4, argument: 'options.numNegatives', received: numNegatives });
  assertProbability(where, 'options.momentum', momentum);
  if (typeof excludeBatch !== 'boolean') {
    throw new ArgumentError(`${where}: argument 'options.excludeBatch' must be a boolean, received ${String(excludeBatch)}`, {
      argument: 'options.excludeBatch',
      expected: 'a boolean',
      received: excludeBatch,
    });
  }
  const labelled = labelsOption(where, options.labels);
  if (excludeBatch && size < 2) {
    throw new ArgumentError(`${where}: argument 'options.size' must be >= 2 with excludeBatch, received ${size}`, {
      argument: 'options.size',
      expected: 'an integer >= 2',
      received: size,
    });
  }

  const checkState = (fn: string, state: MemoryBankState): void => {
    if (typeof state !== 'object' || state === null) badState(`${where}.${fn}`, 'must be a memoryBank state', state);
    assertShape(`${where}.${fn}`, 'state.bank', state.bank, [size, dim]);
    if (labelled) assertShape(`${where}.${fn}`, 'state.labels', state.labels, [size]);
  };

  /** K indices drawn uniformly from [0, size) minus the sorted `excluded`. */
  const sample = (rng: Rng, excluded: readonly number[]): Int32Array => {
    const available = size - excluded.length;
    if (available < 1) {
      throw new ArgumentError(`${where}.read: argument 'context.indices' covers the whole bank; no entry is left to sample with excludeBatch`, {
        argument: 'context.indices',
        expected: `fewer than ${size} distinct indices`,
      });
    }
    const out = new Int32Array(numNegatives);
    for (let k = 0; k < numNegatives; k++) {
      // The r-th integer of [0, size) that is not excluded (excluded is ascending).
      let r = rng.int(0, available);
      for (const e of excluded) {
        if (e <= r) r++;
        else break;
      }
      out[k] = r;
    }
    return out;
  };

  /** The K bank indices a read draws (the same for `read` and `readLabelled` from one rng state). */
  const draw = (fn: string, context: { readonly indices?: Int32Array; readonly rng: Rng }): Int32Array => {
    if (typeof context !== 'object' || context === null) {
      throw new ArgumentError(`${where}.${fn}: argument 'context' must be { rng, indices? }`, { argument: 'context', received: context });
    }
    let excluded: number[] = [];
    if (excludeBatch && context.indices !== undefined) {
      assertIndices(`${where}.${fn}`, 'context.indices', context.indices, size);
      excluded = [...new Set(context.indices)].sort((a, b) => a - b);
    }
    return sample(context.rng, excluded);
  };

  const bank: MemoryBank = {
    name: 'memoryBank',
    size,
    dim,
    numNegatives,
    momentum,

    init(rng: Rng): MemoryBankState {
      const rows = tf.tensor2d(randomUnitRows(rng, size, dim), [size, dim], 'float32');
      return labelled ? { bank: rows, labels: emptyLabels(size) } : { bank: rows };
    },

    read(state, context): tf.Tensor2D {
      checkState('read', state);
      const idx = draw('read', context);
      // [K, dim]: row k is bank entry idx[k].
      return tf.tidy(() => tf.gather(state.bank, tf.tensor1d(idx, 'int32')));
    },

    readLabelled(state, context): LabelledRows | null {
      checkState('readLabelled', state);
      if (!labelled) return null;
      const idx = draw('readLabelled', context);
      return tf.tidy(() => {
        const at = tf.tensor1d(idx, 'int32');
        return { rows: tf.gather(state.bank, at) as tf.Tensor2D, labels: tf.gather(state.labels as tf.Tensor1D, at) as tf.Tensor1D };
      });
    },

    write(state, keys, indices, labels): MemoryBankState {
      checkState('write', state);
      assertKeys(`${where}.write`, keys, dim, checkValues);
      const b = keys.shape[0];
      if (indices === undefined) {
        throw new ArgumentError(`${where}.write: argument 'indices' is required (the dataset index of each key)`, {
          argument: 'indices',
          expected: 'an Int32Array',
        });
      }
      assertIndices(`${where}.write`, 'indices', indices, size, b);
      if (!labelled) rejectLabels(`${where}.write`, labels);
      const fresh = labelled ? rowLabels(`${where}.write`, labels, b) : null;
      if (b === 0) {
        fresh?.dispose();
        return state;
      }
      // Last occurrence of each index wins: positions[j] is the key row that updates entry targets[j].
      const last = new Map<number, number>();
      for (let i = 0; i < b; i++) last.set(indices[i] as number, i);
      const targets = Int32Array.from(last.keys());
      const positions = Int32Array.from(last.values());
      const next = tf.tidy(() => {
        const target = tf.reshape(tf.tensor1d(targets, 'int32'), [-1, 1]);
        const at = tf.tensor1d(positions, 'int32');
        const z = l2Normalize(tf.gather(keys, at) as tf.Tensor2D); // [U, dim]
        const old = tf.gather(state.bank, tf.reshape(target, [-1])) as tf.Tensor2D; // [U, dim]
        const mixed = tf.add(tf.mul(old, momentum), tf.mul(z, 1 - momentum)) as tf.Tensor2D;
        const bankNext = tf.tensorScatterUpdate(state.bank, target, l2Normalize(mixed)) as tf.Tensor2D;
        const labelsNext = fresh === null ? null : (tf.tensorScatterUpdate(state.labels as tf.Tensor1D, target, tf.gather(fresh, at)) as tf.Tensor1D);
        return labelsNext === null ? [bankNext] : [bankNext, labelsNext];
      });
      fresh?.dispose();
      state.bank.dispose();
      state.labels?.dispose();
      const [bankNext, labelsNext] = next as [tf.Tensor2D, tf.Tensor1D?];
      return labelsNext === undefined ? { bank: bankNext } : { bank: bankNext, labels: labelsNext };
    },

    lookup(state, indices): tf.Tensor2D {
      checkState('lookup', state);
      assertIndices(`${where}.lookup`, 'indices', indices, size);
      return tf.tidy(() => tf.gather(state.bank, tf.tensor1d(indices, 'int32')));
    },

    serialize(state): SerializedState {
      checkState('serialize', state);
      const tensors: Record<string, tf.Tensor> = { bank: tf.clone(state.bank) };
      if (labelled) tensors['labels'] = tf.clone(state.labels as tf.Tensor1D);
      return { tensors, meta: { kind: 'memoryBank', size, dim, labels: labelled } };
    },

    deserialize(data): MemoryBankState {
      const fn = `${where}.deserialize`;
      if (typeof data !== 'object' || data === null) badState(fn, 'must be a SerializedState { tensors, meta }', data);
      metaEquals(fn, data, 'kind', 'memoryBank');
      metaEquals(fn, data, 'size', size);
      metaEquals(fn, data, 'dim', dim);
      // Checkpoints written before labelled banks existed have no meta.labels: unlabelled.
      if (labelled || (data.meta as Record<string, unknown>)['labels'] !== undefined) metaEquals(fn, data, 'labels', labelled);
      const rows = serializedTensor(fn, data, 'bank', [size, dim]);
      if (!labelled) return { bank: tf.clone(rows) as tf.Tensor2D };
      return { bank: tf.clone(rows) as tf.Tensor2D, labels: tf.clone(serializedTensor(fn, data, 'labels', [size], 'int32')) as tf.Tensor1D };
    },

    dispose(state): void {
      state.bank.dispose();
      state.labels?.dispose();
    },
  };
  return bank;
}
