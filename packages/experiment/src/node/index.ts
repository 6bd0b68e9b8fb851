/**
 * `@contrastive/experiment/node`: the Node.js part of the experiment layer. Datasets on disk
 * by their `data` configuration, configuration files, run directories (config.json, run.json,
 * checkpoints, metrics, encoder, eval.json, map, report), training into a run directory, the
 * embeddings file format, and one function per command: `trainExperiment`, `evaluateExperiment`,
 * `embedExperiment`, `reportExperiment`, `previewExperiment`.
 */
export { loadConfigFile, runDirOf } from './config-file.js';
export { makeRunDir } from './make-run-dir.js';
export { acquireRunLock, LOCK_FILE } from './run-lock.js';
export { loadExperimentData, type LoadExperimentDataOptions } from './datasets.js';
export { resolveCifar10, repositoryRoot, type ResolveCifar10Options, type ResolvedCifar10 } from './data-dir.js';
export {
  RUN_FILES,
  ENCODER_CHECKPOINT_PREFIX,
  loadEncoderFrom,
  readRunInfo,
  readRunConfig,
  writeRunInfo,
  isRunDir,
  assertSourceExists,
  type RunInfo,
  type LoadedEncoder,
} from './run-dir.js';
export { runTraining, runLength, trainingIdentity, clearRun, type TrainingOptions, type TrainingResult } from './training.js';
export { readMetrics, parseMetrics, type RunMetrics, type StepRecord, type KnnRecord, type EpochRecord } from './metrics.js';
export {
  writeEmbeddings,
  readEmbeddings,
  encodeNpy,
  decodeNpy,
  labelsNpyPath,
  EMBEDDINGS_MAGIC,
  type Embeddings,
  type EmbeddingsHeader,
} from './embeddings-file.js';
export { displayPath } from './display-path.js';
export { trainExperiment, type TrainExperimentOptions, type TrainExperimentResult } from './train-experiment.js';
export {
  evaluateExperiment,
  evaluateAndSave,
  UNLABELLED_NOTE,
  type EvaluateExperimentOptions,
  type EvaluateExperimentResult,
  type EvaluateAndSaveOptions,
  type EvaluationOutcome,
  type EvalOverrides,
} from './evaluate-experiment.js';
export { embedExperiment, type EmbedExperimentOptions, type EmbedExperimentResult } from './embed-experiment.js';
export { reportExperiment, writeRunReport, type ReportExperimentOptions } from './report-experiment.js';
export { previewExperiment, type PreviewExperimentOptions, type PreviewExperimentResult } from './preview-experiment.js';
export { runEvaluation, embeddingMapPng, type RunEvaluationOptions, type RunEvaluationResult } from './evaluate-run.js';
