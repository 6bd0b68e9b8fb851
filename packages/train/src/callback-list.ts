/**
 * Runs a list of {@link TrainerCallbacks} hook by hook, in order, awaiting each.
 */
import type { EpochInfo, RunningTrainer, StepInfo, TrainerCallbacks } from './trainer-types.js';

/** The trainer's callbacks as one object; every method awaits the hooks in list order. */
export class CallbackList<S> {
  readonly #list: readonly TrainerCallbacks<S>[];

  constructor(list: readonly TrainerCallbacks<S>[]) {
    this.#list = list;
  }

  async runStart(trainer: RunningTrainer<S>): Promise<void> {
    for (const c of this.#list) await c.onRunStart?.(trainer);
  }

  async epochStart(epoch: number, trainer: RunningTrainer<S>): Promise<void> {
    for (const c of this.#list) await c.onEpochStart?.(epoch, trainer);
  }

  async stepEnd(info: StepInfo, trainer: RunningTrainer<S>): Promise<void> {
    for (const c of this.#list) await c.onStepEnd?.(info, trainer);
  }

  async epochEnd(info: EpochInfo, trainer: RunningTrainer<S>): Promise<void> {
    for (const c of this.#list) await c.onEpochEnd?.(info, trainer);
  }

  /** Asks every callback (each sees the step); true when any says stop. */
  async shouldStop(info: StepInfo, trainer: RunningTrainer<S>): Promise<boolean> {
    let stop = false;
    for (const c of this.#list) if ((await c.shouldStop?.(info, trainer)) === true) stop = true;
    return stop;
  }

  /** Runs every `onRunEnd`, even after one throws; then rethrows the first error. */
  async runEnd(trainer: RunningTrainer<S>): Promise<void> {
    let first: { error: unknown } | null = null;
    for (const c of this.#list) {
      try {
        await c.onRunEnd?.(trainer);
      } catch (error) {
        first ??= { error };
      }
    }
    if (first !== null) throw first.error;
  }
}
