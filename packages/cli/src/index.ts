/**
 * @packageDocumentation
 * The `contrastive` command line (train | eval | embed | preview | report | main) and the pieces
 * it is made of: the validated run configuration, the run directory, the evaluation on CIFAR-10,
 * the embeddings file format and the self-contained HTML report.
 */
export { runCli, describeError, EXIT, type RunCliOptions } from './program.js';
export {
  runConfigSchema,
  parseConfig,
  parseConfigText,
  loadConfigFile,
  runDirOf,
  recipeOf,
  type RunConfig,
  type RunConfigInput,
} from './config.js';
export { MAIN_CONFIG } from './commands/main.js';
export { buildEncoder, buildHead, buildAugmenter, buildRunParts, buildOptimizer, buildSchedule, peakLearningRate, type RunParts } from './build.js';
export { resolveCifar10, repositoryRoot, type ResolveCifar10Options, type ResolvedCifar10 } from './data-dir.js';
export { runTraining, runLength, trainingIdentity, type TrainingOptions, type TrainingResult } from './training.js';
export {
  evaluateEncoder,
  embedDataset,
  balancedIndices,
  type EncoderEvaluation,
  type EvaluateOptions,
  type EvaluationSettings,
  type EmbedDatasetOptions,
  type EmbeddedImages,
} from './evaluate.js';
export { RUN_FILES, loadEncoderFrom, readRunInfo, readRunConfig, type RunInfo, type LoadedEncoder } from './run-dir.js';
export { readMetrics, parseMetrics, type RunMetrics, type StepRecord, type KnnRecord, type EpochRecord } from './metrics.js';
export { renderReportHtml, type ReportInput, type EvalFile } from './report-html.js';
export { lineChartSvg, niceTicks, movingAverage, type ChartSeries, type LineChartOptions } from './svg-chart.js';
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
export { handleInterrupts, InterruptedError, type StopRequest } from './interrupt.js';
