/**
 * The argument checks of {@link Trainer}'s options, each naming the option, what was expected
 * and what was received.
 */
import { assertCheckpointTarget } from './checkpoint-store.js';
import { ArgumentError, assertInteger, assertOneOf, assertOptionsObject, assertPositive, describeValue } from '@contrastive/core';
import { assertDataSource } from './data-source.js';
import { assertGradientCacheOptions, assertStagedStrategy } from './gradient-cache.js';
import { assertVariables } from './optimizer.js';
import type { TrainerCallbacks, TrainerOptions } from './trainer-types.js';

/** Every check of the options; throws ArgumentError naming the first bad one. */
export function assertTrainerOptions<S>(where: string, options: TrainerOptions<S>): void {
  assertOptionsObject(where, 'options', options);
  if (options === undefined) throw new ArgumentError(`${where}: argument 'options' is required`, { argument: 'options' });
  assertStrategyAndOptimizer(where, options);
  assertDataSource(where, 'options.data', options.data);
  assertInteger(where, 'options.epochs', options.epochs, 1);
  assertLearningRate(where, options.learningRate);
  if (options.seed !== undefined) assertInteger(where, 'options.seed', options.seed, Number.MIN_SAFE_INTEGER);
  if (options.clipGradNorm !== undefined) assertPositive(where, 'options.clipGradNorm', options.clipGradNorm);
  assertOneOf(where, 'options.onNonFinite', options.onNonFinite ?? 'throw', ['throw', 'skip'] as const);
  if (options.checkInputs !== false) assertOneOf(where, 'options.checkInputs', options.checkInputs ?? 'epoch', ['epoch', 'step'] as const);
  if (options.stepsPerEpoch !== undefined) assertInteger(where, 'options.stepsPerEpoch', options.stepsPerEpoch, 1);
  if (options.gradientCache !== undefined) {
    assertGradientCacheOptions(where, 'options.gradientCache', options.gradientCache);
    assertStagedStrategy(where, 'options.gradientCache', options.strategy);
  }
  assertCheckpointAndResume(where, options);
  if (options.metricsLog !== undefined && (typeof options.metricsLog !== 'string' || options.metricsLog.length === 0)) {
    throw new ArgumentError(`${where}: argument 'options.metricsLog' must be a file path, received ${describeValue(options.metricsLog)}`, {
      argument: 'options.metricsLog',
      received: options.metricsLog,
    });
  }
  assertCallbacks(where, options.callbacks);
}

function assertStrategyAndOptimizer<S>(where: string, options: TrainerOptions<S>): void {
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
  assertVariables(where, 'strategy.trainableVariables + strategy.nonTrainableVariables', [...strategy.trainableVariables, ...strategy.nonTrainableVariables]);
  if (strategy.trainableVariables.length === 0) {
    throw new ArgumentError(`${where}: argument 'options.strategy' has no trainable variables`, { argument: 'options.strategy.trainableVariables' });
  }
}

function assertLearningRate(where: string, lr: unknown): void {
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
}

function assertCheckpointAndResume<S>(where: string, options: TrainerOptions<S>): void {
  if (options.checkpoint !== undefined) {
    assertOptionsObject(where, 'options.checkpoint', options.checkpoint);
    assertCheckpointTarget(where, 'options.checkpoint.dir', options.checkpoint.dir);
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
}

const HOOKS = ['onRunStart', 'onEpochStart', 'onStepEnd', 'onEpochEnd', 'shouldStop', 'onRunEnd'] as const;

function assertCallbacks<S>(where: string, callbacks: TrainerCallbacks<S> | readonly TrainerCallbacks<S>[] | undefined): void {
  if (callbacks === undefined) return;
  const fail = (name: string, expected: string, received: unknown): never => {
    throw new ArgumentError(`${where}: argument '${name}' must be ${expected}, received ${describeValue(received)}`, { argument: name, expected, received });
  };
  const many = Array.isArray(callbacks);
  (many ? (callbacks as readonly unknown[]) : [callbacks as unknown]).forEach((c, i) => {
    const name = many ? `options.callbacks[${i}]` : 'options.callbacks';
    if (typeof c !== 'object' || c === null) return fail(name, `an object with any of ${HOOKS.join(', ')}`, c);
    for (const hook of HOOKS) {
      const f = (c as Record<string, unknown>)[hook];
      if (f !== undefined && typeof f !== 'function') fail(`${name}.${hook}`, 'a function', f);
    }
  });
}
