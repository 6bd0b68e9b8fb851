/**
 * Running one cell of a sweep: training its configuration into `cells/<id>/` (a normal run
 * directory, so `contrastive report` and `contrastive eval` work on it), evaluating the trained
 * encoder once per evaluation of the plan, and writing `result.json` atomically. Idempotent
 * (a finished cell's result is returned as it is) and resumable (an interrupted cell continues
 * from its latest checkpoint). Needs only the sweep directory and the cell id: the plan is read
 * from disk, so any process can run any cell.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { ArgumentError, ContrastiveError, type Encoder } from '@contrastive/core';
import { writeFileAtomic } from '@contrastive/core/node';
import { InterruptedError, createStopController, projectedEncoder, trainingSplit, type RunConfig, type RunParts } from '@contrastive/experiment';
import { RUN_FILES, acquireRunLock, readMetrics, runEvaluation, trainExperiment } from '@contrastive/experiment/node';
import type { CellFailure, CellProgress, CellResult } from '../cell-result.js';
import { evaluationConfig } from '../expand-cells.js';
import { METRIC_OF } from '../metric-names.js';
import type { CellPlan, SweepPlan } from '../plan.js';
import type { Measure } from '../sweep-spec.js';
import { ensureEngine } from './engine.js';
import { readSweepPlan } from './prepare-sweep.js';
import { CELL_FILES, cellDir, readCellResult, readJsonIfExists } from './sweep-dir.js';

/** Options of {@link runCell}. */
export interface RunCellOptions {
  /** Stops the cell after the current training step (with a checkpoint) or between evaluation phases; the promise rejects with an `InterruptedError`. */
  readonly signal?: AbortSignal;
  /** Called as training advances (about every 5% of the run) and when evaluation starts. */
  readonly onProgress?: (p: CellProgress) => void;
  /** The compute engine (see `CELL_ENGINES`; default `auto`), started once per process. */
  readonly engine?: string;
  /** Overrides the configuration's `data.dir`. */
  readonly dataDir?: string;
  /** Also receives the cell's log lines (they always go to `cells/<id>/cell.log`). */
  readonly log?: (line: string) => void;
}

/**
 * A cell another live process is running (it holds `cells/<id>/.cell/.lock`). Nothing of the
 * cell is touched; `argument` is `'cellId'`.
 */
export class CellBusyError extends ContrastiveError {
  constructor(message: string, cellId: string, cause: unknown) {
    super('CONFIG', message, { argument: 'cellId', received: cellId, expected: 'a cell no other process is running', cause });
  }
}

/** `attempts.json`: how often a cell was started and the wall time it has taken so far. */
interface Attempts {
  readonly attempts: number;
  readonly seconds: number;
}

const STEP_LINE = /^step (\d+)\/(\d+) .*?loss (\S+)/;
const RESUMED_LINE = /\(step (\d+) of (\d+)\)$/;
const TRAINING_LINE = /^training .*: (\d+) steps of/;

/** The metric values one evaluation gives for the measures asked for. */
function measured(measure: readonly Measure[], prefix: string, e: { knn: number; linear: number; alignment: number | null; uniformity: number }): Record<string, number | null> {
  const value: Record<Measure, number | null> = { knn: e.knn, linear: e.linear, alignment: e.alignment, uniformity: e.uniformity };
  return Object.fromEntries(measure.map((m) => [prefix === '' ? METRIC_OF[m] : `${prefix}/${METRIC_OF[m]}`, Number.isFinite(value[m]) ? value[m] : null]));
}

/** The cell of `plan` named `cellId`, or an ArgumentError listing a few. */
export function findCell(plan: SweepPlan, cellId: string): CellPlan {
  const cell = plan.cells.find((c) => c.id === cellId);
  if (cell === undefined) {
    const some = plan.cells.slice(0, 5).map((c) => c.id);
    throw new ArgumentError(`sweep ${plan.name} has no cell ${cellId}; its cells are ${some.join(', ')}${plan.cells.length > 5 ? `, ... (${plan.cells.length})` : ''}`, {
      argument: 'cellId',
      received: cellId,
      expected: 'a cell id of the plan',
    });
  }
  return cell;
}

