/**
 * The public types of the training loop: options, callbacks and what they see, the summary.
 */
import type { RngState, Strategy } from '@contrastive/core';
import type { DataSource } from './data-source.js';
import type { GradientCacheOptions } from './gradient-cache.js';
import type { Optimizer, OptimizerState } from './optimizer.js';
import type { CheckpointStore } from './checkpoint-store.js';
import type { ProgressBarOptions } from './progress-options.js';
import type { LearningRateSchedule } from './schedule.js';

/** When and where to save checkpoints. */
export interface CheckpointOptions {
  /**
   * Where checkpoints go: a {@link CheckpointStore} (`memoryCheckpointStore()`,
   * `indexedDbCheckpointStore(name)` in a browser), or in Node.js a root directory that holds
   * `step-NNNNNNNNN/` checkpoints and a `latest` pointer.
   */
  readonly dir: string | CheckpointStore;
  /** Save every N steps as well as at the end. Default: only at the end. */
  readonly everySteps?: number;
  /** Keep the N newest checkpoints (0 = all). Default 3. */
  readonly keep?: number;
}

/** What {@link TrainerCallbacks} and the metrics log see after each step. */
export interface StepInfo {
  /** 0-based epoch of this step. */
  readonly epoch: number;
  /** Steps done in the run, this one included (1-based). */
  readonly step: number;
  /** Steps done in this epoch, this one included (1-based). */
  readonly stepInEpoch: number;
  /** The loss (NaN or ±Infinity when the step was skipped as non-finite). */
  readonly loss: number;
  /** The learning rate used. */
  readonly learningRate: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  /** Samples in the batch. */
  readonly batchSize: number;
  /** Wall time since the previous step ended (data loading included). */
  readonly seconds: number;
  readonly imagesPerSecond: number;
  /** True when the step was skipped because the loss or a gradient was not finite. */
  readonly skipped: boolean;
}

/** What {@link TrainerCallbacks.onEpochEnd} and the metrics log see after each epoch. */
export interface EpochInfo {
  /** 0-based epoch that ended. */
  readonly epoch: number;
  /** Steps in this epoch (steps before a resume included). */
  readonly steps: number;
  /** Mean loss over the epoch's non-skipped steps (NaN if none). */
  readonly meanLoss: number;
  /** Wall time of the epoch in this process. */
  readonly seconds: number;
  readonly imagesPerSecond: number;
}

/**
 * What a callback sees of the running trainer (the {@link Trainer} itself; this interface keeps
 * the types free of the class).
 */
export interface RunningTrainer<S = unknown> {
  readonly strategy: Strategy<S>;
  readonly optimizer: Optimizer;
  readonly fingerprint: string;
  /** Steps done (over all sessions of the run). */
  readonly step: number;
  /** 0-based epoch in progress. */
  readonly epoch: number;
  /** Batches of the epoch in progress already done. */
  readonly stepInEpoch: number;
  readonly strategyState: S;
  readonly optimizerState: OptimizerState;
  rngState(): RngState;
  /** Saves a checkpoint now; returns where it is (its directory, for a path). */
  saveCheckpoint(): Promise<string>;
}

/**
 * Hooks called by the loop; each may be async. The trainer runs a list of them in order: its
 * defaults (the metrics log and the progress bar, see {@link TrainerOptions.metricsLog} and
 * {@link TrainerOptions.progress}), then `options.callbacks`, then the checkpoint cadence
 * (`checkpoint.everySteps`). `trainer` is the running {@link Trainer} (read `step`, `epoch`,
 * save a checkpoint...).
 */
export interface TrainerCallbacks<S = unknown> {
  /** Once per `run()`, after a resume and before the first batch. */
  onRunStart?(trainer: RunningTrainer<S>): void | Promise<void>;
  /** Before the first batch of each epoch (`trainer.stepInEpoch` batches of it may be done already, after a resume). */
  onEpochStart?(epoch: number, trainer: RunningTrainer<S>): void | Promise<void>;
  onStepEnd?(info: StepInfo, trainer: RunningTrainer<S>): void | Promise<void>;
  onEpochEnd?(info: EpochInfo, trainer: RunningTrainer<S>): void | Promise<void>;
  /** Checked after each step (and its periodic checkpoint); `true` from any callback ends the run (with a final checkpoint). */
  shouldStop?(info: StepInfo, trainer: RunningTrainer<S>): boolean | Promise<boolean>;
  /** Once per `run()`, when it ends (normally or by an error): release what `onRunStart` took. */
  onRunEnd?(trainer: RunningTrainer<S>): void | Promise<void>;
}

