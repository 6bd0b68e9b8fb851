/**
 * @packageDocumentation
 * `@contrastive/train/node`: the Node.js-only half of the trainer: checkpoints in a directory
 * ({@link fileCheckpointStore}; every path string given to `saveCheckpoint`, `readCheckpoint` or
 * the trainer uses it), the JSONL metrics log and the terminal progress bar, with their trainer
 * callbacks, and the recovery of a checkpoint directory after a crash ({@link recoverCheckpointRoot},
 * {@link findResumableCheckpoint} with its fallback to an earlier checkpoint). The main entry
 * `@contrastive/train` loads this module by itself when handed a path.
 */
export { fileCheckpointStore, openCheckpointPath } from './file-checkpoint-store.js';
export { MetricsLog } from './metrics-log.js';
export { TrainingProgress } from './progress.js';
export { metricsLogCallbacks, progressBarCallbacks } from './callbacks.js';
export {
  recoverCheckpointRoot,
  listCheckpoints,
  findResumableCheckpoint,
  type RecoveryReport,
  type FindResumableOptions,
  type ResumableCheckpoint,
} from './checkpoint-recovery.js';
