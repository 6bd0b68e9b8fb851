/**
 * @packageDocumentation
 * The training loop of the contrastive packages: {@link Trainer}/{@link train} over any core
 * `Strategy`; optimizers with explicit, checkpointable state (SGD with momentum, LARS, AdamW);
 * linear warmup + cosine schedule and batch-size learning-rate scaling; gradient clipping;
 * callbacks; atomic, verified checkpoints in any {@link CheckpointStore} (memory, IndexedDB, or a
 * directory through `@contrastive/train/node`, which also holds the terminal progress bar and the
 * JSONL metrics log) that resume bit for bit; a gradient cache for large contrastive batches in small memory.
 */
export { Trainer, train, type TrainerOptions, type TrainerCallbacks, type RunningTrainer, type StepInfo, type EpochInfo, type TrainSummary, type CheckpointOptions } from './trainer.js';
export { checkpointCallbacks } from './default-callbacks.js';
export type { DataSource, BatchIterable } from './data-source.js';
export {
  createOptimizer,
  isBiasOrNormVariable,
  excludeNothing,
  type Optimizer,
  type OptimizerState,
  type OptimizerDefinition,
  type VariableUpdateInput,
  type VariableUpdateOutput,
  type GradientMap,
  type VariablePredicate,
  type Hyperparameters,
} from './optimizer.js';
export { sgd, type SgdOptions } from './sgd.js';
export { lars, type LarsOptions } from './lars.js';
export { adamw, type AdamWOptions } from './adamw.js';
export { constantLr, warmupCosine, scaleLearningRate, type LearningRateSchedule, type WarmupCosineOptions, type ScaleLearningRateOptions } from './schedule.js';
export { globalNorm, globalNormTensor, clipByGlobalNorm } from './clip.js';
export { readStep, type StepReadings } from './step-readings.js';
export {
  saveCheckpoint,
  readCheckpoint,
  latestCheckpoint,
  resolveCheckpoint,
  checkWeights,
  restoreVariables,
  checkpointName,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type CheckpointContents,
  type CheckpointManifest,
  type CheckpointTensorEntry,
  type CheckpointGroup,
  type LoadedCheckpoint,
  type SaveCheckpointOptions,
} from './checkpoint.js';
export { memoryCheckpointStore, isCheckpointStore, type CheckpointStore } from './checkpoint-store.js';
export { indexedDbCheckpointStore, type IndexedDbCheckpointStoreOptions } from './indexeddb-checkpoint-store.js';
export { failpoint, FAILPOINTS, type FailpointName } from './failpoint.js';
export { configFingerprint, canonicalJson } from './fingerprint.js';
export { formatMetric, type ProgressBarOptions, type ProgressStream, type ProgressValues } from './progress-options.js';
export { computeLossAndGradients, disposeLossAndGradients, type LossAndGradients } from './step.js';
export { computeLossAndGradientsCached, type GradientCacheOptions } from './gradient-cache.js';
