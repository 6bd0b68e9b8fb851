import type { Tensor2D, Tensor4D, Variable } from '@tensorflow/tfjs-core';
import type { Rng } from '@contrastive/core';

/** What a key branch may read besides the views. */
export interface KeyContext {
  /** The negative source's current state (a memory bank's rows, for InstDisc's positives). */
  readonly negativesState: unknown;
  /** Dataset indices of the batch's samples, when the data source provides them. */
  readonly indices?: Int32Array;
}

/**
 * The key branch of a strategy (design.md step 3): computes keys for each view with
 * stop-gradient. SimCLR has none (its keys are the online embeddings); MoCo uses a
 * momentum (EMA) copy of the online network (He et al. 2020, §3.2); InstDisc reads the
 * memory bank's entry of each sample (Wu et al. 2018, eq. 2-3).
 */
export interface KeyBranch {
  readonly name: string;
  /** Variables the branch owns (momentum weights); checkpoints save them. */
  readonly nonTrainableVariables: readonly Variable[];
  /**
   * Those variables by stable path (e.g. `'encoder.conv1.kernel'`); the strategy prefixes them
   * with `keyBranch.`. Optional: without it they are keyed by position (`'<i>'`).
   */
  stateDict?(): ReadonlyMap<string, Variable>;
  /** Keys `[B, D]` for each view, computed without gradients. Caller disposes. */
  keys(views: readonly Tensor4D[], rng: Rng, context: KeyContext): Tensor2D[];
  /** Runs after each optimizer step (e.g. the momentum update); `step` counts from 0. */
  update(step: number): void;
  dispose(): void;
}
