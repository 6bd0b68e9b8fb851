/**
 * The MoCo dictionary as a queue (He et al. 2020, "Momentum Contrast for Unsupervised Visual
 * Representation Learning", §3.2: "we maintain the dictionary as a queue of data samples: the
 * encoded representations of the current mini-batch are enqueued, and the oldest are dequeued").
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  assertAllocation,
  describeValue,
  assertInteger,
  assertOptionsObject,
  assertShape,
  ArgumentError,
  type LabelledRows,
  type NegativeSource,
  type Rng,
  type SerializedState, assertKnownKeys } from '@contrastive/core';
import { l2Normalize } from '@contrastive/nn';
import { randomUnitRows } from './random-unit-rows.js';
import { emptyLabels, labelsOption, rejectLabels, rowLabels } from './row-labels.js';
import { assertKeys, badState, metaEquals, serializedTensor } from './validate.js';

/** Options of {@link momentumQueue}. */
export interface MomentumQueueOptions {
  /** Queue length K (MoCo: 65536 on ImageNet, 4096 on CIFAR-10). Need not be a multiple of the batch size. */
  readonly size: number;
  /** Key size D. */
  readonly dim: number;
  /** L2-normalise keys before enqueueing them, as MoCo does. Default `true`. */
  readonly normalize?: boolean;
  /**
   * Store the class label of each key (`write` then requires `labels`), for SupCon with a queue
   * (`readLabelled`). Default `false`.
   */
  readonly labels?: boolean;
  /**
   * Read the keys of every `write` back and refuse NaN or infinite values (NonFiniteError);
   * default `true`. A synchronous download per step: the strategies turn it off unless their
   * `validate` option is set (the trainer's loss check catches a diverged step anyway).
   */
  readonly checkValues?: boolean;
}

/**
 * State of a {@link momentumQueue}: K slots `[size, dim]` and the slot the next key goes to.
 * Slot `(pointer + j) mod size` holds the j-th oldest key (j = 0 is the oldest).
 */
export interface MomentumQueueState {
  readonly keys: tf.Tensor2D;
  readonly pointer: number;
  /** The label of each slot `[size]` int32 (-1: none yet), with `labels: true`; else absent. */
  readonly labels?: tf.Tensor1D;
}

/** A {@link NegativeSource} over a MoCo FIFO queue. */
export interface MomentumQueue extends NegativeSource<MomentumQueueState> {
  readonly size: number;
  readonly dim: number;
  /** The whole queue `[K, dim]` (never `null`), a copy the caller disposes. */
  read(state: MomentumQueueState, context?: { readonly indices?: Int32Array; readonly rng: Rng }): tf.Tensor2D;
  /** With `labels: true`: the whole queue and each slot's label (-1 for an initial random row); else `null`. */
  readLabelled(state: MomentumQueueState, context?: { readonly indices?: Int32Array; readonly rng: Rng }): LabelledRows | null;
}

/**
 * Slots `[start, start + n)` modulo K of `old` (`[K, ...]`) replaced by `fresh` (`[n, ...]`, n <= K),
 * built from slices and a concat (no gather). Tidy; `old` is not disposed.
 */
function ringWrite<T extends tf.Tensor>(old: T, fresh: T, start: number): T {
  const size = old.shape[0] as number;
  const n = fresh.shape[0] as number;
  const rows = (t: tf.Tensor, from: number, count: number): tf.Tensor =>
    tf.slice(t, [from, ...t.shape.slice(1).map(() => 0)], [count, ...t.shape.slice(1)]);
  return tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    if (start + n <= size) {
      // Slots [0, start) old | [start, start+n) new | [start+n, K) old.
      if (start > 0) parts.push(rows(old, 0, start));
      parts.push(fresh);
      if (start + n < size) parts.push(rows(old, start + n, size - start - n));
    } else {
      // Wrap-around: the first `head` new rows fill [start, K), the rest fill [0, n - head).
      const head = size - start;
      parts.push(rows(fresh, head, n - head));
      if (start > n - head) parts.push(rows(old, n - head, start - (n - head)));
      parts.push(rows(fresh, 0, head));
    }
    return (parts.length === 1 ? tf.clone(parts[0] as tf.Tensor) : tf.concat(parts, 0)) as T;
  });
}

/**
 * A FIFO queue of the K most recent keys (He et al. 2020, MoCo, Algorithm 1).
 *
 * - `init(rng)`: K random unit vectors (MoCo starts from a random normalised queue).
 * - `read(state)`: the whole queue `[K, dim]` as negatives (a copy the caller disposes).
 * - `labels: true`: each slot also holds its key's class label (`write(state, keys, indices,
 *   labels)`; -1 for the random initial rows), read with `readLabelled` and checkpointed.
 * - `write(state, keys)`: enqueue this step's keys `[B, dim]` after the loss. Keys go to slots
 *   `pointer, pointer+1, ...` modulo K (wrap-around), so K need not be a multiple of B and a short
 *   last batch is fine; with B > K only the last K keys are kept. The pointer advances by B
 *   modulo K. The old queue tensor is disposed. Built from slices and a concat: no gather.
 *
 * @example
 * ```ts
 * const queue = momentumQueue({ size: 4096, dim: 128 });
 * let state = queue.init(rng.split());
 * const neg = queue.read(state, { rng });           // [4096, 128]
 * // ... loss(q, k, neg); optimizer step ...
 * state = queue.write(state, k);                     // enqueue [B, 128], dequeue the oldest B
 * ```
 */
