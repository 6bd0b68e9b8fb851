/**
 * `trainExperiment`: the whole of `contrastive train` as one function. Reads the configured
 * dataset, checks the strategy can learn from it, and trains into the run directory.
 */
import type { RunConfig } from '../config.js';
import { assertTrainable, trainingSplit, type ExperimentData } from '../experiment-data.js';
import { logOf, type ExperimentIO } from '../experiment-io.js';
import { runDirOf } from './config-file.js';
import { loadExperimentData } from './datasets.js';
import { runTraining, type TrainingResult } from './training.js';

/** Options of {@link trainExperiment}. */
export interface TrainExperimentOptions extends ExperimentIO {
  readonly config: RunConfig;
  /** The run directory; default {@link runDirOf}(config). */
  readonly runDir?: string;
  /** Continue from the run's latest checkpoint. */
  readonly resume?: boolean;
  /** Delete a previous run in the directory first. */
  readonly overwrite?: boolean;
  /** Overrides `config.data.dir`. */
  readonly dataDir?: string | undefined;
  /** The engine in use, recorded in run.json (e.g. `'wasm+onednn'`). */
  readonly engine: string;
  /** Test images to read (default: what the kNN monitor needs). */
  readonly testLimit?: number;
  /** Data already read ({@link loadExperimentData}); then `dataDir` and `testLimit` are not used. */
  readonly data?: ExperimentData;
}

/** What {@link trainExperiment} returns; the caller disposes `training.parts`. */
export interface TrainExperimentResult {
  readonly runDir: string;
  readonly data: ExperimentData;
  readonly training: TrainingResult;
}

/**
 * Trains a run. See the module documentation.
 *
 * @example
 * ```ts
 * const config = parseConfig({ data: { dataset: 'fashionMnist', trainLimit: 2000 }, train: { maxSteps: 50, batchSize: 64 } });
 * const { training } = await trainExperiment({ config, runDir: 'runs/fm', engine: 'cpu', log: console.error });
 * training.parts.dispose();
 * ```
 */
export async function trainExperiment(o: TrainExperimentOptions): Promise<TrainExperimentResult> {
  const { config } = o;
  const log = logOf(o);
  const runDir = o.runDir ?? runDirOf(config);
  const monitorTest = config.monitor.enabled ? config.monitor.testSize : 1;
  const data = o.data ?? await loadExperimentData(config.data, {
    seed: config.seed,
    dirOverride: o.dataDir,
    testLimit: o.testLimit ?? monitorTest,
    log,
    ...(o.downloadProgressBar === undefined ? {} : { downloadProgressBar: o.downloadProgressBar }),
  });
  assertTrainable(config, data);
  log(`data: ${data.description}`);
  if (!data.labelled && config.monitor.enabled) log('kNN monitor: off (the images are unlabelled)');
  const training = await runTraining({
    config,
    runDir,
    train: trainingSplit(data),
    test: data.test,
    resume: o.resume === true,
    overwrite: o.overwrite === true,
    engine: o.engine,
    data: { dir: data.dir, source: data.source, labelled: data.labelled },
    log,
    ...(o.trainerProgress === undefined ? {} : { progress: o.trainerProgress }),
    ...(o.stop === undefined ? {} : { stop: o.stop }),
  });
  return { runDir, data, training };
}
