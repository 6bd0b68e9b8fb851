/**
 * One training run into a run directory: builds the parts from the configuration, trains with
 * `@contrastive/train`'s Trainer (checkpoints, metrics log, optional progress bar), watches a kNN
 * monitor (Wu et al. 2018) during training on labelled data, stops cleanly after the current
 * step with a checkpoint when the injected stop request is made, and saves the encoder.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { ArgumentError, ConfigError, Rng } from '@contrastive/core';
import { batchFromIndices, disposeBatch, type ImageDataset } from '@contrastive/data';
import { isTabular, sampleShape, samplesEpoch, type Samples } from '../samples.js';
import { saveEncoder } from '@contrastive/encoders';
import { shouldShowProgress, writeFileAtomic } from '@contrastive/core/node';
import { writePreviewGrid } from '@contrastive/augment/node';
import { Trainer, canonicalJson, failpoint, type ProgressBarOptions, type StepInfo, type TrainerCallbacks } from '@contrastive/train';
import { MetricsLog, findResumableCheckpoint, recoverCheckpointRoot } from '@contrastive/train/node';
import { buildOptimizer, buildRunParts, buildSchedule, type RunParts } from '../build.js';
import type { RunConfig } from '../config.js';
import { atConfigKey } from '../config-keys.js';
import { createKnnMonitor, type KnnMonitor } from '../knn-monitor.js';
import { NEVER_STOP, type StopRequest } from '../stop.js';
import { acquireRunLock } from './run-lock.js';
import { makeRunDir } from './make-run-dir.js';
import { ENCODER_CHECKPOINT_PREFIX, RUN_FILES, readRunConfig, writeRunInfo, type RunInfo } from './run-dir.js';
import { displayPath } from './display-path.js';

/** Options of {@link runTraining}. */
export interface TrainingOptions {
  readonly config: RunConfig;
  readonly runDir: string;
  /** Training images (already limited by `data.trainLimit`). */
  readonly train: Samples;
  /** Test images for the kNN monitor (the first `monitor.testSize` are used). */
  readonly test: Samples;
  /** Continue from the latest checkpoint in the run directory. */
  readonly resume: boolean;
  /** Remove a previous run in the directory first. */
  readonly overwrite: boolean;
  /**
   * With `resume`: when the latest checkpoint is missing or fails verification, continue from
   * the newest earlier complete one instead of refusing (`--fallback`). Default false.
   */
  readonly fallback?: boolean;
  /** The engine in use (for run.json). */
  readonly engine: string;
  /** Where the images came from (for run.json), and whether they carry labels (the kNN monitor needs them). */
  readonly data: { readonly dir: string; readonly source: string; readonly labelled: boolean };
  /** Where progress lines go (default: nowhere). */
  readonly log?: (line: string) => void;
  /** The trainer's progress bar (default: none; then `log` gets a line every 5% of the run). */
  readonly progress?: ProgressBarOptions;
  /** Stops after the current step, with a checkpoint (default: never). */
  readonly stop?: StopRequest;
}

/** {@link TrainingOptions} with the defaults filled in. */
type ResolvedTrainingOptions = TrainingOptions & Required<Pick<TrainingOptions, 'log' | 'progress' | 'stop'>>;

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
    data: dataIdentity(config.data),
    encoder: config.encoder,
    head: config.head,
    strategy: config.strategy,
    augment: config.augment,
    optimizer: config.optimizer,
    schedule: config.schedule,
    train: config.train,
  };
}