/** Options of {@link Trainer} and {@link train}. */
export interface TrainerOptions<S = unknown> {
  /** The recipe of a step (core `Strategy`). */
  readonly strategy: Strategy<S>;
  /** Batches per epoch (see {@link DataSource}). */
  readonly data: DataSource;
  /** Number of epochs (>= 1). */
  readonly epochs: number;
  readonly optimizer: Optimizer;
  /** A constant rate or a schedule over the 0-based step (e.g. `warmupCosine`). */
  readonly learningRate: number | LearningRateSchedule;
  /** Seed of the trainer's rng (strategy init, then one split per step). Default 0. */
  readonly seed?: number;
  /** Clip gradients to this global L2 norm. Default: no clipping. */
  readonly clipGradNorm?: number;
  /** On a non-finite loss or gradient: `'throw'` (default) a NonFiniteError naming the step, or `'skip'` the update. */
  readonly onNonFinite?: 'throw' | 'skip';
  /** Your hooks (one object or a list), run after the default callbacks (see {@link TrainerCallbacks}). */
  readonly callbacks?: TrainerCallbacks<S> | readonly TrainerCallbacks<S>[];
  /** Save checkpoints; without it nothing is saved. */
  readonly checkpoint?: CheckpointOptions;
  /**
   * `'latest'`: continue from the newest checkpoint in `checkpoint.dir` if there is one
   * (start fresh otherwise). A path (Node.js): continue from that checkpoint (or root), which must exist.
   * Default: start fresh.
   */
  readonly resume?: false | 'latest' | string;
  /** Append per-step and per-epoch records to this JSONL file (Node.js; a default callback, `metricsLogCallbacks` of `@contrastive/train/node`). */
  readonly metricsLog?: string;
  /**
   * The terminal progress bar, a default callback (`progressBarCallbacks` of
   * `@contrastive/train/node`): `'auto'` (default: on a Node.js TTY only; nothing elsewhere),
   * `true`, `false` (no bar), or stream options.
   */
  readonly progress?: 'auto' | boolean | ProgressBarOptions;
  /** Steps per epoch, for the progress bar's total only. */
  readonly stepsPerEpoch?: number;
  /**
   * The run's configuration (JSON data). Hashed, with the strategy name, optimizer
   * hyperparameters, schedule and clipping, into the fingerprint that checkpoints carry and a
   * resume must match.
   */
  readonly config?: Readonly<Record<string, unknown>>;
  /**
   * Check the batch's input values (finite; image batches [B, H, W, C] in [0, 1]): `'epoch'`
   * (default) on the first batch of each epoch, `'step'` on every batch, `false` never. The
   * statistics ride in the step's one host read-back (with the loss and the gradient norm), so
   * neither setting adds a read; `'step'` only adds three reductions over the batch.
   */
  readonly checkInputs?: 'epoch' | 'step' | false;
  /** Dispose each batch's tensors after its step. Default true. */
  readonly disposeBatches?: boolean;
  /**
   * Compute each step's loss and gradients with a gradient cache (Gao et al. 2021): the batch is
   * embedded `chunkSize` images at a time, so a large contrastive batch fits in the memory of
   * one chunk (see {@link computeLossAndGradientsCached}). Needs a strategy with `stages` (every
   * `compose()` strategy). Not part of the checkpoint fingerprint: a run may resume with another
   * chunk size (the same one is needed for a bit-identical resume). Default: the plain step.
   */
  readonly gradientCache?: GradientCacheOptions;
}

/** What {@link Trainer.run} returns. */
export interface TrainSummary {
  /** Steps done in the run, over all sessions. */
  readonly steps: number;
  /** Epochs completed. */
  readonly epochsCompleted: number;
  /** True when `shouldStop` ended the run early. */
  readonly stopped: boolean;
  /** Loss of the last step of this session (NaN if none). */
  readonly lastLoss: number;
  /** Steps skipped as non-finite in this session. */
  readonly skippedSteps: number;
  /** Directory of the last checkpoint written, if any. */
  readonly lastCheckpoint: string | null;
  /** Checkpoint this session resumed from, if any. */
  readonly resumedFrom: string | null;
}
