import type { Scalar, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';

/**
 * What a strategy hands its loss. Every tensor is `[N, D]` unless noted; embeddings are
 * L2-normalised inside the loss, never by the caller.
 */
export interface LossInputs {
  /** Online embeddings, one `[N, D]` tensor per view (gradients flow). */
  readonly views: readonly Tensor2D[];
  /** Key embeddings per view from a key branch (stop-gradient), e.g. MoCo's momentum encoder. */
  readonly keys?: readonly Tensor2D[];
  /** External negatives `[K, D]` (queue or memory-bank rows; stop-gradient). */
  readonly negatives?: Tensor2D;
  /** Integer class labels `[N]` (SupCon). */
  readonly labels?: Tensor1D;
  /**
   * Integer class labels `[K]` of the external `negatives` rows, from a labelled negative
   * source (a queue or bank built with `labels: true`); -1 marks a row with no label yet, which
   * is never a positive. With them SupCon (Khosla et al. 2020) can take queue rows of the
   * anchor's class as positives (MoCo-style supervised contrast).
   */
  readonly negativeLabels?: Tensor1D;
}

/** A contrastive loss as strategies see it: inputs in, a scalar out. */
export interface ContrastiveLoss {
  readonly name: string;
  /** The scalar loss (a tidy function: no intermediate tensor survives the call). */
  compute(inputs: LossInputs): Scalar;
}
