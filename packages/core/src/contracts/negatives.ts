import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';

/** Named tensors plus JSON metadata: the serialisable form of any stateful part. */
export interface SerializedState {
  readonly tensors: Readonly<Record<string, Tensor>>;
  readonly meta: Readonly<Record<string, unknown>>;
}

/** Rows of a labelled negative source and the class label of each (-1: no label). */
export interface LabelledRows {
  readonly rows: Tensor2D;
  readonly labels: Tensor1D;
}

/**
 * A source of negatives for the contrastive loss (Wu et al. 2018 memory bank; He et al.
 * 2020 MoCo queue; or none for in-batch negatives). The state is an explicit value:
 * `read` never mutates it, `write` returns the next state (disposing tensors it replaces),
 * and `serialize`/`deserialize` let a checkpoint restore it exactly.
 */
export interface NegativeSource<S> {
  readonly name: string;
  /** The initial state. */
  init(rng: Rng): S;
  /** Negatives `[K, D]` for this step, or `null` for in-batch only. Caller disposes. */
  read(state: S, context: { readonly indices?: Int32Array; readonly rng: Rng }): Tensor2D | null;
  /**
   * The state after adding this step's keys `[B, D]` (stop-gradient) at dataset `indices`.
   * A labelled source (see {@link NegativeSource.readLabelled}) also stores `labels` `[B]`, one
   * integer class per key, and requires them.
   */
  write(state: S, keys: Tensor2D, indices?: Int32Array, labels?: Tensor1D): S;
  /**
   * Present on a source that stores a class label per row (built with `labels: true`): the
   * rows `read` would return with their labels `[K]` (int32; -1 for a row written before any
   * label, e.g. a queue's random initial rows), drawn the same way. Caller disposes both.
   */
  readLabelled?(state: S, context: { readonly indices?: Int32Array; readonly rng: Rng }): LabelledRows | null;
  /** The state as named tensors + JSON meta. The tensors are fresh copies (e.g. `tf.clone`) that the caller owns and disposes. */
  serialize(state: S): SerializedState;
  /** A state from `serialize`'s output. Copies what it keeps (the caller still owns and disposes `data`'s tensors); throws CheckpointError on a mismatch. */
  deserialize(data: SerializedState): S;
  dispose(state: S): void;
}
