/**
 * The parts of one training step, kept apart so that a step can be assembled differently
 * (e.g. gradients accumulated over chunks): (1) loss and gradients, (2) the optimizer update,
 * (3) the strategy's after-step (negatives, momentum weights).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch, Rng, StepAux, Strategy } from '@contrastive/core';

/** The output of {@link computeLossAndGradients}; the caller disposes every tensor. */
export interface LossAndGradients {
  /** The scalar loss. */
  readonly loss: tf.Scalar;
  /** Gradients by variable name (variables the loss does not reach are absent). */
  readonly grads: Record<string, tf.Tensor>;
  /** What the strategy's `afterStep` needs (kept out of the tape's tidy scope). */
  readonly aux: StepAux;
}

/**
 * Runs `strategy.loss` under a gradient tape and returns the loss, the gradients of the
 * strategy's trainable variables and the strategy's aux tensors (kept alive for `afterStep`).
 *
 * @example
 * ```ts
 * const { loss, grads, aux } = computeLossAndGradients(strategy, batch, state, rng.split());
 * ```
 */
export function computeLossAndGradients<S>(strategy: Strategy<S>, batch: Batch, state: S, rng: Rng): LossAndGradients {
  let aux: StepAux = { tensors: {} };
  const { value, grads } = tf.variableGrads(() => {
    const out = strategy.loss(batch, state, rng);
    // tf.variableGrads runs f in a tidy scope: keep the aux tensors, which outlive it.
    for (const t of Object.values(out.aux.tensors)) tf.keep(t);
    aux = out.aux;
    return out.loss;
  }, strategy.trainableVariables as tf.Variable[]);
  return { loss: value, grads: { ...grads }, aux };
}

/** Disposes every tensor of a {@link LossAndGradients}. */
export function disposeLossAndGradients(out: LossAndGradients): void {
  out.loss.dispose();
  Object.values(out.grads).forEach((g) => g.dispose());
  Object.values(out.aux.tensors).forEach((t) => t.dispose());
}
