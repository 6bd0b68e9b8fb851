/**
 * A terminal progress bar for training (cli-progress): epoch, step, loss, learning rate and
 * images per second. Shown only on a TTY unless forced.
 */
import { SingleBar } from 'cli-progress';
import { shouldShowProgress } from '@contrastive/core';
import { formatMetric, type ProgressBarOptions, type ProgressValues } from '../progress-options.js';

export { formatMetric, type ProgressBarOptions, type ProgressValues };

/** A progress bar per epoch; a no-op when not shown. */
export class TrainingProgress {
  readonly enabled: boolean;
  readonly #bar: SingleBar | null;
  readonly #epochs: number;
  #total = 0;
  #active = false;

  constructor(epochs: number, options: ProgressBarOptions = {}) {
    const stream = (options.stream ?? process.stderr) as NodeJS.WritableStream & { readonly isTTY?: boolean };
    const show = options.show ?? 'auto';
    this.enabled = shouldShowProgress(show, stream);
    this.#epochs = epochs;
    this.#bar = this.enabled
      ? new SingleBar({
          stream,
          format: 'epoch {epoch}/{epochs} [{bar}] {value}/{total} | loss {loss} | lr {lr} | {ips} img/s',
          barsize: 24,
          hideCursor: null,
          noTTYOutput: show === true,
          notTTYSchedule: 1000,
          fps: 5,
        })
      : null;
  }

  /** Starts the bar of `epoch` (0-based) at `done` of `total` steps (0 if unknown). */
  startEpoch(epoch: number, done: number, total: number): void {
    if (this.#bar === null) return;
    if (this.#active) this.#bar.stop();
    this.#total = total;
    this.#bar.start(Math.max(total, done), done, { epoch: epoch + 1, epochs: this.#epochs, loss: '-', lr: '-', ips: '-' });
    this.#active = true;
  }

  /** Moves the bar to `done` steps of this epoch with the latest values. */
  update(done: number, values: ProgressValues): void {
    if (this.#bar === null || !this.#active) return;
    if (done > this.#total) this.#bar.setTotal(done);
    this.#bar.update(done, { loss: formatMetric(values.loss), lr: formatMetric(values.learningRate), ips: formatMetric(values.imagesPerSecond) });
  }

  /** Stops the current bar (idempotent). */
  stop(): void {
    if (this.#bar !== null && this.#active) this.#bar.stop();
    this.#active = false;
  }
}
