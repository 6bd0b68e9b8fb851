/**
 * @packageDocumentation
 * Contracts, seeded randomness, typed errors and argument checks shared by every
 * `@contrastive/*` package. No engine code lives here.
 */
export {
  ContrastiveError,
  ArgumentError,
  ShapeError,
  NonFiniteError,
  BackendError,
  MemoryLimitError,
  CheckpointError,
  DataFormatError,
  ConfigError,
  DisposedError,
  type ErrorCode,
  type ErrorDetails,
} from './errors.js';
export { describeValue, isTensorLike } from './describe-value.js';
export {
  assertFiniteNumber,
  assertPositive,
  assertNonNegative,
  assertInteger,
  assertProbability,
  assertInRange,
  assertRangePair,
  assertOneOf,
  assertTensor,
  assertShape,
  assertFloatTensor,
  assertFiniteTensor,
  assertOptionsObject,
} from './assert.js';
export { assertKnownKeys, closestKey } from './known-keys.js';
export { assertAllocation, availableMemoryBytes, setMemoryBudget, MAX_TENSOR_BYTES, type AllocationEstimate } from './memory-budget.js';
export { Rng, type RngState } from './rng.js';
export { isNodeRuntime, loadNodeOnly } from './platform.js';
export { shouldShowProgress, type ShowProgress, type MaybeTerminal } from './tty.js';
export type { ViewAugmenter } from './contracts/augmenter.js';
export type { ForwardOptions, TrainableModule, Encoder, ProjectionHead } from './contracts/module.js';
export type { LossInputs, ContrastiveLoss } from './contracts/loss.js';
export type { LabelledRows, NegativeSource, SerializedState } from './contracts/negatives.js';
export type { Strategy, StrategyStages, Batch, StepAux } from './contracts/strategy.js';
