/**
 * @packageDocumentation
 * The experiment layer: a run as functions with typed inputs and results, no terminal and no
 * process assumptions (progress, logging and stop requests are injected). This entry is free of
 * `node:` imports: the validated run configuration (with its `data` section: CIFAR-10,
 * Fashion-MNIST / MNIST, image folders), building the parts from it, seeded splits, evaluating
 * an encoder (kNN, linear probe, alignment, uniformity, UMAP map) and rendering the HTML report.
 * Reading datasets and run directories from disk, training into a run directory and the
 * one-call `trainExperiment` / `evaluateExperiment` / `embedExperiment` / `reportExperiment` /
 * `previewExperiment` live in `@contrastive/experiment/node`. The `contrastive` command line is
 * a shell over both.
 */
export { runConfigSchema, parseConfig, parseConfigText, recipeOf, type RunConfig, type RunConfigInput } from './config.js';
export { atConfigKey } from './config-keys.js';
export { dataConfigSchema, inputShapeOf, datasetTitle, DATASET_KINDS, DEFAULT_TEST_FRACTION, type DataConfig, type InputShape } from './data-config.js';
export { buildEncoder, describeEncoder, buildHead, buildAugmenter, buildRunParts, buildOptimizer, buildSchedule, peakLearningRate, type RunParts } from './build.js';
export { projectedEncoder } from './projected-encoder.js';
export { seededSplit, seededSubset, toRgb, standardize } from './split.js';
export { isTabular, sampleShape, samplesBatch, disposeSamplesBatch, subsetSamples, samplesEpoch, type Samples, type SamplesBatch } from './samples.js';
export { assertTrainable, trainingSplit, type ExperimentData } from './experiment-data.js';
export { logOf, type ExperimentIO } from './experiment-io.js';
export { silentProgress, type Progress, type PhaseProgress } from './progress.js';
export { createStopController, stopPoint, InterruptedError, NEVER_STOP, type StopRequest, type StopController } from './stop.js';
export {
  evaluateEncoder,
  embedDataset,
  balancedIndices,
  prefixDataset,
  type EncoderEvaluation,
  type EvaluateOptions,
  type EvaluationSettings,
  type EmbedDatasetOptions,
  type EmbeddedImages,
} from './evaluate.js';
export { formatEvaluationTable } from './evaluation-table.js';
export { parseMetrics, type RunMetrics, type StepRecord, type KnnRecord, type EpochRecord } from './metrics.js';
export type { RunInfo } from './run-info.js';
export { createKnnMonitor, type KnnMonitor, type KnnMonitorOptions } from './knn-monitor.js';
export { renderReportHtml, type ReportInput, type EvalFile } from './report-html.js';
export { lineChartSvg, niceTicks, movingAverage, escapeXml, type ChartSeries, type LineChartOptions } from './svg-chart.js';
