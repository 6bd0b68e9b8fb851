/**
 * One training step, the trainer's core: loss and gradients under a tape (or through the
 * gradient cache), the step's one host read-back (loss, gradient norm, input statistics), the
 * non-finite guard, optional clipping, the optimizer update and the strategy's `afterStep`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, NonFiniteError, describeValue, type Batch, type Rng, type Strategy } from '@contrastive/core';
import { clipByGlobalNorm } from './clip.js';
import { computeLossAndGradientsCached } from './gradient-cache.js';
import type { Optimizer, OptimizerState } from './optimizer.js';
import { computeLossAndGradients, disposeLossAndGradients, type LossAndGradients } from './step.js';
import { assertInputValues, readStep } from './step-readings.js';
import type { TrainerOptions } from './trainer-types.js';

/** What a step needs besides the batch. */
export interface StepInput<S> {
  readonly strategy: Strategy<S>;
  readonly optimizer: Optimizer;
  readonly options: Pick<TrainerOptions<S>, 'clipGradNorm' | 'onNonFinite' | 'gradientCache'>;
  readonly state: S;
  readonly optState: OptimizerState;
  /** The trainer's rng; the step splits one child off it (after the checks). */
  readonly rng: Rng;
  /** 0-based index of this update (what the schedule saw). */
  readonly index: number;
  readonly epoch: number;
  /** Batches of the epoch done before this one. */
  readonly stepInEpoch: number;
  readonly learningRate: number;
  /** Read and check the batch's input values in this step's read-back. */
  readonly checkInputs: boolean;
  /**
   * Called with the optimizer's new state as soon as the update is applied (the old one is
   * used up then), so the caller holds the right state even if `afterStep` throws.
   */
  readonly onApplied?: (optState: OptimizerState) => void;
}

/** What a step produced. The input states are used up when `skipped` is false. */
export interface StepResult<S> {
  readonly state: S;
  readonly optState: OptimizerState;
  readonly loss: number;
  readonly gradNorm: number;
  readonly skipped: boolean;
  readonly batchSize: number;
}

/**
 * Runs one step on `batch` (checked first; never disposed here). Throws NonFiniteError for a
 * non-finite loss or gradient with `onNonFinite: 'throw'` (the update is not applied), and
 * NonFiniteError / ArgumentError for bad input values when `checkInputs` is set.
 */
export function trainStep<S>(input: StepInput<S>, batch: Batch): StepResult<S> {
  const { strategy, options: o, index, learningRate } = input;
  const where = 'Trainer.run';
  const at = `step ${index + 1}, epoch ${input.epoch}, batch ${input.stepInEpoch + 1}`;
  const batchSize = batch.images.shape[0] as number;
  if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate < 0) {
    throw new ArgumentError(`${where}: the learning-rate schedule returned ${describeValue(learningRate)} at step ${index + 1}`, {
      argument: 'options.learningRate',
      expected: 'a finite number >= 0',
      received: learningRate,
    });
  }
  const stepRng = input.rng.split();
  const skip = (o.onNonFinite ?? 'throw') === 'skip';
  // The forward pass updates running statistics (BatchNorm) by assignment; a skipped step puts
  // them back, so one bad batch cannot poison every later inference. Clones share the data
  // (assignment replaces it), so this costs no copy.
  const before = skip ? strategy.nonTrainableVariables.map((v) => [v, tf.clone(v)] as const) : [];
  const skipped = (loss: number, gradNorm: number): StepResult<S> => {
    for (const [v, value] of before) v.assign(value);
    return { state: input.state, optState: input.optState, loss, gradNorm, skipped: true, batchSize };
  };
  let out: LossAndGradients | null = null;
  let clipped: Record<string, tf.Tensor> | null = null;
  try {
    try {
      out =
        o.gradientCache === undefined
          ? computeLossAndGradients(strategy, batch, input.state, stepRng)
          : computeLossAndGradientsCached(strategy, batch, input.state, stepRng, o.gradientCache);
    } catch (e) {
      // A non-finite value found inside the forward pass (e.g. a loss's own check of its
      // embeddings after the weights diverged) is the same event as a non-finite loss.
      if (!(e instanceof NonFiniteError)) throw e;
      if (skip) return skipped(Number.NaN, Number.NaN);
      throw new NonFiniteError(
        `Trainer: non-finite values in the forward pass at step ${index + 1} (epoch ${input.epoch}, batch ${input.stepInEpoch + 1}); the update was not applied. Set onNonFinite: 'skip' to skip such steps. (${e.message})`,
        { argument: e.argument ?? 'loss', expected: 'finite activations, loss and gradients', received: e.received, cause: e },
      );
    }
    // The step's one host read-back: loss, gradient norm (the finite check) and input statistics.
    const read = readStep(out.loss, out.grads, input.checkInputs ? batch.images : null);
    if (read.inputs !== null) assertInputValues(where, read.inputs, batch.images.rank, at);
    const { loss, gradNorm } = read;
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
      if ((o.onNonFinite ?? 'throw') === 'throw') {
        const what = !Number.isFinite(loss) ? `loss ${loss}` : `gradient norm ${gradNorm} (loss ${loss})`;
        throw new NonFiniteError(
          `Trainer: non-finite ${what} at step ${index + 1} (epoch ${input.epoch}, batch ${input.stepInEpoch + 1}); the update was not applied. Set onNonFinite: 'skip' to skip such steps.`,
          { argument: 'loss', expected: 'a finite loss and gradients', received: loss },
        );
      }
      return skipped(loss, gradNorm);
    }
    const grads = o.clipGradNorm !== undefined ? (clipped = clipByGlobalNorm(out.grads, o.clipGradNorm, gradNorm)) : out.grads;
    const optState = input.optimizer.apply(strategy.trainableVariables, grads, input.optState, learningRate);
    input.onApplied?.(optState);
    const state = strategy.afterStep(input.state, out.aux, batch, index);
    return { state, optState, loss, gradNorm, skipped: false, batchSize };
  } finally {
    for (const [, value] of before) value.dispose();
    if (out !== null) disposeLossAndGradients(out);
    if (clipped !== null) Object.values(clipped).forEach((g) => g.dispose());
  }
}
