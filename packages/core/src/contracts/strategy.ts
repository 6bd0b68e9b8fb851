import type { Scalar, Tensor1D, Tensor2D, Tensor4D, Tensor, Variable } from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.js';
import type { SerializedState } from './negatives.js';

/** One batch from a data source. */
export interface Batch {
  /** Images `[B, H, W, C]` in [0, 1] (or feature vectors `[B, F]` for MLP encoders). */
  readonly images: Tensor4D | Tensor;
  /** Integer labels `[B]`, when the data set has them (SupCon, evaluation). */
  readonly labels?: Tensor1D;
  /** Dataset indices of the samples (a memory bank needs them). */
  readonly indices?: Int32Array;
}

/**
 * A contrastive learning strategy: the full recipe of one training step (design.md):
 * views = augment(images); z = head(encoder(views)); keys = keyBranch(views);
 * neg = negatives.read(state); loss = lossFn(z, keys, neg, labels); then, after the
 * optimizer step, `afterStep` writes keys to the negative source and updates momentum weights.
 *
 * `S` is the strategy's explicit state (queue, bank, pointers); it is a value, checkpointed
 * through `serializeState` / `deserializeState`.
 *
 * Ownership: a strategy owns what exists only for it, namely the parts its factory built (a
 * MoCo key branch with its momentum copies of the encoder and head) and every state it handed
 * out (`init`, `deserializeState`, `afterStep`) that was not freed with `disposeState`. The
 * caller keeps what it passed in (the online encoder and head, an augmenter, a loss, and, for
 * `compose()`, any part not listed in its `owns` option): {@link Strategy.dispose} never frees
 * those, so a trained encoder outlives its strategy.
 */
export interface Strategy<S = unknown> {
  readonly name: string;
  /** Variables the optimizer updates (online encoder + head [+ predictor]). */
  readonly trainableVariables: readonly Variable[];
  /** All other variables that a checkpoint must hold (BN statistics, momentum copies). */
  readonly nonTrainableVariables: readonly Variable[];
  /**
   * Every variable of `trainableVariables` and `nonTrainableVariables` by its stable path
   * (`'encoder.layer1.0.conv1.kernel'`, `'keyBranch.encoder.conv1.kernel'`): checkpoints and
   * optimizer slots are keyed by these paths, so a resume does not depend on the order in which
   * a process built its modules. Optional: without it the trainer uses positional paths
   * (`'trainable.<i>'`, `'buffer.<i>'`), stable while the variable lists keep their order.
   */
  stateDict?(): ReadonlyMap<string, Variable>;
  /** The initial state. */
  init(rng: Rng): S;
  /**
   * The loss of one batch, computed under the caller's gradient tape. Returns the loss and
   * whatever `afterStep` needs (e.g. the keys to enqueue), which the caller disposes.
   */
  loss(batch: Batch, state: S, rng: Rng): { readonly loss: Scalar; readonly aux: StepAux };
  /**
   * Runs after the optimizer step: update negatives and momentum weights; returns the next state.
   * `step` is the 0-based index of the update just applied (the index the learning-rate schedule saw).
   */
  afterStep(state: S, aux: StepAux, batch: Batch, step: number): S;
  /** The state as named tensors + JSON meta. The tensors are fresh copies (e.g. `tf.clone`) that the caller owns and disposes (the trainer does, after writing a checkpoint). */
  serializeState(state: S): SerializedState;
  /** A state from `serializeState`'s output. Copies what it keeps (the caller still owns `data`'s tensors); throws CheckpointError on a mismatch. */
  deserializeState(data: SerializedState): S;
  /**
   * Frees one state (its queue or bank tensors). Safe to call on a state already freed, and a
   * no-op after {@link Strategy.dispose} (which freed every state still alive).
   */
  disposeState(state: S): void;
  /**
   * Frees everything the strategy owns (see the ownership rule above): its key branch and
   * momentum copies, and every state it handed out that is still alive (memory bank, queue).
   * Leaves the caller's parts (encoder, head, passed-in augmenter and loss) untouched.
   * Idempotent: a second call does nothing. Any other method called afterwards throws
   * `DisposedError` (`disposeState` stays a no-op, so a trainer may still free its state).
   */
  dispose(): void;
  /**
   * The same step split into stages, for a gradient cache (Gao et al. 2021, "Scaling Deep
   * Contrastive Learning Batch Size under Memory Limited Setup"): views are drawn once, the
   * online embeddings can be computed chunk by chunk, and the loss is a function of the full
   * set of embeddings. Optional: strategies without it train with the plain step only.
   * Invariant: `lossFromEmbeddings(views.map(embed))` equals `loss(batch)` for the same rng.
   */
  readonly stages?: StrategyStages<S>;
}

/** The stages of one step; see {@link Strategy.stages}. */
export interface StrategyStages<S> {
  /** The V views of the batch; all augmentation randomness is drawn here. Caller disposes. */
  views(batch: Batch, rng: Rng): Tensor4D[];
  /** The online embedding z = g(f(x)) of a chunk of (view) images `[b, H, W, C]` -> `[b, D]`. */
  embed(images: Tensor4D): Tensor2D;
  /**
   * The loss from the online embeddings of every view (`z[v]` is `[B, D]`) and the views
   * themselves (for a key branch); also returns what `afterStep` needs.
   */
  lossFromEmbeddings(z: readonly Tensor2D[], views: readonly Tensor4D[], batch: Batch, state: S, rng: Rng): { readonly loss: Scalar; readonly aux: StepAux };
}

/** Tensors a strategy's `loss` passes on to its `afterStep` (kept outside the tape). */
export interface StepAux {
  readonly tensors: Readonly<Record<string, Tensor>>;
}
