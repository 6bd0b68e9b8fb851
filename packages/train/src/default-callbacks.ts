/**
 * The trainer's default callbacks, each an ordinary {@link TrainerCallbacks} object: the JSONL
 * metrics log, the terminal progress bar and the checkpoint cadence. The trainer builds them
 * from its options (`metricsLog`, `progress`, `checkpoint.everySteps`); a library user who
 * wants another bar, another log or none at all leaves the option out and passes their own.
 */
import { MetricsLog } from './metrics-log.js';
import { TrainingProgress, type ProgressBarOptions } from './progress.js';
import type { TrainerCallbacks, TrainerOptions } from './trainer-types.js';

/**
 * Appends one JSON line per step (`{ type: 'step', time, ...StepInfo }`) and per epoch
 * (`{ type: 'epoch', time, ...EpochInfo }`) to `path`; the file is open while `run()` runs.
 *
 * @example
 * ```ts
 * new Trainer({ ...options, callbacks: [metricsLogCallbacks('runs/a/metrics.jsonl')] });
 * ```
 */
export function metricsLogCallbacks<S = unknown>(path: string): TrainerCallbacks<S> {
  let log: MetricsLog | null = null;
  return {
    onRunStart() {
      log = MetricsLog.open(path);
    },
    onStepEnd(info) {
      log?.write({ type: 'step', time: Date.now(), ...info });
    },
    onEpochEnd(info) {
      log?.write({ type: 'epoch', time: Date.now(), ...info });
    },
    onRunEnd() {
      log?.close();
      log = null;
    },
  };
}

/**
 * A terminal progress bar per epoch (loss, learning rate, images per second), drawn only on a
 * TTY unless `show: true`. `stepsPerEpoch` sets the bar's total (unknown: it grows).
 *
 * @example
 * ```ts
 * new Trainer({ ...options, progress: false, callbacks: [progressBarCallbacks(epochs, { stream: process.stdout })] });
 * ```
 */
export function progressBarCallbacks<S = unknown>(epochs: number, options: ProgressBarOptions & { readonly stepsPerEpoch?: number } = {}): TrainerCallbacks<S> {
  const { stepsPerEpoch, ...barOptions } = options;
  const bar = new TrainingProgress(epochs, barOptions);
  return {
    onEpochStart(epoch, trainer) {
      bar.startEpoch(epoch, trainer.stepInEpoch, stepsPerEpoch ?? 0);
    },
    onStepEnd(info) {
      bar.update(info.stepInEpoch, info);
    },
    onEpochEnd() {
      bar.stop();
    },
    onRunEnd() {
      bar.stop();
    },
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
  if (o.metricsLog !== undefined) list.push(metricsLogCallbacks(o.metricsLog));
  const progress = o.progress ?? 'auto';
  if (progress !== false) {
    const bar = typeof progress === 'object' ? progress : { show: progress };
    list.push(progressBarCallbacks(o.epochs, { ...bar, ...(o.stepsPerEpoch === undefined ? {} : { stepsPerEpoch: o.stepsPerEpoch }) }));
  }
  if (o.callbacks !== undefined) list.push(...(Array.isArray(o.callbacks) ? o.callbacks : [o.callbacks as TrainerCallbacks<S>]));
  if (o.checkpoint?.everySteps !== undefined) list.push(checkpointCallbacks(o.checkpoint.everySteps));
  return list;
}
