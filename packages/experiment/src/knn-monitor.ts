/**
 * The kNN monitor of a training run: embeds a fixed, class-balanced bank of training images
 * and a prefix of the test set with the current encoder and reports the kNN accuracy (Wu et al.
 * 2018) with two collapse monitors of the test features, the std of the L2-normalised
 * embeddings per dimension (Chen & He 2021; collapse: 0, healthy: about 1/√D) and the effective
 * rank (RankMe, Garrido et al. 2023), logged to the console and to the run's metrics file.
 */
import type { Encoder } from '@contrastive/core';
import { subsetSamples, type Samples } from './samples.js';
import { effectiveRank, embeddingStd, knnAccuracy } from '@contrastive/eval';
import type { RunConfig } from './config.js';
import { balancedIndices, embedDataset, prefixDataset } from './evaluate.js';

/** What {@link createKnnMonitor} needs. */
/** What the monitor writes its records to (`MetricsLog` of `@contrastive/train/node` has this shape). */
export interface MetricsSink {
  write(record: Readonly<Record<string, unknown>>): void;
}

export interface KnnMonitorOptions {
  readonly config: RunConfig;
  readonly train: Samples;
  readonly test: Samples;
  readonly encoder: Encoder;
  readonly log: (line: string) => void;
  /** A progress bar owns the terminal's current line: clear it before logging. */
  readonly tty: boolean;
  /** False turns the monitor off whatever `config.monitor.enabled` says (unlabelled data); default true. */
  readonly enabled?: boolean;
  /** Where `{ type: 'knn', ... }` records go (null: nowhere). */
  /** Where records go (in Node.js a `MetricsLog` of `@contrastive/train/node`), or null. */
  readonly metrics: () => MetricsSink | null;
}

/** A kNN monitor; `run` does nothing when the monitor is off or already ran at that step. */
export interface KnnMonitor {
  run(step: number, epoch: number): Promise<void>;
  /** The accuracies and collapse monitors measured so far, by step. */
  readonly results: readonly MonitorResult[];
}

/** One monitor reading. */
export interface MonitorResult {
  readonly step: number;
  readonly accuracy: number;
  /** Mean per-dimension std of the L2-normalised test features. */
  readonly embeddingStd: number;
  /** RankMe of the test features. */
  readonly effectiveRank: number;
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
  const on = config.monitor.enabled && o.enabled !== false;
  const bank = on ? subsetSamples(train, balancedIndices(train, config.monitor.bankSize, config.seed + 3), 'monitor bank') : null;
  const test = on ? prefixDataset(o.test, config.monitor.testSize) : null;
  const results: MonitorResult[] = [];
  let lastMonitored = -1;
  const k = (size: number): number => Math.min(config.monitor.k, size);

  const measureNow = async (bankSet: Samples, testSet: Samples): Promise<Omit<MonitorResult, 'step'>> => {
    const b = await embedDataset(o.encoder, bankSet, { batchSize: config.eval.batchSize });
    try {
      const t = await embedDataset(o.encoder, testSet, { batchSize: config.eval.batchSize });
      try {
        const accuracy = knnAccuracy({
          trainFeatures: b.features,
          trainLabels: b.labels,
          testFeatures: t.features,
          testLabels: t.labels,
          k: k(bankSet.length),
          temperature: config.monitor.temperature,
          numClasses: train.classNames.length,
        });
        return { accuracy, embeddingStd: embeddingStd(t.features), effectiveRank: effectiveRank(t.features) };
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
      const reading = await measureNow(bank, test);
      const seconds = (performance.now() - start) / 1000;
      results.push({ step, ...reading });
      const { accuracy } = reading;
      o.metrics()?.write({ type: 'knn', time: Date.now(), step, epoch, ...reading, bankSize: bank.length, testSize: test.length, k: k(bank.length), temperature: config.monitor.temperature, seconds });
      // On a terminal the progress bar owns the current line: clear it first (the bar redraws).
      o.log(
        `${o.tty ? '\x1b[2K\r' : ''}kNN monitor at step ${step}: ${(accuracy * 100).toFixed(2)}% (bank ${bank.length}, test ${test.length}, ${seconds.toFixed(1)} s); ` +
          `embedding std ${reading.embeddingStd.toFixed(4)}, effective rank ${reading.effectiveRank.toFixed(1)}`,
      );
    },
  };
}