/**
 * The encoder an evaluation measures: the trained encoder's h, or with `eval.representation:
 * projection` the projection z = g(h) through the trained head (SimCLR Figure 8). The parts stay
 * owned by the caller: disposing the returned view frees nothing.
 */
function evaluatedEncoder(parts: RunParts, config: RunConfig): Encoder {
  if (config.eval.representation !== 'projection') return parts.encoder;
  const z = projectedEncoder(parts.encoder, parts.head);
  return {
    name: z.name,
    outputDim: z.outputDim,
    get trainableVariables() {
      return z.trainableVariables;
    },
    get nonTrainableVariables() {
      return z.nonTrainableVariables;
    },
    apply: (x, options) => z.apply(x, options),
    dispose() {},
  };
}

/** The evaluation configuration of a cell: a linear probe that is not measured runs one epoch only. */
function evaluationRunConfig(cell: CellPlan, plan: SweepPlan, index: number): RunConfig {
  const config = evaluationConfig(cell.id, cell.config, plan.evaluations[index]!);
  if (plan.measure.includes('linear')) return config;
  return { ...config, eval: { ...config.eval, linear: { ...config.eval.linear, epochs: 1 } } };
}

/**
 * Runs one cell. See the module documentation.
 *
 * @example
 * ```ts
 * const result = await runCell('runs/sweeps/temperature', 'temperature=0.1.seed=0', { engine: 'cpu' });
 * result.metrics['knn.top1'];
 * ```
 */
export async function runCell(sweepDir: string, cellId: string, options: RunCellOptions = {}): Promise<CellResult> {
  const plan = await readSweepPlan(sweepDir);
  const cell = findCell(plan, cellId);
  const dir = cellDir(sweepDir, cellId);
  const existing = await readCellResult(sweepDir, cellId);
  if (existing !== undefined) return existing;
  if (options.signal?.aborted === true) throw new InterruptedError(`cell ${cellId} was stopped before it started`);
  await mkdir(path.join(dir, CELL_FILES.lockDir), { recursive: true });
  // One process per cell for the whole of it (training holds the run's own lock; evaluation and result.json are covered here).
  const lock = await acquireRunLock(path.join(dir, CELL_FILES.lockDir)).catch((e: unknown) => {
    throw new CellBusyError(`cell ${cellId} of sweep ${plan.name} is being run by another process: ${e instanceof Error ? e.message.split(';')[0] : String(e)}`, cellId, e);
  });
  try {
    const done = await readCellResult(sweepDir, cellId);
    if (done !== undefined) return done;
    return await runCellLocked(plan, cell, dir, options);
  } finally {
    await lock.release();
  }
}

