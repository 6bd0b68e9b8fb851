/**
 * One training run as `contrastive train` and the main job run it: builds the parts from the
 * configuration, trains with `@contrastive/train`'s Trainer (checkpoints, metrics log, progress
 * bar), watches a kNN monitor (Wu et al. 2018) during training, stops cleanly on Ctrl-C after
 * the current step with a checkpoint, and saves the encoder.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { ArgumentError, ConfigError, Rng } from '@contrastive/core';
import { batchFromIndices, createDataLoader, disposeBatch, subsetDataset, type ImageDataset } from '@contrastive/data';
import { saveEncoder } from '@contrastive/encoders';
import { knnAccuracy } from '@contrastive/eval';
import { shouldShowProgress, writeFileAtomic } from '@contrastive/core/node';
import { writePreviewGrid } from '@contrastive/augment';
import { MetricsLog, Trainer, canonicalJson, latestCheckpoint, type StepInfo } from '@contrastive/train';
import { buildOptimizer, buildRunParts, buildSchedule, type RunParts } from './build.js';
import type { RunConfig } from './config.js';
import { balancedIndices, embedDataset, prefixDataset } from './evaluate.js';
import type { StopRequest } from './interrupt.js';
import type { ProgressSink } from './progress.js';
import { RUN_FILES, encoderPrefix, readRunConfig, writeRunInfo, type RunInfo } from './run-dir.js';
import { displayPath } from './display-path.js';

/** Options of {@link runTraining}. */
export interface TrainingOptions {
  readonly config: RunConfig;
  readonly runDir: string;
  /** Training images (already limited by `data.trainLimit`). */
  readonly train: ImageDataset;
  /** Test images for the kNN monitor (the first `monitor.testSize` are used). */
  readonly test: ImageDataset;
  /** Continue from the latest checkpoint in the run directory. */
  readonly resume: boolean;
  /** Remove a previous run in the directory first. */
  readonly overwrite: boolean;
  /** The engine in use (for run.json). */
  readonly engine: string;
  readonly data: { readonly dir: string; readonly source: string };
  readonly log: (line: string) => void;
  readonly progress: ProgressSink;
  readonly stop: StopRequest;
}

/** What {@link runTraining} returns; the caller owns `parts` and disposes them. */
export interface TrainingResult {
  readonly parts: RunParts;
  readonly steps: number;
  readonly totalSteps: number;
  /** True when the run reached its last step (false after Ctrl-C). */
  readonly completed: boolean;
  readonly lastCheckpoint: string | null;
  /** Wall time of the training loop in this process (s). */
  readonly seconds: number;
  /** Mean images/s over this session's steps after the first. */
  readonly imagesPerSecond: number;
  readonly lastLoss: number;
  /** Steps trained in this process (0 when a resumed run was already complete). */
  readonly sessionSteps: number;
  /** kNN monitor accuracies of this session, by step. */
  readonly knn: readonly { readonly step: number; readonly accuracy: number }[];
}

/** The part of a configuration that decides the training trajectory (hashed into checkpoints). */
export function trainingIdentity(config: RunConfig): Record<string, unknown> {
  return {
    seed: config.seed,
    data: { dataset: config.data.dataset, trainLimit: config.data.trainLimit ?? null },
    encoder: config.encoder,
    head: config.head,
    strategy: config.strategy,
    augment: config.augment,
    optimizer: config.optimizer,
    schedule: config.schedule,
    train: config.train,
  };
}

/** Steps per epoch (the last short batch is dropped) and the run's length. */
export function runLength(config: RunConfig, trainImages: number): { stepsPerEpoch: number; totalSteps: number; epochs: number } {
  const stepsPerEpoch = Math.floor(trainImages / config.train.batchSize);
  if (stepsPerEpoch < 1) {
    throw new ConfigError(`config.train.batchSize: expected at most the number of training images (${trainImages}), received ${config.train.batchSize}`, {
      argument: 'config.train.batchSize',
      expected: `an integer <= ${trainImages}`,
      received: config.train.batchSize,
    });
  }
  const full = config.train.epochs * stepsPerEpoch;
  const totalSteps = Math.min(full, config.train.maxSteps ?? full);
  return { stepsPerEpoch, totalSteps, epochs: Math.ceil(totalSteps / stepsPerEpoch) };
}

/** The shuffling stream of epoch `epoch`: the same batches for the same epoch (needed to resume). */
function epochRng(seed: number, epoch: number): Rng {
  const root = Rng.fromSeed(seed).split().split(); // apart from the trainer's and the weights' streams
  let child = root.split();
  for (let e = 0; e < epoch; e++) child = root.split();
  return child;
}

