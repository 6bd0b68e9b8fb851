/**
 * Learning-rate schedules and batch-size scaling (Goyal et al. 2017, "Accurate, Large
 * Minibatch SGD", §2.2 warmup; Loshchilov & Hutter 2017, SGDR cosine; Chen et al. 2020,
 * SimCLR, §B.1: "linear warmup for the first 10 epochs, and decay the learning rate with the
 * cosine decay schedule without restarts").
 */
import { ArgumentError, assertInteger, assertNonNegative, assertOneOf, assertOptionsObject, assertPositive } from '@contrastive/core';

/**
 * A learning rate per step (0-based index of the update about to be applied). `config`
 * describes the schedule for logs and the checkpoint fingerprint.
 */
export interface LearningRateSchedule {
  (step: number): number;
  readonly config: Readonly<Record<string, number | string>>;
}

function schedule(fn: (step: number) => number, config: Record<string, number | string>): LearningRateSchedule {
  return Object.assign(fn, { config: Object.freeze(config) });
}

function assertStep(where: string, step: unknown): asserts step is number {
  assertInteger(where, 'step', step, 0);
}

/** The same rate at every step. */
export function constantLr(learningRate: number): LearningRateSchedule {
  assertNonNegative('constantLr', 'learningRate', learningRate);
  return schedule(
    (step) => {
      assertStep('constantLr', step);
      return learningRate;
    },
    { kind: 'constant', learningRate },
  );
}

/** Options of {@link warmupCosine}. */
export interface WarmupCosineOptions {
  /** Peak rate, reached at the end of warmup. */
  readonly baseLr: number;
  /** Total number of updates of the run (T). */
  readonly totalSteps: number;
  /** Linear warmup length (SimCLR: 10 epochs). Default 0. Must be < totalSteps. */
  readonly warmupSteps?: number;
  /** Rate at the end of the cosine. Default 0. */
  readonly finalLr?: number;
}

/**
 * Linear warmup then cosine decay:
 * ```
 * step < W:        lr = base · (step + 1) / W
 * W <= step < T:   lr = final + (base - final) · (1 + cos(π (step - W) / (T - W))) / 2
 * step >= T:       lr = final
 * ```
 * (The `+1` makes the first update use base/W instead of 0.)
 *
 * @example
 * ```ts
 * const lr = warmupCosine({ baseLr: scaleLearningRate({ batchSize: 512, rule: 'linear' }), warmupSteps: 500, totalSteps: 5000 });
 * lr(0); lr(499); // ramps up to 0.6
 * ```
 */
export function warmupCosine(options: WarmupCosineOptions): LearningRateSchedule {
  const where = 'warmupCosine';
  assertOptionsObject(where, 'options', options);
  if (options === undefined) throw new ArgumentError(`${where}: argument 'options' is required`, { argument: 'options' });
  const { baseLr, totalSteps } = options;
  const warmupSteps = options.warmupSteps ?? 0;
  const finalLr = options.finalLr ?? 0;
  assertNonNegative(where, 'options.baseLr', baseLr);
  assertInteger(where, 'options.totalSteps', totalSteps, 1);
  assertInteger(where, 'options.warmupSteps', warmupSteps, 0);
  assertNonNegative(where, 'options.finalLr', finalLr);
  if (warmupSteps >= totalSteps) {
    throw new ArgumentError(`${where}: argument 'options.warmupSteps' must be < totalSteps (${totalSteps}), received ${warmupSteps}`, {
      argument: 'options.warmupSteps',
      expected: `an integer in [0, ${totalSteps})`,
      received: warmupSteps,
    });
  }
  return schedule(
    (step) => {
      assertStep(where, step);
      if (step < warmupSteps) return (baseLr * (step + 1)) / warmupSteps;
      if (step >= totalSteps) return finalLr;
      const progress = (step - warmupSteps) / (totalSteps - warmupSteps);
      return finalLr + ((baseLr - finalLr) * (1 + Math.cos(Math.PI * progress))) / 2;
    },
    { kind: 'warmupCosine', baseLr, totalSteps, warmupSteps, finalLr },
  );
}

/** Options of {@link scaleLearningRate}. */
export interface ScaleLearningRateOptions {
  /** The batch size B. */
  readonly batchSize: number;
  /** `'linear'`: base · B / 256. `'sqrt'`: base · sqrt(B). */
  readonly rule: 'linear' | 'sqrt';
  /** The base rate. Default SimCLR's (Chen et al. 2020, §B.1): 0.3 for linear, 0.075 for sqrt. */
  readonly baseLr?: number;
}

/**
 * The learning rate for batch size B: SimCLR's `lr = 0.3 × B/256` (linear) or
 * `lr = 0.075 × sqrt(B)` (square-root, better for small batches and long training).
 *
 * @example
 * ```ts
 * scaleLearningRate({ batchSize: 4096, rule: 'linear' }); // 4.8
 * scaleLearningRate({ batchSize: 4096, rule: 'sqrt' });   // 4.8
 * scaleLearningRate({ batchSize: 256, rule: 'linear', baseLr: 0.03 }); // MoCo: 0.03
 * ```
 */
export function scaleLearningRate(options: ScaleLearningRateOptions): number {
  const where = 'scaleLearningRate';
  assertOptionsObject(where, 'options', options);
  if (options === undefined) throw new ArgumentError(`${where}: argument 'options' is required`, { argument: 'options' });
  assertInteger(where, 'options.batchSize', options.batchSize, 1);
  assertOneOf(where, 'options.rule', options.rule, ['linear', 'sqrt'] as const);
  const baseLr = options.baseLr ?? (options.rule === 'linear' ? 0.3 : 0.075);
  assertPositive(where, 'options.baseLr', baseLr);
  return options.rule === 'linear' ? (baseLr * options.batchSize) / 256 : baseLr * Math.sqrt(options.batchSize);
}
