/**
 * @packageDocumentation
 * Research sweeps (issue 17): a sweep file names configuration keys and their values (a grid,
 * named variants, seeded random samples, repeats over seeds) and what to measure; every cell is
 * a normal run. This entry is platform-neutral: the sweep file, expanding it into cells, the
 * plan, and the result tables. Running cells (the sweep directory, local worker processes, the
 * comparison page) lives in `@contrastive/sweep/node`.
 */
export { parseSweepSpec, sweepSpecSchema, MEASURES, type Measure, type SweepSpec, type SweepSpecInput, type RandomDimension } from './sweep-spec.js';
export { deepMerge, dottedToObject, valueAtKey, diffLeaves, flattenLeaves, isPlainObject } from './merge.js';
export {
  expandCells,
  expandPoints,
  cellInput,
  resolveCellConfig,
  evaluationsOf,
  evaluationConfig,
  sanitizeId,
  shortLabels,
  BASE_VARIANT,
} from './expand-cells.js';
export { planSweep } from './plan-sweep.js';
export type { CellPlan, EvaluationPlan, SweepPlan } from './plan.js';
export type { CellResult, CellProgress, CellEvent, CellFailure } from './cell-result.js';
export { METRIC_OF, metricNames, lowerIsBetter } from './metric-names.js';
export { summarizeSweep, seedStats, type SweepSummary, type CellSummary, type GroupSummary, type SeedStats, type CellStatus } from './summarize.js';
export { resultsCsv, resultsMarkdown, formatMetric, formatStats } from './results-table.js';
