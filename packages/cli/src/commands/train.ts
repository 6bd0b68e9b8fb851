/**
 * `contrastive train --config <file>`: trains the configured strategy on CIFAR-10 into a run
 * directory (checkpoints, metrics log, augmentation preview, saved encoder). Ctrl-C stops after
 * the current step with a checkpoint (exit status 130); `--resume` continues from it.
 */
import path from 'node:path';
import type { RunConfig } from '../config.js';
import { loadConfigFile, runDirOf } from '../config-file.js';
import { loadCifarSplits, startEngine, type CliIO } from '../context.js';
import { runTraining } from '../training.js';
import { displayPath } from '../display-path.js';

/** Options of {@link trainCommand} (the command's flags). */
export interface TrainCommandOptions {
  readonly config: string;
  readonly dataDir?: string;
  readonly out?: string;
  readonly resume?: boolean;
  readonly overwrite?: boolean;
  readonly engine?: string;
  /** Overrides `train.maxSteps` (e.g. a quick try of a configuration). */
  readonly steps?: number;
}

/** Runs `contrastive train`; returns the exit status. */
export async function trainCommand(options: TrainCommandOptions, io: CliIO): Promise<number> {
  let config: RunConfig = await loadConfigFile(options.config);
  if (options.steps !== undefined) config = { ...config, train: { ...config.train, maxSteps: options.steps } };
  if (options.out !== undefined) config = { ...config, outDir: options.out };
  const runDir = runDirOf(config);
  const engine = await startEngine(options.engine, io.err);
  io.err(`engine: ${engine.description}`);
  const splits = await loadCifarSplits({
    dataDir: options.dataDir,
    configDir: config.data.dir,
    download: config.data.download,
    trainLimit: config.data.trainLimit,
    testLimit: config.monitor.enabled ? config.monitor.testSize : 1,
    io,
  });
  const train = splits.train!;
  io.err(`data: ${splits.location.dir} (from ${splits.location.source}): ${train.length} training images`);
  const result = await runTraining({
    config,
    runDir,
    train,
    test: splits.test,
    resume: options.resume === true,
    overwrite: options.overwrite === true,
    engine: engine.engine,
    data: { dir: splits.location.dir, source: splits.location.source },
    log: io.err,
    progress: io.progress,
    stop: io.stop,
  });
  result.parts.dispose();
  const rel = displayPath(runDir);
  const rate = result.imagesPerSecond > 0 ? `, ${result.imagesPerSecond.toFixed(1)} img/s` : '';
  if (!result.completed) {
    io.err(`stopped at step ${result.steps} of ${result.totalSteps}; checkpoint ${result.lastCheckpoint === null ? '(none)' : displayPath(result.lastCheckpoint)}`);
    io.err(`continue with: contrastive train --config ${options.config}${options.out === undefined ? '' : ` --out ${options.out}`} --resume`);
    return 130;
  }
  const lastKnn = result.knn[result.knn.length - 1];
  if (result.sessionSteps === 0) {
    io.out(`the run was already complete (${result.steps} of ${result.totalSteps} steps); nothing to train`);
    io.out(`run: ${rel}`);
    return 0;
  }
  io.out(
    `trained ${result.steps} steps in ${result.seconds.toFixed(1)} s${rate}; last loss ${result.lastLoss.toFixed(4)}${lastKnn === undefined ? '' : `; kNN monitor ${(lastKnn.accuracy * 100).toFixed(2)}%`}`,
  );
  io.out(`run: ${rel} (encoder: ${path.join(rel, 'encoder')}; next: contrastive eval ${rel} && contrastive report ${rel})`);
  return 0;
}
