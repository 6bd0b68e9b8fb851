/**
 * The kNN monitor of a training run: embeds a fixed, class-balanced bank of training images
 * and a prefix of the test set with the current encoder and reports the kNN accuracy (Wu et al.
 * 2018), logged to the console and to the run's metrics file.
 */
import type { Encoder } from '@contrastive/core';
import { subsetDataset, type ImageDataset } from '@contrastive/data';
import { knnAccuracy } from '@contrastive/eval';
import type { MetricsLog } from '@contrastive/train/node';
import type { RunConfig } from './config.js';
import { balancedIndices, embedDataset, prefixDataset } from './evaluate.js';

/** What {@link createKnnMonitor} needs. */
export interface KnnMonitorOptions {
  readonly config: RunConfig;
  readonly train: ImageDataset;
  readonly test: ImageDataset;
  readonly encoder: Encoder;
  readonly log: (line: string) => void;
  /** A progress bar owns the terminal's current line: clear it before logging. */
  readonly tty: boolean;
  /** Where `{ type: 'knn', ... }` records go (null: nowhere). */
  readonly metrics: () => MetricsLog | null;
}

/** A kNN monitor; `run` does nothing when the monitor is off or already ran at that step. */
export interface KnnMonitor {
  run(step: number, epoch: number): Promise<void>;
  /** The accuracies measured so far, by step. */
  readonly results: readonly { readonly step: number; readonly accuracy: number }[];
}

/**
 * The configured monitor (`config.monitor`).
 *
 * @example
 * ```ts
 * const monitor = createKnnMonitor({ config, train, test, encoder, log: console.error, tty: false, metrics: () => null });
 * await monitor.run(0, 0);
 * ```
 */
export function createKnnMonitor(o: KnnMonitorOptions): KnnMonitor {
  const { config, train } = o;
  const bank = config.monitor.enabled ? subsetDataset(train, balancedIndices(train, config.monitor.bankSize, config.seed + 3), 'monitor bank') : null;
  const test = config.monitor.enabled ? prefixDataset(o.test, config.monitor.testSize) : null;
  const results: { step: number; accuracy: number }[] = [];
  let lastMonitored = -1;
  const k = (size: number): number => Math.min(config.monitor.k, size);

  const accuracyNow = async (bankSet: ImageDataset, testSet: ImageDataset): Promise<number> => {
    const b = await embedDataset(o.encoder, bankSet, { batchSize: config.eval.batchSize });
    try {
      const t = await embedDataset(o.encoder, testSet, { batchSize: config.eval.batchSize });
      try {
        return knnAccuracy({
          trainFeatures: b.features,
          trainLabels: b.labels,
          testFeatures: t.features,
          testLabels: t.labels,
          k: k(bankSet.length),
          temperature: config.monitor.temperature,
          numClasses: train.classNames.length,
        });
      } finally {
        t.features.dispose();
      }
    } finally {
      b.features.dispose();
    }
  };

  return {
    results,
    async run(step, epoch) {
      if (bank === null || test === null || step === lastMonitored) return;
      lastMonitored = step;
      const start = performance.now();
      const accuracy = await accuracyNow(bank, test);
      const seconds = (performance.now() - start) / 1000;
      results.push({ step, accuracy });
      o.metrics()?.write({ type: 'knn', time: Date.now(), step, epoch, accuracy, bankSize: bank.length, testSize: test.length, k: k(bank.length), temperature: config.monitor.temperature, seconds });
      // On a terminal the progress bar owns the current line: clear it first (the bar redraws).
      o.log(`${o.tty ? '\x1b[2K\r' : ''}kNN monitor at step ${step}: ${(accuracy * 100).toFixed(2)}% (bank ${bank.length}, test ${test.length}, ${seconds.toFixed(1)} s)`);
    },
  };
}
