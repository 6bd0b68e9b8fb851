/**
 * The Node.js default callbacks: the JSONL metrics log (a file) and the terminal progress bar
 * (cli-progress). The trainer's `metricsLog` and `progress` options load them from here lazily;
 * pass them yourself in `callbacks` to configure them further.
 */
import { MetricsLog } from './metrics-log.js';
import { TrainingProgress, type ProgressBarOptions } from './progress.js';
import type { TrainerCallbacks } from '../trainer-types.js';

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

