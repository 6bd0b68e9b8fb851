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
  type NegativeSource,
  type Rng,
  type SerializedState, assertKnownKeys } from '@contrastive/core';
import { l2Normalize } from '@contrastive/nn';
import { randomUnitRows } from './random-unit-rows.js';
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
}

/** A {@link NegativeSource} over a MoCo FIFO queue. */
export interface MomentumQueue extends NegativeSource<MomentumQueueState> {
  readonly size: number;
  readonly dim: number;
  /** The whole queue `[K, dim]` (never `null`), a copy the caller disposes. */
  read(state: MomentumQueueState, context?: { readonly indices?: Int32Array; readonly rng: Rng }): tf.Tensor2D;
}

/**
 * A FIFO queue of the K most recent keys (He et al. 2020, MoCo, Algorithm 1).
 *
 * - `init(rng)`: K random unit vectors (MoCo starts from a random normalised queue).
 * - `read(state)`: the whole queue `[K, dim]` as negatives (a copy the caller disposes).
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
  assertKnownKeys(where, 'options', options, ['size', 'dim', 'normalize', 'checkValues']);
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
  };

  return {
    name: 'momentumQueue',
    size,
    dim,

    init(rng: Rng): MomentumQueueState {
      return { keys: tf.tensor2d(randomUnitRows(rng, size, dim), [size, dim], 'float32'), pointer: 0 };
    },

    read(state): tf.Tensor2D {
      checkState('read', state);
      return tf.clone(state.keys);
    },

    write(state, keys): MomentumQueueState {
      checkState('write', state);
      assertKeys(`${where}.write`, keys, dim, checkValues);
      const b = keys.shape[0];
      if (b === 0) return state;
      // Only the last n = min(B, K) keys survive; the first of them lands in slot `start`.
      const n = Math.min(b, size);
      const start = (state.pointer + b - n) % size;
      const next = tf.tidy(() => {
        const fresh = normalize ? l2Normalize(keys) : keys;
        const kept = n === b ? fresh : tf.slice(fresh, [b - n, 0], [n, dim]); // [n, dim]
        const parts: tf.Tensor2D[] = [];
        if (start + n <= size) {
          // Slots [0, start) old | [start, start+n) new | [start+n, K) old.
          if (start > 0) parts.push(tf.slice(state.keys, [0, 0], [start, dim]));
          parts.push(kept as tf.Tensor2D);
          if (start + n < size) parts.push(tf.slice(state.keys, [start + n, 0], [size - start - n, dim]));
        } else {
          // Wrap-around: the first `head` new keys fill [start, K), the rest fill [0, n - head).
          const head = size - start;
          parts.push(tf.slice(kept, [head, 0], [n - head, dim]));
          if (start > n - head) parts.push(tf.slice(state.keys, [n - head, 0], [start - (n - head), dim]));
          parts.push(tf.slice(kept, [0, 0], [head, dim]));
        }
        return (parts.length === 1 ? tf.clone(parts[0] as tf.Tensor2D) : tf.concat(parts, 0)) as tf.Tensor2D;
      });
      state.keys.dispose();
      return { keys: next, pointer: (state.pointer + b) % size };
    },

    serialize(state): SerializedState {
      checkState('serialize', state);
      return { tensors: { keys: tf.clone(state.keys) }, meta: { kind: 'momentumQueue', size, dim, pointer: state.pointer } };
    },

    deserialize(data): MomentumQueueState {
      const fn = `${where}.deserialize`;
      if (typeof data !== 'object' || data === null) badState(fn, 'must be a SerializedState { tensors, meta }', data);
      metaEquals(fn, data, 'kind', 'momentumQueue');
      metaEquals(fn, data, 'size', size);
      metaEquals(fn, data, 'dim', dim);
      const pointer = (data.meta as Record<string, unknown>)['pointer'];
      if (typeof pointer !== 'number' || !Number.isInteger(pointer) || pointer < 0 || pointer >= size) {
        badState(fn, `must have meta.pointer, an integer in [0, ${size})`, pointer);
      }
      return { keys: tf.clone(serializedTensor(fn, data, 'keys', [size, dim])) as tf.Tensor2D, pointer };
    },

    dispose(state): void {
      state.keys.dispose();
    },
  };
}
