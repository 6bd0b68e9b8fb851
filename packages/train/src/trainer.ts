/**
 * The training loop: epochs of batches through a {@link Strategy}, an {@link Optimizer} and a
 * learning-rate schedule. The parts live in their own modules: the option checks
 * (`trainer-options.ts`), one step (`train-step.ts`), the resume bookkeeping (`run-position.ts`),
 * and the metrics log, progress bar and checkpoint cadence as default callbacks
 * (`default-callbacks.ts`); this class ties them together and owns the run's state, with atomic
 * checkpoint/resume that reproduces an uninterrupted run bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, CheckpointError, Rng, type Batch, type RngState, type Strategy } from '@contrastive/core';
import { CallbackList } from './callback-list.js';
import { checkWeights, latestCheckpoint, readCheckpoint, saveCheckpoint } from './checkpoint.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { assertBatch, epochBatches, isOneShot } from './data-source.js';
import { trainerCallbacks } from './default-callbacks.js';
import { configFingerprint } from './fingerprint.js';
import type { Optimizer, OptimizerState } from './optimizer.js';
import { START, advanceStep, endEpoch, positionFromCheckpoint, positionMeta, type RunPosition } from './run-position.js';
import { slotsFromPaths, slotsToPaths, strategyPaths } from './state-paths.js';
import { constantLr, type LearningRateSchedule } from './schedule.js';
import { trainStep } from './train-step.js';
import { assertTrainerOptions } from './trainer-options.js';
import type { CheckpointOptions, RunningTrainer, StepInfo, TrainSummary, TrainerOptions } from './trainer-types.js';

export type { CheckpointOptions, EpochInfo, RunningTrainer, StepInfo, TrainSummary, TrainerCallbacks, TrainerOptions } from './trainer-types.js';

/** What one `run()` counts besides the position. */
interface Session {
  stopped: boolean;
  lastLoss: number;
  skippedSteps: number;
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
export class Trainer<S = unknown> implements RunningTrainer<S> {
  readonly strategy: Strategy<S>;
  readonly optimizer: Optimizer;
  /** sha256 of the run's configuration (see {@link TrainerOptions.config}). */
  readonly fingerprint: string;
  readonly #options: TrainerOptions<S>;
  readonly #schedule: LearningRateSchedule;
  /** Every variable of the strategy by parameter path: what checkpoints (weights and optimizer slots) key on. */
  readonly #paths: ReadonlyMap<string, tf.Variable>;
  readonly #callbacks: CallbackList<S>;
  #rng: Rng;
  #state: S;
  #optState: OptimizerState;
  #position: RunPosition = START;
  #running = false;
  #disposed = false;
  #resumedFrom: string | null = null;
  #lastSavedStep = -1;
  #lastCheckpoint: string | null = null;
  #inputsCheckedEpoch = -1;

  constructor(options: TrainerOptions<S>) {
    assertTrainerOptions('Trainer', options);
    const { strategy, optimizer } = options;
    const lr = options.learningRate;
    this.strategy = strategy;
    this.optimizer = optimizer;
    this.#options = options;
    this.#schedule = typeof lr === 'number' ? constantLr(lr) : lr;
    this.#paths = strategyPaths('Trainer', strategy);
    this.#callbacks = new CallbackList(trainerCallbacks(options));
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
    return this.#position.step;
  }

  /** 0-based epoch in progress (equals `epochs` once training is complete). */
  get epoch(): number {
    return this.#position.epoch;
  }

