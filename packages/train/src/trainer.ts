/**
 * The training loop: epochs of batches through a {@link Strategy}, an {@link Optimizer} and a
 * learning-rate schedule, with gradient clipping, non-finite guards, callbacks, a progress
 * bar, a JSONL metrics log and atomic checkpoint/resume that reproduces an uninterrupted run
 * bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  CheckpointError,
  NonFiniteError,
  Rng,
  assertInteger,
  assertOneOf,
  assertOptionsObject,
  assertPositive,
  describeValue,
  type Batch,
  type RngState,
  type Strategy,
} from '@contrastive/core';
import { checkWeights, latestCheckpoint, readCheckpoint, saveCheckpoint } from './checkpoint.js';
import { clipByGlobalNorm } from './clip.js';
import { assertBatch, assertDataSource, epochBatches, isOneShot, type DataSource } from './data-source.js';
import { configFingerprint } from './fingerprint.js';
import { MetricsLog } from './metrics-log.js';
import { assertVariables, type Optimizer, type OptimizerState } from './optimizer.js';
import { TrainingProgress, type ProgressBarOptions } from './progress.js';
import { constantLr, type LearningRateSchedule } from './schedule.js';
import { computeLossAndGradients, disposeLossAndGradients, type LossAndGradients } from './step.js';
import { assertInputValues, readStep } from './step-readings.js';
import { assertGradientCacheOptions, assertStagedStrategy, computeLossAndGradientsCached, type GradientCacheOptions } from './gradient-cache.js';

/** When and where to save checkpoints. */
export interface CheckpointOptions {
  /** Root directory: holds `step-NNNNNNNNN/` checkpoints and a `latest` pointer. */
  readonly dir: string;
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

/** Hooks called by the loop; each may be async. */
export interface TrainerCallbacks<S = unknown> {
  onStepEnd?(info: StepInfo, trainer: Trainer<S>): void | Promise<void>;
  onEpochEnd?(info: EpochInfo, trainer: Trainer<S>): void | Promise<void>;
  /** Checked after each step (and its periodic checkpoint); `true` ends the run (with a final checkpoint). */
  shouldStop?(info: StepInfo, trainer: Trainer<S>): boolean | Promise<boolean>;
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
  readonly callbacks?: TrainerCallbacks<S>;
  /** Save checkpoints; without it nothing is saved. */
  readonly checkpoint?: CheckpointOptions;
  /**
   * `'latest'`: continue from the newest checkpoint in `checkpoint.dir` if there is one
   * (start fresh otherwise). A path: continue from that checkpoint (or root), which must exist.
   * Default: start fresh.
   */
  readonly resume?: false | 'latest' | string;
  /** Append per-step and per-epoch records to this JSONL file. */
  readonly metricsLog?: string;
  /** Progress bar: `'auto'` (default, TTY only), `true`, `false`, or stream options. */
  readonly progress?: 'auto' | boolean | ProgressBarOptions;
  /** No progress bar whatever `progress` says. */
  readonly quiet?: boolean;
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

interface EpochTotals {
  lossSum: number;
  lossCount: number;
  steps: number;
  images: number;
  seconds: number;
}

function isNumberRecord(v: unknown): v is Record<string, number> {
  return typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'number');
}

/**
 * Trains a strategy. Construct, `await run()`, then read the weights from the strategy's
 * variables; `dispose()` frees the strategy state and optimizer slots (not the variables).
 *
 * A step: `lr = schedule(step)`; loss and gradients under a tape
 * ({@link computeLossAndGradients}, or chunk by chunk with `gradientCache`:
 * {@link computeLossAndGradientsCached}); non-finite check; optional clipping; `optimizer.apply`;
 * `strategy.afterStep`. A checkpoint holds every variable, the optimizer slots, the strategy
 * state, the rng state, the epoch and the position in it, so resuming replays the rest of the
 * run exactly (the data source must give the same batches for the same epoch).
 *
 * @example
 * ```ts
 * const trainer = new Trainer({
 *   strategy, data: (epoch) => loader.epoch(epoch), epochs: 100,
 *   optimizer: lars({ weightDecay: 1e-6 }),
 *   learningRate: warmupCosine({ baseLr: scaleLearningRate({ batchSize: 512, rule: 'linear' }), warmupSteps: 10 * stepsPerEpoch, totalSteps: 100 * stepsPerEpoch }),
 *   checkpoint: { dir: 'runs/simclr/ckpt', everySteps: 1000 }, resume: 'latest', metricsLog: 'runs/simclr/metrics.jsonl',
 * });
 * const summary = await trainer.run();
 * trainer.dispose();
 * ```
 */
export class Trainer<S = unknown> {
  readonly strategy: Strategy<S>;
  readonly optimizer: Optimizer;
  /** sha256 of the run's configuration (see {@link TrainerOptions.config}). */
  readonly fingerprint: string;
  readonly #options: TrainerOptions<S>;
  readonly #schedule: LearningRateSchedule;
  readonly #variables: readonly tf.Variable[];
  #rng: Rng;
  #state: S;
  #optState: OptimizerState;
  #step = 0;
  #epoch = 0;
  #stepInEpoch = 0;
  #totals: EpochTotals = { lossSum: 0, lossCount: 0, steps: 0, images: 0, seconds: 0 };
  #running = false;
  #disposed = false;
  #resumedFrom: string | null = null;
  #lastSavedStep = -1;
  #lastCheckpoint: string | null = null;
  #inputsCheckedEpoch = -1;