/** {@link runCell} once the cell's lock is held. */
async function runCellLocked(plan: SweepPlan, cell: CellPlan, dir: string, options: RunCellOptions): Promise<CellResult> {
  const cellId = cell.id;
  const logFile = path.join(dir, CELL_FILES.log);
  const attemptsFile = path.join(dir, CELL_FILES.attempts);
  const previous = (await readJsonIfExists<Attempts>(attemptsFile)) ?? { attempts: 0, seconds: 0 };
  const attempts = previous.attempts + 1;
  await writeFileAtomic(attemptsFile, `${JSON.stringify({ attempts, seconds: previous.seconds })}\n`);
  const started = performance.now();
  let totalSteps = 0;
  let pendingLog = Promise.resolve();
  const log = (line: string): void => {
    options.log?.(line);
    pendingLog = pendingLog.then(() => appendFile(logFile, `${new Date().toISOString()} ${line}\n`)).catch(() => undefined);
    const step = STEP_LINE.exec(line);
    if (step !== null) {
      totalSteps = Number(step[2]);
      options.onProgress?.({ cellId, phase: 'train', step: Number(step[1]), totalSteps, loss: Number(step[3]) });
      return;
    }
    const resumed = RESUMED_LINE.exec(line) ?? null;
    if (resumed !== null && line.startsWith('resumed')) {
      totalSteps = Number(resumed[2]);
      options.onProgress?.({ cellId, phase: 'train', step: Number(resumed[1]), totalSteps });
    }
    const training = TRAINING_LINE.exec(line);
    if (training !== null) totalSteps = Number(training[1]);
  };
  const stop = createStopController();
  const onAbort = (): void => stop.request('abort');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  log(`cell ${cellId}, attempt ${attempts}`);
  try {
    const engine = await ensureEngine(options.engine);
    log(`engine: ${engine}`);
    const evalConfigs = plan.evaluations.map((_, i) => evaluationRunConfig(cell, plan, i));
    const testLimit = Math.max(...evalConfigs.map((c) => c.eval.testSize), cell.config.monitor.enabled ? cell.config.monitor.testSize : 1);
    const resume = existsSync(path.join(dir, RUN_FILES.checkpoints)) || existsSync(path.join(dir, RUN_FILES.metrics));
    const { training, data } = await trainExperiment({
      config: cell.config,
      runDir: dir,
      resume,
      fallback: true,
      engine,
      dataDir: options.dataDir,
      testLimit,
      stop,
      log,
      trainerProgress: { show: false },
    });
    const metrics: Record<string, number | null> = {};
    try {
      if (!training.completed) throw new InterruptedError(`cell ${cellId} stopped at step ${training.steps} of ${training.totalSteps} (checkpoint ${training.lastCheckpoint ?? 'none'})`);
      options.onProgress?.({ cellId, phase: 'eval', step: training.steps, totalSteps: training.totalSteps });
      for (const [i, evaluation] of plan.evaluations.entries()) {
        if (!data.labelled) {
          Object.assign(metrics, measured(plan.measure, evaluation.name, { knn: Number.NaN, linear: Number.NaN, alignment: null, uniformity: Number.NaN }));
          continue;
        }
        const config = evalConfigs[i]!;
        const { file } = await runEvaluation({
          encoder: evaluatedEncoder(training.parts, config),
          config,
          train: trainingSplit(data),
          test: data.test,
          source: config.eval.representation === 'projection' ? `${dir} (projection z = g(h))` : dir,
          map: false,
          log,
          stop,
        });
        await writeFileAtomic(path.join(dir, evaluation.name === '' ? RUN_FILES.eval : `eval.${evaluation.name}.json`), `${JSON.stringify(file, null, 2)}\n`);
        Object.assign(metrics, measured(plan.measure, evaluation.name, file.pretrained));
      }
    } finally {
      training.parts.dispose();
    }
    const steps = (await readMetrics(path.join(dir, RUN_FILES.metrics))).steps;
    const last = steps[steps.length - 1];
    const result: CellResult = {
      format: 'contrastive-sweep-cell',
      version: 1,
      cellId,
      metrics,
      finalLoss: last === undefined || !Number.isFinite(last.loss) ? null : last.loss,
      steps: training.steps,
      totalSteps: training.totalSteps,
      wallSeconds: previous.seconds + (performance.now() - started) / 1000,
      attempts,
      engine,
      finished: new Date().toISOString(),
    };
    await writeFileAtomic(path.join(dir, CELL_FILES.result), `${JSON.stringify(result, null, 2)}\n`);
    await rm(path.join(dir, CELL_FILES.failure), { force: true });
    log(`finished: ${Object.entries(metrics).map(([k, v]) => `${k} ${v === null ? '–' : v.toFixed(4)}`).join(', ')}`);
    return result;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    log(`${e instanceof InterruptedError ? 'interrupted' : 'failed'}: ${message}`);
    if (!(e instanceof InterruptedError)) {
      const failure: CellFailure = { format: 'contrastive-sweep-cell-failure', cellId, error: message, attempts, time: new Date().toISOString() };
      await writeFileAtomic(path.join(dir, CELL_FILES.failure), `${JSON.stringify(failure, null, 2)}\n`).catch(() => undefined);
    }
    throw e;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await writeFileAtomic(attemptsFile, `${JSON.stringify({ attempts, seconds: previous.seconds + (performance.now() - started) / 1000 })}\n`).catch(() => undefined);
    await pendingLog;
  }
}
