import type { Tensor, Tensor2D, Variable } from '@tensorflow/tfjs-core';

/** Options of a forward pass. */
export interface ForwardOptions {
  /** Training mode: BatchNorm uses batch statistics (and updates running averages). */
  readonly training: boolean;
}

/**
 * A trainable function with weights: the shape shared by encoders and heads. Variables are
 * exposed so that optimizers, EMA copies and checkpoints can reach them.
 */
export interface TrainableModule {
  /** A short name for logs, e.g. `'resnet18-cifar'`. */
  readonly name: string;
  /** Variables the optimizer updates. */
  readonly trainableVariables: readonly Variable[];
  /** Variables updated outside the optimizer (e.g. BatchNorm running mean and variance). */
  readonly nonTrainableVariables: readonly Variable[];
  /** Frees every variable of the module. */
  dispose(): void;
}

/**
 * The encoder f(·) of SimCLR: maps inputs to the representation h used downstream
 * (`[B, ...] -> [B, outputDim]`).
 */
export interface Encoder extends TrainableModule {
  /** Size of the representation h. */
  readonly outputDim: number;
  /** h = f(x). */
  apply(x: Tensor, options: ForwardOptions): Tensor2D;
}

/**
 * The projection head g(·) of SimCLR: maps h to the space where the contrastive loss is
 * applied (`[B, inputDim] -> [B, outputDim]`). Thrown away after training.
 */
export interface ProjectionHead extends TrainableModule {
  readonly inputDim: number;
  readonly outputDim: number;
  /** z = g(h). */
  apply(h: Tensor2D, options: ForwardOptions): Tensor2D;
}
