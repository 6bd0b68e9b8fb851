/**
 * @packageDocumentation
 * Node side of `@contrastive/sweep`: the sweep directory (prepare, plan on disk, results),
 * running one cell (`runCell`), the executor contract with the local worker-process executor,
 * running a sweep and collecting its results (sweep.json, results.csv, results.md,
 * comparison.html). The Redis/BullMQ executor lives in `./queue/`.
 */
export { prepareSweep, readSweepPlan, sweepHash, canonicalJson, type PrepareSweepOptions } from './prepare-sweep.js';
export { SWEEP_FILES, CELL_FILES, DEFAULT_SWEEPS_DIR, cellDir, readCellResult, readCellFailure } from './sweep-dir.js';
export { runCell, findCell, CellBusyError, type RunCellOptions } from './run-cell.js';
export { ensureEngine, CELL_ENGINES } from './engine.js';
export type { CellExecutor, CellExecutorInput } from './executor.js';
export { localExecutor, describeEvent, workerCommand, type LocalExecutorOptions } from './local-executor.js';
export { defaultWorkerCount, estimateCellBytes, WORKER_BASE_BYTES } from './worker-count.js';
export { runSweep, type RunSweepOptions, type RunSweepOutcome } from './run-sweep.js';
export { collectSweep, type CollectedSweep } from './collect-sweep.js';
export { comparisonHtml, vegaLiteSvg, type ComparisonInput } from './comparison-html.js';
export type { ToWorker, FromWorker } from './worker-protocol.js';
// The neutral entry's types, for Node code that imports only this subpath.
export type { CellResult, CellProgress, CellEvent, CellFailure, CellPlan, SweepPlan, EvaluationPlan, SweepSummary } from '../index.js';
// The distributed mode: Redis/BullMQ executor and workers.
export * from './queue/index.js';
