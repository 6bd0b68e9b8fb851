/**
 * @packageDocumentation
 * `@contrastive/cli/node`: the `contrastive` command line (train | eval | embed | preview | report |
 * main) and the Node.js pieces it is made of: the run directory, config files, training and
 * evaluation on CIFAR-10, the embeddings file format, the self-contained HTML report, interrupt
 * handling. The platform-neutral pieces (the configuration schema, metrics parsing, SVG charts)
 * are in `@contrastive/cli`.
 */
export { runCli, describeError, EXIT, type RunCliOptions } from '../program.js';
export { loadConfigFile, runDirOf } from '../config-file.js';
export { readMetrics } from '../metrics-file.js';
export { MAIN_CONFIG } from '../commands/main.js';
export { buildEncoder, buildHead, buildAugmenter, buildRunParts, buildOptimizer, buildSchedule, peakLearningRate, type RunParts } from '../build.js';
export { resolveCifar10, repositoryRoot, type ResolveCifar10Options, type ResolvedCifar10 } from '../data-dir.js';
export { runTraining, runLength, trainingIdentity, type TrainingOptions, type TrainingResult } from '../training.js';
export {
  evaluateEncoder,
  embedDataset,
  balancedIndices,
  type EncoderEvaluation,
  type EvaluateOptions,
  type EvaluationSettings,
  type EmbedDatasetOptions,
  type EmbeddedImages,
} from '../evaluate.js';
export { RUN_FILES, loadEncoderFrom, readRunInfo, readRunConfig, type RunInfo, type LoadedEncoder } from '../run-dir.js';
export { renderReportHtml, type ReportInput, type EvalFile } from '../report-html.js';
export {
  writeEmbeddings,
  readEmbeddings,
  encodeNpy,
  decodeNpy,
  labelsNpyPath,
  EMBEDDINGS_MAGIC,
  type Embeddings,
  type EmbeddingsHeader,
} from '../embeddings-file.js';
export { handleInterrupts, InterruptedError, type StopRequest } from '../interrupt.js';
