/**
 * The trainer's default callbacks, each an ordinary {@link TrainerCallbacks} object: the JSONL
 * metrics log, the terminal progress bar and the checkpoint cadence. The trainer builds them
 * from its options (`metricsLog`, `progress`, `checkpoint.everySteps`); a library user who
 * wants another bar, another log or none at all leaves the option out and passes their own.
 * The log and the bar are Node.js code (`@contrastive/train/node`), loaded when a run starts and
 * only when asked for: outside Node.js `progress: 'auto'` draws nothing and loads nothing.
 */
import { isNodeRuntime } from '@contrastive/core';
import { loadTrainNode } from './node-entry.js';
import type { RunningTrainer, TrainerCallbacks, TrainerOptions } from './trainer-types.js';

/**
 * Callbacks made by `make` when the first run starts (null: none), then delegated to; a way to
 * build a callback from a module that is imported lazily.
 */
function deferredCallbacks<S>(make: () => Promise<TrainerCallbacks<S> | null>): TrainerCallbacks<S> {
  let inner: TrainerCallbacks<S> | null | undefined;
  return {
    async onRunStart(trainer: RunningTrainer<S>) {
      if (inner === undefined) inner = await make();
      await inner?.onRunStart?.(trainer);
    },
    onEpochStart: (epoch, trainer) => inner?.onEpochStart?.(epoch, trainer),
    onStepEnd: (info, trainer) => inner?.onStepEnd?.(info, trainer),
    onEpochEnd: (info, trainer) => inner?.onEpochEnd?.(info, trainer),
    onRunEnd: (trainer) => inner?.onRunEnd?.(trainer),
  };
}

/**
 * Saves a checkpoint (`trainer.saveCheckpoint()`) after every `everySteps`-th step, before the
 * `shouldStop` checks of that step.
 */
export function checkpointCallbacks<S = unknown>(everySteps: number): TrainerCallbacks<S> {
  return {
    async onStepEnd(info, trainer) {
      if (info.step % everySteps === 0) await trainer.saveCheckpoint();
    },
  };
}

/** The callbacks a trainer runs, in order: metrics log, progress bar, the user's, checkpoint cadence. */
export function trainerCallbacks<S>(o: TrainerOptions<S>): TrainerCallbacks<S>[] {
  const list: TrainerCallbacks<S>[] = [];
  const metricsLog = o.metricsLog;
  if (metricsLog !== undefined) {
    list.push(deferredCallbacks(async () => (await loadTrainNode('Trainer', 'options.metricsLog', 'your own callbacks (onStepEnd) instead of a file path')).metricsLogCallbacks<S>(metricsLog)));
  }
  const progress = o.progress ?? 'auto';
  if (progress !== false) {
    const bar = typeof progress === 'object' ? progress : { show: progress };
    // 'auto' without a stream means "on a terminal", and only Node.js has one: elsewhere, no bar.
    if (isNodeRuntime() || bar.show === true || bar.stream !== undefined) {
      list.push(
        deferredCallbacks(async () =>
          (await loadTrainNode('Trainer', 'options.progress', "false or 'auto' (a terminal bar needs Node.js)")).progressBarCallbacks<S>(o.epochs, {
            ...bar,
            ...(o.stepsPerEpoch === undefined ? {} : { stepsPerEpoch: o.stepsPerEpoch }),
          }),
        ),
      );
    }
  }
  if (o.callbacks !== undefined) list.push(...(Array.isArray(o.callbacks) ? o.callbacks : [o.callbacks as TrainerCallbacks<S>]));
  if (o.checkpoint?.everySteps !== undefined) list.push(checkpointCallbacks(o.checkpoint.everySteps));
  return list;
}