  constructor(options: TrainerOptions<S>) {
    const where = 'Trainer';
    assertOptionsObject(where, 'options', options);
    if (options === undefined) throw new ArgumentError(`${where}: argument 'options' is required`, { argument: 'options' });
    const { strategy, optimizer } = options;
    if (typeof strategy !== 'object' || strategy === null || typeof strategy.loss !== 'function' || typeof strategy.afterStep !== 'function') {
      throw new ArgumentError(`${where}: argument 'options.strategy' must be a Strategy, received ${describeValue(strategy)}`, {
        argument: 'options.strategy',
        expected: 'a Strategy',
        received: strategy,
      });
    }
    if (typeof optimizer !== 'object' || optimizer === null || typeof optimizer.apply !== 'function') {
      throw new ArgumentError(`${where}: argument 'options.optimizer' must be an Optimizer (sgd, lars, adamw), received ${describeValue(optimizer)}`, {
        argument: 'options.optimizer',
        expected: 'an Optimizer',
        received: optimizer,
      });
    }
    assertDataSource(where, 'options.data', options.data);
    assertInteger(where, 'options.epochs', options.epochs, 1);
    const lr = options.learningRate;
    if (typeof lr === 'number') {
      if (!Number.isFinite(lr) || lr < 0) {
        throw new ArgumentError(`${where}: argument 'options.learningRate' must be a finite number >= 0 or a schedule, received ${describeValue(lr)}`, {
          argument: 'options.learningRate',
          received: lr,
        });
      }
    } else if (typeof lr !== 'function') {
      throw new ArgumentError(`${where}: argument 'options.learningRate' must be a number or a schedule (step) => number, received ${describeValue(lr)}`, {
        argument: 'options.learningRate',
        received: lr,
      });
    }
    if (options.seed !== undefined) assertInteger(where, 'options.seed', options.seed, Number.MIN_SAFE_INTEGER);
    if (options.clipGradNorm !== undefined) assertPositive(where, 'options.clipGradNorm', options.clipGradNorm);
    assertOneOf(where, 'options.onNonFinite', options.onNonFinite ?? 'throw', ['throw', 'skip'] as const);
    if (options.checkInputs !== false) assertOneOf(where, 'options.checkInputs', options.checkInputs ?? 'epoch', ['epoch', 'step'] as const);
    if (options.stepsPerEpoch !== undefined) assertInteger(where, 'options.stepsPerEpoch', options.stepsPerEpoch, 1);
    if (options.gradientCache !== undefined) {
      assertGradientCacheOptions(where, 'options.gradientCache', options.gradientCache);
      assertStagedStrategy(where, 'options.gradientCache', strategy);
    }
    if (options.checkpoint !== undefined) {
      assertOptionsObject(where, 'options.checkpoint', options.checkpoint);
      if (typeof options.checkpoint.dir !== 'string' || options.checkpoint.dir.length === 0) {
        throw new ArgumentError(`${where}: argument 'options.checkpoint.dir' must be a directory path, received ${describeValue(options.checkpoint.dir)}`, {
          argument: 'options.checkpoint.dir',
          received: options.checkpoint.dir,
        });
      }
      if (options.checkpoint.everySteps !== undefined) assertInteger(where, 'options.checkpoint.everySteps', options.checkpoint.everySteps, 1);
      if (options.checkpoint.keep !== undefined) assertInteger(where, 'options.checkpoint.keep', options.checkpoint.keep, 0);
    }
    const resume = options.resume ?? false;
    if (resume !== false && (typeof resume !== 'string' || resume.length === 0)) {
      throw new ArgumentError(`${where}: argument 'options.resume' must be false, 'latest' or a checkpoint path, received ${describeValue(resume)}`, {
        argument: 'options.resume',
        received: resume,
      });
    }
    if (resume === 'latest' && options.checkpoint === undefined) {
      throw new ArgumentError(`${where}: argument 'options.resume' is 'latest' but no options.checkpoint.dir says where to look`, {
        argument: 'options.resume',
        expected: 'options.checkpoint.dir to be set',
        received: resume,
      });
    }
    if (options.metricsLog !== undefined && (typeof options.metricsLog !== 'string' || options.metricsLog.length === 0)) {
      throw new ArgumentError(`${where}: argument 'options.metricsLog' must be a file path, received ${describeValue(options.metricsLog)}`, {
        argument: 'options.metricsLog',
        received: options.metricsLog,
      });
    }
    assertVariables(where, 'strategy.trainableVariables + strategy.nonTrainableVariables', [...strategy.trainableVariables, ...strategy.nonTrainableVariables]);
    if (strategy.trainableVariables.length === 0) {
      throw new ArgumentError(`${where}: argument 'options.strategy' has no trainable variables`, { argument: 'options.strategy.trainableVariables' });
    }

    this.strategy = strategy;
    this.optimizer = optimizer;
    this.#options = options;
    this.#schedule = typeof lr === 'number' ? constantLr(lr) : lr;
    this.#variables = [...strategy.trainableVariables, ...strategy.nonTrainableVariables];
    this.fingerprint = configFingerprint({
      strategy: strategy.name,
      optimizer: { name: optimizer.name, hyperparameters: optimizer.hyperparameters },
      learningRate: typeof lr === 'number' ? lr : ((lr as Partial<LearningRateSchedule>).config ?? 'custom schedule'),
      clipGradNorm: options.clipGradNorm ?? null,
      config: options.config ?? null,
    });
    this.#rng = Rng.fromSeed(options.seed ?? 0);
    this.#state = strategy.init(this.#rng.split());
    this.#optState = optimizer.init(strategy.trainableVariables);
  }

