/**
 * @packageDocumentation
 * The platform-neutral pieces of the `contrastive` command line: the validated run configuration
 * (schema, parsing of JSON/YAML text), parsing of a run's metrics log, and the SVG line charts of
 * the report. The command line itself (`runCli`, run directories, training, evaluation, the
 * embeddings file, the HTML report) is Node.js code in `@contrastive/cli/node`; the `contrastive`
 * binary runs it.
 */
export { runConfigSchema, parseConfig, parseConfigText, recipeOf, type RunConfig, type RunConfigInput } from './config.js';
export { parseMetrics, type RunMetrics, type StepRecord, type KnnRecord, type EpochRecord } from './metrics.js';
export { lineChartSvg, niceTicks, movingAverage, type ChartSeries, type LineChartOptions } from './svg-chart.js';