/** The part of the `data` section that decides which training images a run sees (CIFAR-10's as before image folders came). */
function dataIdentity(data: RunConfig['data']): Record<string, unknown> {
  const base = { dataset: data.dataset, trainLimit: data.trainLimit ?? null };
  if (data.dataset !== 'imageFolder') return base;
  return { ...base, testDir: data.testDir !== undefined, testFraction: data.testFraction ?? null, labelled: data.labelled, size: data.size, resize: data.resize };
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
 * Refuses to train over a previous run unless `overwrite` (which clears it) or `resume` (whose
 * configuration must match the run's); then writes the run's config.json.
 */
async function prepareRunDir(o: ResolvedTrainingOptions, metricsFile: string, ckDir: string): Promise<void> {
  const { config, runDir } = o;
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
}

/** The augmentation preview of the first training images (cheap, and useful in the report). */
async function writeAugmentPreview(config: RunConfig, train: ImageDataset, parts: RunParts, runDir: string): Promise<void> {
  const previewCount = Math.min(config.report.previewImages, train.length);
  const previewBatch = batchFromIndices(train, Int32Array.from({ length: previewCount }, (_, i) => i));
  try {
    await writePreviewGrid({ images: previewBatch.images, recipe: parts.augment, rng: Rng.fromSeed(config.seed + 5), views: config.report.previewViews, file: path.join(runDir, RUN_FILES.preview) });
  } finally {
    disposeBatch(previewBatch);
  }
}

/** This session's numbers (the first step of a session, with its start-up work, is left out of the rate). */
interface SessionStats {
  steps: number;
  images: number;
  seconds: number;
  lastLoss: number;
}

/** The CLI's trainer callbacks: session stats, a log line every 5% on a non-terminal, the kNN monitor, Ctrl-C. */
function sessionCallbacks(o: ResolvedTrainingOptions, monitor: KnnMonitor, stats: SessionStats, tty: boolean, trainer: () => Trainer<unknown> | null): TrainerCallbacks<unknown> {
  const { config, log, stop } = o;
  const { stepsPerEpoch, totalSteps, epochs } = runLength(config, o.train.length);
  const logEvery = Math.max(1, Math.round(totalSteps / 20));
  return {
    onStepEnd: async (s: StepInfo) => {
      stats.lastLoss = s.loss;
      stats.steps += 1;
      if (stats.steps > 1) {
        stats.images += s.batchSize;
        stats.seconds += s.seconds;
      }
      if (!tty && (s.step % logEvery === 0 || s.step === totalSteps)) {
        log(`step ${s.step}/${totalSteps} epoch ${s.epoch + 1}/${epochs} loss ${s.loss.toFixed(4)} lr ${s.learningRate.toPrecision(3)} ${s.imagesPerSecond.toFixed(1)} img/s`);
      }
      const every = config.monitor.everySteps;
      if (every !== undefined && s.step % every === 0 && !stop.requested) await monitor.run(s.step, s.epoch);
    },
    onEpochEnd: async (e) => {
      if (config.monitor.everySteps === undefined && !stop.requested) await monitor.run(trainer()?.step ?? 0, e.epoch);
    },
    shouldStop: async (s: StepInfo) => {
      // Let a pending SIGINT reach its handler (a step blocks the event loop).
      await new Promise<void>((resolve) => setImmediate(resolve));
      return stop.requested || (s.step >= totalSteps && totalSteps < epochs * stepsPerEpoch);
    },
  };
}

/** The run's trainer: the configured optimizer, schedule, checkpoints and metrics, with `callbacks`. */
function createTrainer(o: ResolvedTrainingOptions, parts: RunParts, callbacks: TrainerCallbacks<unknown>): Trainer<unknown> {
  const { config, runDir, train } = o;
  const { stepsPerEpoch, totalSteps, epochs } = runLength(config, train.length);
  return new Trainer<unknown>({
    strategy: parts.strategy,
    data: (epoch) => samplesEpoch(train, config.train.batchSize, epochRng(config.seed, epoch)),
    epochs,
    optimizer: buildOptimizer(config),
    learningRate: buildSchedule(config, totalSteps),
    seed: config.seed,
    ...(config.train.clipGradNorm === undefined ? {} : { clipGradNorm: config.train.clipGradNorm }),
    ...(config.train.gradientCache === undefined ? {} : { gradientCache: config.train.gradientCache }),
    onNonFinite: config.train.onNonFinite,
    checkpoint: { dir: path.join(runDir, RUN_FILES.checkpoints), everySteps: config.checkpoint.everySteps, keep: config.checkpoint.keep },
    metricsLog: path.join(runDir, RUN_FILES.metrics),
    progress: o.progress,
    stepsPerEpoch,
    config: trainingIdentity(config),
    callbacks,
  });
}

/**
 * Trains the configured strategy. See the module documentation.
 *
 * @example
 * ```ts
 * const result = await runTraining({ config, runDir, train, test, resume: false, overwrite: false, engine: 'wasm',
 *   data: { dir, source: '../shared/data', labelled: true }, log: console.error, progress: { stream: process.stderr, show: 'auto' } });
 * result.parts.dispose();
 * ```
 */
export async function runTraining(options: TrainingOptions): Promise<TrainingResult> {
  const o: ResolvedTrainingOptions = { ...options, log: options.log ?? (() => {}), progress: options.progress ?? { show: false }, stop: options.stop ?? NEVER_STOP };
  const { config, runDir, train, log } = o;
  const { stepsPerEpoch, totalSteps, epochs } = runLength(config, train.length);
  const ckDir = path.join(runDir, RUN_FILES.checkpoints);
  const metricsFile = path.join(runDir, RUN_FILES.metrics);
  await makeRunDir(runDir);
  const lock = await acquireRunLock(runDir);
  let parts: RunParts;
  try {
    await prepareRunDir(o, metricsFile, ckDir);
    parts = atConfigKey(() => buildRunParts(config, train.length, totalSteps, sampleShape(train)));
  } catch (e) {
    await lock.release();
    throw e;
  }
  let trainer: Trainer<unknown> | null = null;
  let monitorLog: MetricsLog | null = null;
  let started = false;
  const info = (status: RunInfo['status'], steps: number, error?: string): RunInfo => ({
    format: 'contrastive-run',
    version: 1,
    status,
    steps,
    totalSteps,
    encoderPrefix: ENCODER_CHECKPOINT_PREFIX,
    encoderName: parts.encoder.name,
    engine: o.engine,
    data: { dir: o.data.dir, source: o.data.source, trainImages: train.length },
    inputShape: sampleShape(train),
    updated: new Date().toISOString(),
    ...(error === undefined ? {} : { error }),
  });
  try {
    if (!isTabular(train)) await writeAugmentPreview(config, train, parts, runDir);
    const tty = shouldShowProgress(o.progress.show ?? 'auto', o.progress.stream ?? process.stderr);
    const monitor = createKnnMonitor({ config, train, test: o.test, encoder: parts.encoder, log, tty, enabled: o.data.labelled, metrics: () => monitorLog });
    const stats: SessionStats = { steps: 0, images: 0, seconds: 0, lastLoss: Number.NaN };
    trainer = createTrainer(o, parts, sessionCallbacks(o, monitor, stats, tty, () => trainer));
    const recovery = await recoverCheckpointRoot(ckDir);
    for (const r of recovery.restored) log(`recovered ${displayPath(r)} (a crash interrupted its rewrite)`);
    if (recovery.removed.length > 0) log(`removed ${recovery.removed.length} unfinished checkpoint director${recovery.removed.length === 1 ? 'y' : 'ies'} left by a crash`);
    const resumable = o.resume ? await findResumableCheckpoint(ckDir, { fallback: o.fallback === true }) : null;
    for (const s of resumable?.skipped ?? []) log(`skipping broken checkpoint ${displayPath(s.path)}: ${s.reason}`);
    const latest = resumable?.path ?? null;
    if (latest !== null) {
      await trainer.restore(latest);
      failpoint('resume.restored');
      log(`resumed from ${displayPath(latest)} (step ${trainer.step} of ${totalSteps})`);
    }
    monitorLog = MetricsLog.open(metricsFile);
    await writeRunInfo(runDir, info('running', trainer.step));
    started = true;
    if (trainer.step === 0) await monitor.run(0, 0);
    const start = performance.now();
    let summary = null;
    if (trainer.step < totalSteps && !o.stop.requested) {
      log(`training ${config.strategy.name} on ${train.length} images: ${totalSteps} steps of ${config.train.batchSize} (${epochs} epoch${epochs === 1 ? '' : 's'} of ${stepsPerEpoch} steps)`);
      summary = await trainer.run();
    }
    const seconds = (performance.now() - start) / 1000;
    const steps = trainer.step;
    const completed = steps >= totalSteps;
    if (completed && summary !== null && !o.stop.requested) await monitor.run(steps, Math.max(0, trainer.epoch - 1));
    // Only steps of this session need a checkpoint: rewriting the one just resumed from (a stop
    // during the start of a resumed run) would only risk it.
    if (!completed && (summary === null || summary.lastCheckpoint === null) && stats.steps > 0) await trainer.saveCheckpoint();
    await saveEncoder(parts.encoder, path.join(runDir, RUN_FILES.encoder));
    await writeRunInfo(runDir, info(completed ? 'completed' : 'stopped', steps));
    return {
      parts,
      steps,
      totalSteps,
      completed,
      lastCheckpoint: summary?.lastCheckpoint ?? latest,
      seconds,
      imagesPerSecond: stats.seconds > 0 ? stats.images / stats.seconds : 0,
      lastLoss: stats.lastLoss,
      sessionSteps: stats.steps,
      knn: monitor.results,
    };
  } catch (e) {
    parts.dispose();
    // run.json never stays 'running' after a failure: it says 'failed' and why.
    if (started) await writeRunInfo(runDir, info('failed', trainer?.step ?? 0, e instanceof Error ? e.message : String(e))).catch(() => undefined);
    throw e;
  } finally {
    monitorLog?.close();
    trainer?.dispose();
    await lock.release();
  }
}