export function momentumQueue(options: MomentumQueueOptions): MomentumQueue {
  const where = 'momentumQueue';
  assertOptionsObject(where, 'options', options);
  assertKnownKeys(where, 'options', options, ['size', 'dim', 'normalize', 'labels', 'checkValues']);
  if (options === undefined) throw new ArgumentError(`${where}: argument 'options' is required`, { argument: 'options', expected: 'an options object' });
  const { size, dim } = options;
  const normalize = options.normalize ?? true;
  const checkValues = options.checkValues ?? true;
  if (typeof checkValues !== 'boolean') {
    throw new ArgumentError(`${where}: argument 'options.checkValues' must be a boolean, received ${describeValue(checkValues)}`, { argument: 'options.checkValues', expected: 'a boolean', received: checkValues });
  }
  assertInteger(where, 'options.size', size, 1);
  assertInteger(where, 'options.dim', dim, 1);
  assertAllocation(where, { what: 'the queue [size, dim] float32 (twice while a write replaces it)', bytes: size * dim * 8, largestTensorBytes: size * dim * 4, argument: size >= dim ? 'options.size' : 'options.dim', received: size >= dim ? size : dim });
  if (typeof normalize !== 'boolean') {
    throw new ArgumentError(`${where}: argument 'options.normalize' must be a boolean, received ${String(normalize)}`, {
      argument: 'options.normalize',
      expected: 'a boolean',
      received: normalize,
    });
  }

  const labelled = labelsOption(where, options.labels);

  const checkState = (fn: string, state: MomentumQueueState): void => {
    if (typeof state !== 'object' || state === null) badState(`${where}.${fn}`, 'must be a momentumQueue state', state);
    assertShape(`${where}.${fn}`, 'state.keys', state.keys, [size, dim]);
    if (!Number.isInteger(state.pointer) || state.pointer < 0 || state.pointer >= size) {
      throw new ArgumentError(`${where}.${fn}: argument 'state.pointer' must be an integer in [0, ${size}), received ${String(state.pointer)}`, {
        argument: 'state.pointer',
        expected: `an integer in [0, ${size})`,
        received: state.pointer,
      });
    }
    if (labelled) assertShape(`${where}.${fn}`, 'state.labels', state.labels, [size]);
  };

  return {
    name: 'momentumQueue',
    size,
    dim,

    init(rng: Rng): MomentumQueueState {
      const keys = tf.tensor2d(randomUnitRows(rng, size, dim), [size, dim], 'float32');
      return labelled ? { keys, pointer: 0, labels: emptyLabels(size) } : { keys, pointer: 0 };
    },

    read(state): tf.Tensor2D {
      checkState('read', state);
      return tf.clone(state.keys);
    },

    readLabelled(state): LabelledRows | null {
      checkState('readLabelled', state);
      if (!labelled) return null;
      return { rows: tf.clone(state.keys), labels: tf.clone(state.labels as tf.Tensor1D) };
    },

    write(state, keys, _indices, labels): MomentumQueueState {
      checkState('write', state);
      assertKeys(`${where}.write`, keys, dim, checkValues);
      const b = keys.shape[0];
      if (!labelled) rejectLabels(`${where}.write`, labels);
      const fresh = labelled ? rowLabels(`${where}.write`, labels, b) : null;
      if (b === 0) {
        fresh?.dispose();
        return state;
      }
      // Only the last n = min(B, K) keys survive; the first of them lands in slot `start`.
      const n = Math.min(b, size);
      const start = (state.pointer + b - n) % size;
      const next = tf.tidy(() => {
        const normalised = normalize ? l2Normalize(keys) : keys;
        const kept = n === b ? normalised : tf.slice(normalised, [b - n, 0], [n, dim]); // [n, dim]
        return ringWrite(state.keys, kept as tf.Tensor2D, start);
      });
      let nextLabels: tf.Tensor1D | undefined;
      if (fresh !== null) {
        nextLabels = tf.tidy(() => ringWrite(state.labels as tf.Tensor1D, n === b ? fresh : tf.slice(fresh, [b - n], [n]), start));
        fresh.dispose();
        state.labels?.dispose();
      }
      state.keys.dispose();
      const pointer = (state.pointer + b) % size;
      return nextLabels ? { keys: next, pointer, labels: nextLabels } : { keys: next, pointer };
    },

    serialize(state): SerializedState {
      checkState('serialize', state);
      const tensors: Record<string, tf.Tensor> = { keys: tf.clone(state.keys) };
      if (labelled) tensors['labels'] = tf.clone(state.labels as tf.Tensor1D);
      return { tensors, meta: { kind: 'momentumQueue', size, dim, pointer: state.pointer, labels: labelled } };
    },

    deserialize(data): MomentumQueueState {
      const fn = `${where}.deserialize`;
      if (typeof data !== 'object' || data === null) badState(fn, 'must be a SerializedState { tensors, meta }', data);
      metaEquals(fn, data, 'kind', 'momentumQueue');
      metaEquals(fn, data, 'size', size);
      metaEquals(fn, data, 'dim', dim);
      // Checkpoints written before labelled queues existed have no meta.labels: unlabelled.
      if (labelled || (data.meta as Record<string, unknown>)['labels'] !== undefined) metaEquals(fn, data, 'labels', labelled);
      const pointer = (data.meta as Record<string, unknown>)['pointer'];
      if (typeof pointer !== 'number' || !Number.isInteger(pointer) || pointer < 0 || pointer >= size) {
        badState(fn, `must have meta.pointer, an integer in [0, ${size})`, pointer);
      }
      const keys = serializedTensor(fn, data, 'keys', [size, dim]);
      if (!labelled) return { keys: tf.clone(keys) as tf.Tensor2D, pointer };
      const labels = serializedTensor(fn, data, 'labels', [size], 'int32');
      return { keys: tf.clone(keys) as tf.Tensor2D, pointer, labels: tf.clone(labels) as tf.Tensor1D };
    },

    dispose(state): void {
      state.keys.dispose();
      state.labels?.dispose();
    },
  };
}