/** Removes the files of a previous run from `runDir`. */
export async function clearRun(runDir: string): Promise<void> {
  for (const name of [RUN_FILES.checkpoints, RUN_FILES.metrics, RUN_FILES.encoder, RUN_FILES.eval, RUN_FILES.map, RUN_FILES.report, RUN_FILES.run, RUN_FILES.preview]) {
    await rm(path.join(runDir, name), { recursive: true, force: true });
  }
}

/**
 * Trains the configured strategy. See the module documentation.
 *
 * @example
 * ```ts
 * const result = await runTraining({ config, runDir, train, test, resume: false, overwrite: false, engine: 'wasm',
 *   data: { dir, source: '../shared/data' }, log: console.error, progress: { stream: process.stderr, show: 'auto' }, stop });
 * result.parts.dispose();
 * ```
 */
export async function runTraining(o: TrainingOptions): Promise<TrainingResult> {
  const { config, runDir, train, log } = o;
  const { stepsPerEpoch, totalSteps, epochs } = runLength(config, train.length);
  const ckDir = path.join(runDir, RUN_FILES.checkpoints);
  const metricsFile = path.join(runDir, RUN_FILES.metrics);
  const hasPrevious = existsSync(path.join(ckDir, 'latest')) || existsSync(metricsFile);
  if (o.overwrite) await clearRun(runDir);
  else if (hasPrevious && !o.resume) {
    throw new ArgumentError(`${runDir} already holds a run (checkpoints or metrics); pass --resume to continue it, or --overwrite to start over`, {
      argument: '--resume',
      expected: '--resume or --overwrite for an existing run directory',
      received: runDir,
    });
  }
  if (o.resume && !o.overwrite && existsSync(path.join(runDir, RUN_FILES.config))) {
    const previous = await readRunConfig(runDir);
    const a = trainingIdentity(previous);
    const b = trainingIdentity(config);
    const differing = Object.keys(b).filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k]));
    if (differing.length > 0) {
      throw new ConfigError(`cannot resume ${runDir}: the configuration differs from the run's in ${differing.map((k) => `config.${k}`).join(', ')}`, {
        argument: `config.${differing[0] ?? ''}`,
        expected: 'the configuration the run was started with',
        received: b[differing[0] ?? ''],
      });
    }
  }
  await mkdir(runDir, { recursive: true });
  await writeFileAtomic(path.join(runDir, RUN_FILES.config), `${JSON.stringify(config, null, 2)}\n`);

  const parts = buildRunParts(config, train.length, totalSteps);
  let trainer: Trainer<unknown> | null = null;
  let monitorLog: MetricsLog | null = null;
  try {
    const prefix = encoderPrefix(parts.encoder);
    const info = (status: RunInfo['status'], steps: number): RunInfo => ({
      format: 'contrastive-run',
      version: 1,
      status,
      steps,
      totalSteps,
      encoderPrefix: prefix,
      encoderName: parts.encoder.name,
      engine: o.engine,
      data: { dir: o.data.dir, source: o.data.source, trainImages: train.length },
      updated: new Date().toISOString(),
    });

    // The augmentation preview (first training images), cheap and useful in the report.
    const previewCount = Math.min(config.report.previewImages, train.length);
    const previewBatch = batchFromIndices(train, Int32Array.from({ length: previewCount }, (_, i) => i));
    try {
      await writePreviewGrid({ images: previewBatch.images, recipe: parts.augment, rng: Rng.fromSeed(config.seed + 5), views: config.report.previewViews, file: path.join(runDir, RUN_FILES.preview) });
    } finally {
      disposeBatch(previewBatch);
    }

    const tty = shouldShowProgress(o.progress.show, o.progress.stream);
    const monitorBank = config.monitor.enabled ? subsetDataset(train, balancedIndices(train, config.monitor.bankSize, config.seed + 3), 'monitor bank') : null;
    const monitorTest = config.monitor.enabled ? prefixDataset(o.test, config.monitor.testSize) : null;
    const knn: { step: number; accuracy: number }[] = [];
    let lastMonitored = -1;
    const monitor = async (step: number, epoch: number): Promise<void> => {
      if (monitorBank === null || monitorTest === null || step === lastMonitored) return;
      lastMonitored = step;
      const start = performance.now();
      const bank = await embedDataset(parts.encoder, monitorBank, { batchSize: config.eval.batchSize });
      let accuracy: number;
      try {
        const test = await embedDataset(parts.encoder, monitorTest, { batchSize: config.eval.batchSize });
        try {
          accuracy = knnAccuracy({
            trainFeatures: bank.features,
            trainLabels: bank.labels,
            testFeatures: test.features,
            testLabels: test.labels,
            k: Math.min(config.monitor.k, monitorBank.length),
            temperature: config.monitor.temperature,
            numClasses: train.classNames.length,
          });
        } finally {
          test.features.dispose();
        }
      } finally {
        bank.features.dispose();
      }
      const seconds = (performance.now() - start) / 1000;
      knn.push({ step, accuracy });
      monitorLog?.write({ type: 'knn', time: Date.now(), step, epoch, accuracy, bankSize: monitorBank.length, testSize: monitorTest.length, k: Math.min(config.monitor.k, monitorBank.length), temperature: config.monitor.temperature, seconds });
      // On a terminal the progress bar owns the current line: clear it first (the bar redraws).
      log(`${tty ? '\x1b[2K\r' : ''}kNN monitor at step ${step}: ${(accuracy * 100).toFixed(2)}% (bank ${monitorBank.length}, test ${monitorTest.length}, ${seconds.toFixed(1)} s)`);
    };

    const logEvery = Math.max(1, Math.round(totalSteps / 20));
    let sessionSteps = 0;
    let sessionImages = 0;
    let sessionSeconds = 0;
    let lastLoss = Number.NaN;
    const stop = o.stop;
    trainer = new Trainer<unknown>({
      strategy: parts.strategy,
      data: (epoch) => createDataLoader(train, { batchSize: config.train.batchSize, rng: epochRng(config.seed, epoch), dropLast: true, epochs: 1, prefetch: 2 }),
      epochs,
      optimizer: buildOptimizer(config),
      learningRate: buildSchedule(config, totalSteps),
      seed: config.seed,
      ...(config.train.clipGradNorm === undefined ? {} : { clipGradNorm: config.train.clipGradNorm }),
      onNonFinite: config.train.onNonFinite,
      checkpoint: { dir: ckDir, everySteps: config.checkpoint.everySteps, keep: config.checkpoint.keep },
      metricsLog: metricsFile,
      progress: { stream: o.progress.stream, show: o.progress.show },
      stepsPerEpoch,
      config: trainingIdentity(config),
      callbacks: {
        onStepEnd: async (s: StepInfo) => {
          lastLoss = s.loss;
          sessionSteps += 1;
          if (sessionSteps > 1) {
            // The first step of a session includes start-up work (kernel set-up, first allocations).
            sessionImages += s.batchSize;
            sessionSeconds += s.seconds;
          }
          if (!tty && (s.step % logEvery === 0 || s.step === totalSteps)) {
            log(`step ${s.step}/${totalSteps} epoch ${s.epoch + 1}/${epochs} loss ${s.loss.toFixed(4)} lr ${s.learningRate.toPrecision(3)} ${s.imagesPerSecond.toFixed(1)} img/s`);
          }
          const every = config.monitor.everySteps;
          if (every !== undefined && s.step % every === 0 && !stop.requested) await monitor(s.step, s.epoch);
        },
        onEpochEnd: async (e) => {
          if (config.monitor.everySteps === undefined && !stop.requested) await monitor(trainer?.step ?? 0, e.epoch);
        },
        shouldStop: async (s: StepInfo) => {
          // Let a pending SIGINT reach its handler (a step blocks the event loop).
          await new Promise<void>((resolve) => setImmediate(resolve));
          return stop.requested || (s.step >= totalSteps && totalSteps < epochs * stepsPerEpoch);
        },
      },
    });
    const latest = o.resume ? await latestCheckpoint(ckDir) : null;
    if (latest !== null) {
      await trainer.restore(latest);
      log(`resumed from ${displayPath(latest)} (step ${trainer.step} of ${totalSteps})`);
    }
    monitorLog = MetricsLog.open(metricsFile);
    await writeRunInfo(runDir, info('running', trainer.step));
    if (trainer.step === 0) await monitor(0, 0);
    const start = performance.now();
    let summary = null;
    if (trainer.step < totalSteps && !stop.requested) {
      log(`training ${config.strategy.name} on ${train.length} images: ${totalSteps} steps of ${config.train.batchSize} (${epochs} epoch${epochs === 1 ? '' : 's'} of ${stepsPerEpoch} steps)`);
      summary = await trainer.run();
    }
    const seconds = (performance.now() - start) / 1000;
    const steps = trainer.step;
    const completed = steps >= totalSteps;
    if (completed && summary !== null && !stop.requested) await monitor(steps, Math.max(0, trainer.epoch - 1));
    if (!completed && (summary === null || summary.lastCheckpoint === null) && steps > 0) await trainer.saveCheckpoint();
    await saveEncoder(parts.encoder, path.join(runDir, RUN_FILES.encoder));
    await writeRunInfo(runDir, info(completed ? 'completed' : 'stopped', steps));
    return {
      parts,
      steps,
      totalSteps,
      completed,
      lastCheckpoint: summary?.lastCheckpoint ?? latest,
      seconds,
      imagesPerSecond: sessionSeconds > 0 ? sessionImages / sessionSeconds : 0,
      lastLoss,
      sessionSteps,
      knn,
    };
  } catch (e) {
    parts.dispose();
    throw e;
  } finally {
    monitorLog?.close();
    trainer?.dispose();
  }
}