  /** Steps done (over all sessions of the run). */
  get step(): number {
    return this.#step;
  }

  /** 0-based epoch in progress (equals `epochs` once training is complete). */
  get epoch(): number {
    return this.#epoch;
  }

  /** The strategy's current state (owned by the trainer until {@link Trainer.dispose}). */
  get strategyState(): S {
    return this.#state;
  }

  /** The optimizer's current state (owned by the trainer). */
  get optimizerState(): OptimizerState {
    return this.#optState;
  }

  /** The trainer's rng state (what a checkpoint stores). */
  rngState(): RngState {
    return this.#rng.state();
  }

  #checkAlive(where: string): void {
    if (this.#disposed) throw new ArgumentError(`Trainer.${where}: the trainer was disposed`, { argument: 'this' });
  }

  /**
   * Runs (or continues) training until `epochs` are done or `shouldStop` says so. Resumes
   * first if `options.resume` asks for it (once per trainer).
   */
  async run(): Promise<TrainSummary> {
    this.#checkAlive('run');
    if (this.#running) throw new ArgumentError('Trainer.run: the trainer is already running', { argument: 'this' });
    this.#running = true;
    const o = this.#options;
    let metrics: MetricsLog | null = null;
    const progressOption = o.progress ?? 'auto';
    const progress = new TrainingProgress(
      o.epochs,
      o.quiet === true ? { show: false } : typeof progressOption === 'object' ? progressOption : { show: progressOption },
    );
    let stopped = false;
    let lastLoss = Number.NaN;
    let skippedSteps = 0;
    try {
      const resume = o.resume ?? false;
      if (resume !== false && this.#resumedFrom === null && this.#step === 0) {
        const path = resume === 'latest' ? await latestCheckpoint((o.checkpoint as CheckpointOptions).dir) : resume;
        if (path !== null) await this.restore(path);
      }
      if (this.#epoch + 1 < o.epochs && isOneShot(o.data)) {
        throw new ArgumentError(
          `Trainer.run: argument 'options.data' is a one-shot iterator (e.g. a generator object) but ${o.epochs - this.#epoch} epochs remain; pass a function epoch => iterable`,
          { argument: 'options.data', expected: 'a re-iterable source or a function epoch => iterable', received: o.data },
        );
      }
      if (o.metricsLog !== undefined) metrics = MetricsLog.open(o.metricsLog);
      while (this.#epoch < o.epochs && !stopped) {
        const epoch = this.#epoch;
        const batches = await epochBatches(o.data, epoch);
        let toSkip = this.#stepInEpoch; // batches a resumed checkpoint had already consumed
        const epochStart = performance.now();
        let last = epochStart;
        progress.startEpoch(epoch, this.#stepInEpoch, o.stepsPerEpoch ?? 0);
        for await (const batch of batches) {
          if (toSkip > 0) {
            toSkip--;
            this.#disposeBatch(batch);
            continue;
          }
          const info = this.#trainStep(batch, last);
          last = performance.now();
          lastLoss = info.loss;
          if (info.skipped) skippedSteps++;
          metrics?.write({ type: 'step', time: Date.now(), ...info });
          progress.update(info.stepInEpoch, info);
          await o.callbacks?.onStepEnd?.(info, this);
          const every = o.checkpoint?.everySteps;
          if (every !== undefined && this.#step % every === 0) await this.saveCheckpoint();
          if ((await o.callbacks?.shouldStop?.(info, this)) === true) {
            stopped = true;
            break;
          }
        }
        if (stopped) break;
        if (toSkip > 0) {
          throw new CheckpointError(
            `Trainer.run: the data source gave epoch ${epoch} fewer batches than the checkpoint had consumed (${this.#stepInEpoch - toSkip} < ${this.#stepInEpoch}); it must give the same batches for the same epoch`,
            { argument: 'options.data', expected: `>= ${this.#stepInEpoch} batches`, received: this.#stepInEpoch - toSkip },
          );
        }
        progress.stop();
        this.#totals.seconds += (performance.now() - epochStart) / 1000;
        const t = this.#totals;
        const info: EpochInfo = {
          epoch,
          steps: t.steps,
          meanLoss: t.lossCount > 0 ? t.lossSum / t.lossCount : Number.NaN,
          seconds: t.seconds,
          imagesPerSecond: t.seconds > 0 ? t.images / t.seconds : 0,
        };
        this.#epoch = epoch + 1;
        this.#stepInEpoch = 0;
        this.#totals = { lossSum: 0, lossCount: 0, steps: 0, images: 0, seconds: 0 };
        metrics?.write({ type: 'epoch', time: Date.now(), ...info });
        await o.callbacks?.onEpochEnd?.(info, this);
      }
      if (o.checkpoint !== undefined && this.#lastSavedStep !== this.#step) await this.saveCheckpoint();
    } finally {
      progress.stop();
      metrics?.close();
      this.#running = false;
    }
    return {
      steps: this.#step,
      epochsCompleted: this.#epoch,
      stopped,
      lastLoss,
      skippedSteps,
      lastCheckpoint: this.#lastCheckpoint,
      resumedFrom: this.#resumedFrom,
    };
  }

  #disposeBatch(batch: Batch): void {
    if (this.#options.disposeBatches === false) return;
    batch.images.dispose();
    batch.labels?.dispose();
  }

  /** One step: loss and gradients, guard, clip, apply, afterStep. */
  #trainStep(batch: Batch, previousEnd: number): StepInfo {
    const o = this.#options;
    const index = this.#step; // 0-based index of this update
    const epoch = this.#epoch;
    let out: LossAndGradients | null = null;
    let clipped: Record<string, tf.Tensor> | null = null;
    let loss = Number.NaN;
    let gradNorm = Number.NaN;
    let skipped = false;
    let batchSize = 0;
    const learningRate = this.#schedule(index);
    try {
      assertBatch('Trainer.run', batch);
      batchSize = batch.images.shape[0] as number;
      if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate < 0) {
        throw new ArgumentError(`Trainer.run: the learning-rate schedule returned ${describeValue(learningRate)} at step ${index + 1}`, {
          argument: 'options.learningRate',
          expected: 'a finite number >= 0',
          received: learningRate,
        });
      }
      const stepRng = this.#rng.split();
      out =
        o.gradientCache === undefined
          ? computeLossAndGradients(this.strategy, batch, this.#state, stepRng)
          : computeLossAndGradientsCached(this.strategy, batch, this.#state, stepRng, o.gradientCache);
      // The step's one host read-back: loss, gradient norm (the finite check) and input statistics.
      const check = o.checkInputs ?? 'epoch';
      const readInputs = check === 'step' || (check === 'epoch' && this.#inputsCheckedEpoch !== epoch);
      const read = readStep(out.loss, out.grads, readInputs ? batch.images : null);
      if (read.inputs !== null) {
        assertInputValues('Trainer.run', read.inputs, batch.images.rank, `step ${index + 1}, epoch ${epoch}, batch ${this.#stepInEpoch + 1}`);
        this.#inputsCheckedEpoch = epoch;
      }
      loss = read.loss;
      gradNorm = read.gradNorm;
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
        if ((o.onNonFinite ?? 'throw') === 'throw') {
          const what = !Number.isFinite(loss) ? `loss ${loss}` : `gradient norm ${gradNorm} (loss ${loss})`;
          throw new NonFiniteError(
            `Trainer: non-finite ${what} at step ${index + 1} (epoch ${epoch}, batch ${this.#stepInEpoch + 1}); the update was not applied. Set onNonFinite: 'skip' to skip such steps.`,
            { argument: 'loss', expected: 'a finite loss and gradients', received: loss },
          );
        }
        skipped = true;
      } else {
        const grads = o.clipGradNorm !== undefined ? (clipped = clipByGlobalNorm(out.grads, o.clipGradNorm, gradNorm)) : out.grads;
        this.#optState = this.optimizer.apply(this.strategy.trainableVariables, grads, this.#optState, learningRate);
        this.#state = this.strategy.afterStep(this.#state, out.aux, batch, index);
      }
    } finally {
      if (out !== null) disposeLossAndGradients(out);
      if (clipped !== null) Object.values(clipped).forEach((g) => g.dispose());
      if (typeof batch === 'object' && batch !== null && typeof batch.images === 'object') this.#disposeBatch(batch);
    }
    this.#step = index + 1;
    this.#stepInEpoch += 1;
    const seconds = (performance.now() - previousEnd) / 1000;
    const t = this.#totals;
    t.steps += 1;
    t.images += batchSize;
    if (!skipped) {
      t.lossSum += loss;
      t.lossCount += 1;
    }
    return {
      epoch,
      step: this.#step,
      stepInEpoch: this.#stepInEpoch,
      loss,
      learningRate,
      gradNorm,
      batchSize,
      seconds,
      imagesPerSecond: seconds > 0 ? batchSize / seconds : 0,
      skipped,
    };
  }

  /**
   * Saves a checkpoint now under `options.checkpoint.dir` (atomically; refuses non-finite
   * weights with NonFiniteError and writes nothing). Returns its directory.
   */
  async saveCheckpoint(): Promise<string> {
    this.#checkAlive('saveCheckpoint');
    const ck = this.#options.checkpoint;
    if (ck === undefined) throw new ArgumentError('Trainer.saveCheckpoint: no options.checkpoint.dir was given', { argument: 'options.checkpoint' });
    const optimizer = this.optimizer.serialize(this.#optState);
    let strategy;
    try {
      strategy = this.strategy.serializeState(this.#state);
    } catch (e) {
      Object.values(optimizer.tensors).forEach((t) => t.dispose());
      throw e;
    }
    try {
      const t = this.#totals;
      const path = await saveCheckpoint(
        ck.dir,
        {
          step: this.#step,
          epoch: this.#epoch,
          fingerprint: this.fingerprint,
          rng: this.#rng.state(),
          variables: this.#variables,
          optimizer,
          strategy,
          meta: {
            stepInEpoch: this.#stepInEpoch,
            epochTotals: { lossSum: t.lossSum, lossCount: t.lossCount, steps: t.steps, images: t.images, seconds: t.seconds },
            strategy: this.strategy.name,
            optimizer: this.optimizer.name,
          },
        },
        ck.keep === undefined ? {} : { keep: ck.keep },
      );
      this.#lastSavedStep = this.#step;
      this.#lastCheckpoint = path;
      return path;
    } finally {
      // serialize/serializeState hand over fresh tensors (the core contract); they are ours to free.
      Object.values(optimizer.tensors).forEach((t) => t.dispose());
      Object.values(strategy.tensors).forEach((t) => t.dispose());
    }
  }

  /**
   * Loads a checkpoint (a `step-*` directory, or a root whose `latest` is followed) into this
   * trainer: weights, optimizer slots, strategy state, rng and position. Everything is checked
   * first (integrity, config fingerprint, variable names/shapes, optimizer and strategy state)
   * and nothing changes unless all of it passes; otherwise {@link CheckpointError}.
   */
  async restore(path: string): Promise<void> {
    this.#checkAlive('restore');
    if (this.#running && this.#step > 0) throw new ArgumentError('Trainer.restore: cannot restore while the trainer is running', { argument: 'this' });
    const loaded = await readCheckpoint(path);
    try {
      const m = loaded.manifest;
      if (m.fingerprint !== this.fingerprint) {
        throw new CheckpointError(
          `Trainer.restore: checkpoint ${loaded.path} was made with another configuration (fingerprint ${m.fingerprint.slice(0, 12)}…, this run ${this.fingerprint.slice(0, 12)}…); strategy, optimizer hyperparameters, schedule, clipping and options.config must be the same to resume`,
          { argument: 'fingerprint', expected: this.fingerprint, received: m.fingerprint },
        );
      }
      checkWeights(this.#variables, loaded.weights);
      let rng: Rng;
      try {
        rng = Rng.fromState(m.rng);
      } catch (e) {
        throw new CheckpointError(`Trainer.restore: checkpoint ${loaded.path} has an invalid rng state`, { argument: 'rng', received: m.rng, cause: e });
      }
      const stepInEpoch = m.meta['stepInEpoch'];
      const totals = m.meta['epochTotals'];
      if (typeof stepInEpoch !== 'number' || !Number.isSafeInteger(stepInEpoch) || stepInEpoch < 0 || !isNumberRecord(totals)) {
        throw new CheckpointError(`Trainer.restore: checkpoint ${loaded.path} lacks the trainer's position (meta.stepInEpoch, meta.epochTotals)`, {
          argument: 'meta',
          received: m.meta,
        });
      }
      const optState = this.optimizer.deserialize(loaded.optimizer, this.strategy.trainableVariables);
      let state: S;
      try {
        state = this.strategy.deserializeState(loaded.strategy);
      } catch (e) {
        this.optimizer.dispose(optState);
        if (e instanceof CheckpointError) throw e;
        throw new CheckpointError(`Trainer.restore: the strategy '${this.strategy.name}' refused the state in ${loaded.path}: ${e instanceof Error ? e.message : String(e)}`, {
          argument: 'strategy',
          cause: e,
        });
      }
      // Everything checked: commit.
      for (const v of this.#variables) v.assign(loaded.weights[v.name] as tf.Tensor);
      this.optimizer.dispose(this.#optState);
      this.strategy.disposeState(this.#state);
      this.#optState = optState;
      this.#state = state;
      this.#rng = rng;
      this.#step = m.step;
      this.#epoch = m.epoch;
      this.#stepInEpoch = stepInEpoch;
      this.#totals = {
        lossSum: totals['lossSum'] ?? 0,
        lossCount: totals['lossCount'] ?? 0,
        steps: totals['steps'] ?? 0,
        images: totals['images'] ?? 0,
        seconds: totals['seconds'] ?? 0,
      };
      this.#resumedFrom = loaded.path;
      this.#lastSavedStep = m.step;
    } finally {
      loaded.dispose();
    }
  }

  /** Frees the strategy state and optimizer slots (the strategy's variables are the caller's). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.strategy.disposeState(this.#state);
    this.optimizer.dispose(this.#optState);
  }
}

/**
 * Trains and frees the trainer's state: `new Trainer(options).run()` then `dispose()`.
 * The trained weights stay in the strategy's variables.
 */
export async function train<S>(options: TrainerOptions<S>): Promise<TrainSummary> {
  const trainer = new Trainer(options);
  try {
    return await trainer.run();
  } finally {
    trainer.dispose();
  }
}