  /** Batches of the epoch in progress already done (by this session or, after a resume, before it). */
  get stepInEpoch(): number {
    return this.#position.stepInEpoch;
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
    const session: Session = { stopped: false, lastLoss: Number.NaN, skippedSteps: 0 };
    try {
      await this.#resumeIfAsked();
      if (this.epoch + 1 < o.epochs && isOneShot(o.data)) {
        throw new ArgumentError(
          `Trainer.run: argument 'options.data' is a one-shot iterator (e.g. a generator object) but ${o.epochs - this.epoch} epochs remain; pass a function epoch => iterable`,
          { argument: 'options.data', expected: 'a re-iterable source or a function epoch => iterable', received: o.data },
        );
      }
      await this.#callbacks.runStart(this);
      while (this.epoch < o.epochs && !session.stopped) await this.#runEpoch(session);
      if (o.checkpoint !== undefined && this.#lastSavedStep !== this.step) await this.saveCheckpoint();
    } finally {
      this.#running = false;
      await this.#callbacks.runEnd(this);
    }
    return {
      steps: this.step,
      epochsCompleted: this.epoch,
      stopped: session.stopped,
      lastLoss: session.lastLoss,
      skippedSteps: session.skippedSteps,
      lastCheckpoint: this.#lastCheckpoint,
      resumedFrom: this.#resumedFrom,
    };
  }

  /** `options.resume`: restores the named or latest checkpoint, once, before the first step. */
  async #resumeIfAsked(): Promise<void> {
    const resume = this.#options.resume ?? false;
    if (resume === false || this.#resumedFrom !== null || this.step !== 0) return;
    if (resume !== 'latest') return this.restore(resume);
    const dir = (this.#options.checkpoint as CheckpointOptions).dir;
    if ((await latestCheckpoint(dir)) !== null) await this.restore(dir);
  }

  /** One epoch (the rest of it after a resume); sets `session.stopped` when a callback stops the run. */
  async #runEpoch(session: Session): Promise<void> {
    const epoch = this.epoch;
    const batches = await epochBatches(this.#options.data, epoch);
    const consumed = this.stepInEpoch;
    let toSkip = consumed; // batches a resumed checkpoint had already consumed
    const epochStart = performance.now();
    let last = epochStart;
    await this.#callbacks.epochStart(epoch, this);
    for await (const batch of batches) {
      if (toSkip > 0) {
        toSkip--;
        this.#disposeBatch(batch);
        continue;
      }
      const info = this.#trainStep(batch, last);
      last = performance.now();
      session.lastLoss = info.loss;
      if (info.skipped) session.skippedSteps++;
      await this.#callbacks.stepEnd(info, this);
      if (await this.#callbacks.shouldStop(info, this)) {
        session.stopped = true;
        return;
      }
    }
    if (toSkip > 0) {
      throw new CheckpointError(
        `Trainer.run: the data source gave epoch ${epoch} fewer batches than the checkpoint had consumed (${consumed - toSkip} < ${consumed}); it must give the same batches for the same epoch`,
        { argument: 'options.data', expected: `>= ${consumed} batches`, received: consumed - toSkip },
      );
    }
    const { info, next } = endEpoch(this.#position, (performance.now() - epochStart) / 1000);
    this.#position = next;
    await this.#callbacks.epochEnd(info, this);
  }

  #disposeBatch(batch: Batch): void {
    if (this.#options.disposeBatches === false) return;
    batch.images.dispose();
    batch.labels?.dispose();
  }

  /** One step ({@link trainStep}) on `batch`, which it disposes; advances the position. */
  #trainStep(batch: Batch, previousEnd: number): StepInfo {
    const o = this.#options;
    const p = this.#position;
    const learningRate = this.#schedule(p.step);
    const check = o.checkInputs ?? 'epoch';
    const checkInputs = check === 'step' || (check === 'epoch' && this.#inputsCheckedEpoch !== p.epoch);
    let result;
    try {
      assertBatch('Trainer.run', batch);
      const input = {
        strategy: this.strategy,
        optimizer: this.optimizer,
        options: o,
        state: this.#state,
        optState: this.#optState,
        rng: this.#rng,
        index: p.step,
        epoch: p.epoch,
        stepInEpoch: p.stepInEpoch,
        learningRate,
        checkInputs,
        onApplied: (optState: OptimizerState) => (this.#optState = optState),
      };
      result = trainStep(input, batch);
    } finally {
      if (typeof batch === 'object' && batch !== null && typeof batch.images === 'object') this.#disposeBatch(batch);
    }
    if (checkInputs) this.#inputsCheckedEpoch = p.epoch;
    this.#state = result.state;
    this.#optState = result.optState;
    this.#position = advanceStep(p, result);
    const seconds = (performance.now() - previousEnd) / 1000;
    const { loss, gradNorm, skipped, batchSize } = result;
    return {
      epoch: p.epoch,
      step: this.step,
      stepInEpoch: this.stepInEpoch,
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
   * weights with NonFiniteError and writes nothing). Returns where it is (its directory, for a path).
   */
  async saveCheckpoint(): Promise<string> {
    this.#checkAlive('saveCheckpoint');
    const ck = this.#options.checkpoint;
    if (ck === undefined) throw new ArgumentError('Trainer.saveCheckpoint: no options.checkpoint.dir was given', { argument: 'options.checkpoint' });
    const optimizer = slotsToPaths(this.optimizer.serialize(this.#optState), this.#paths, this.optimizer.slotNames);
    let strategy;
    try {
      strategy = this.strategy.serializeState(this.#state);
    } catch (e) {
      Object.values(optimizer.tensors).forEach((t) => t.dispose());
      throw e;
    }
    try {
      const path = await saveCheckpoint(
        ck.dir,
        {
          step: this.step,
          epoch: this.epoch,
          fingerprint: this.fingerprint,
          rng: this.#rng.state(),
          variables: this.#paths,
          optimizer,
          strategy,
          meta: {
            ...positionMeta(this.#position),
            strategy: this.strategy.name,
            optimizer: this.optimizer.name,
          },
        },
        ck.keep === undefined ? {} : { keep: ck.keep },
      );
      this.#lastSavedStep = this.step;
      this.#lastCheckpoint = path;
      return path;
    } finally {
      // serialize/serializeState hand over fresh tensors (the core contract); they are ours to free.
      Object.values(optimizer.tensors).forEach((t) => t.dispose());
      Object.values(strategy.tensors).forEach((t) => t.dispose());
    }
  }

  /**
   * Loads a checkpoint (a {@link CheckpointStore}'s latest, or in Node.js a `step-*` directory or a
   * root whose `latest` is followed) into this
   * trainer: weights, optimizer slots, strategy state, rng and position. Everything is checked
   * first (integrity, config fingerprint, variable names/shapes, optimizer and strategy state)
   * and nothing changes unless all of it passes; otherwise {@link CheckpointError}.
   */
  async restore(path: string | CheckpointStore): Promise<void> {
    this.#checkAlive('restore');
    if (this.#running && this.step > 0) throw new ArgumentError('Trainer.restore: cannot restore while the trainer is running', { argument: 'this' });
    const loaded = await readCheckpoint(path);
    try {
      const m = loaded.manifest;
      if (m.fingerprint !== this.fingerprint) {
        throw new CheckpointError(
          `Trainer.restore: checkpoint ${loaded.path} was made with another configuration (fingerprint ${m.fingerprint.slice(0, 12)}…, this run ${this.fingerprint.slice(0, 12)}…); strategy, optimizer hyperparameters, schedule, clipping and options.config must be the same to resume`,
          { argument: 'fingerprint', expected: this.fingerprint, received: m.fingerprint },
        );
      }
      checkWeights(this.#paths, loaded.weights);
      let rng: Rng;
      try {
        rng = Rng.fromState(m.rng);
      } catch (e) {
        throw new CheckpointError(`Trainer.restore: checkpoint ${loaded.path} has an invalid rng state`, { argument: 'rng', received: m.rng, cause: e });
      }
      const position = positionFromCheckpoint('Trainer.restore', loaded.path, m);
      const optState = this.optimizer.deserialize(slotsFromPaths(loaded.optimizer, this.#paths, this.optimizer.slotNames), this.strategy.trainableVariables);
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
      for (const [p, v] of this.#paths) v.assign(loaded.weights[p] as tf.Tensor);
      this.optimizer.dispose(this.#optState);
      this.strategy.disposeState(this.#state);
      this.#optState = optState;
      this.#state = state;
      this.#rng = rng;
      this.#position = position;
      this.#resumedFrom = loaded.path;
      this.#lastSavedStep = m.step;
    } finally {
      loaded.dispose();
    }
  }

  /**
   * Frees the strategy state and optimizer slots. Not the strategy: its variables and what it
   * owns are the caller's (`strategy.dispose()`, in either order).
   */
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
