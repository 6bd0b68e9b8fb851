/**
 * In-batch negatives: the other samples of the batch are the negatives, nothing external
 * (Chen et al. 2020, SimCLR §2.1: "we treat the other 2(N − 1) augmented examples within a
 * minibatch as negative examples").
 */
import { CheckpointError, describeValue, type NegativeSource, type SerializedState } from '@contrastive/core';

/** The (empty) state of {@link inBatch}. */
export interface InBatchState {
  readonly kind: 'inBatch';
}

const STATE: InBatchState = Object.freeze({ kind: 'inBatch' });

/**
 * A negative source with no external negatives: `read` returns `null`, `write` is a no-op.
 * Use it where the loss draws its negatives from the batch itself (SimCLR, SupCon).
 *
 * @example
 * ```ts
 * const negatives = inBatch();
 * const state = negatives.init(rng);
 * negatives.read(state, { rng }); // null
 * ```
 */
export function inBatch(): NegativeSource<InBatchState> {
  return {
    name: 'inBatch',
    init: () => STATE,
    read: () => null,
    write: (state) => state,
    serialize: (): SerializedState => ({ tensors: {}, meta: { kind: 'inBatch' } }),
    deserialize: (data: SerializedState): InBatchState => {
      if (typeof data !== 'object' || data === null || (data.meta as { kind?: unknown } | undefined)?.kind !== 'inBatch') {
        throw new CheckpointError(`inBatch.deserialize: argument 'data' must be a state serialized by inBatch, received ${describeValue(data)}`, {
          argument: 'data',
          expected: "{ meta: { kind: 'inBatch' } }",
          received: data,
        });
      }
      return STATE;
    },
    dispose: () => undefined,
  };
}
