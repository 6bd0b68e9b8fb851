/**
 * `contrastive main`: the project's first command. SimCLR pretraining (Chen et al. 2020) of a
 * small CIFAR-stem ResNet-18 on CIFAR-10 sized for about ten minutes on a 2-core CPU, then kNN
 * (Wu et al. 2018, k = 200, τ = 0.1) and linear-probe accuracy on the CIFAR-10 test set next to
 * the same encoder with its initial random weights, and the HTML report. The last line reads
 * `result: knn pretrained=P random=R linear pretrained=P2 random=R2 wall=Ss`.
 */
import path from 'node:path';
import { buildEncoder, describeEncoder, formatEvaluationTable, parseConfig, sampleShape, trainingSplit, type RunConfig } from '@contrastive/experiment';
import { RUN_FILES, displayPath, evaluateAndSave, loadConfigFile, loadExperimentData, runDirOf, trainExperiment, writeRunReport } from '@contrastive/experiment/node';
import { experimentIO, startEngine, type CliIO } from '../context.js';
import { MAIN_CONFIG } from '../main-config.js';

export { MAIN_CONFIG };

/** Options of {@link mainCommand}. */
export interface MainCommandOptions {
  readonly dataDir?: string;
  readonly out?: string;
  /** Use this configuration file instead of {@link MAIN_CONFIG}. */
  readonly config?: string;
  /** Overrides `train.maxSteps`. */
  readonly steps?: number;
  /** Overrides `eval.bankSize`. */
  readonly bankSize?: number;
  /** Overrides `eval.testSize`. */
  readonly testSize?: number;
  /** Continue an interrupted main run instead of starting over. */
  readonly resume?: boolean;
  /** With `resume`: fall back to the newest earlier complete checkpoint if the latest is broken. */
  readonly fallback?: boolean;
  readonly engine?: string;
}

const fraction = (v: number): string => v.toFixed(4);

/** Runs the main job; returns the exit status. */
export async function mainCommand(options: MainCommandOptions, io: CliIO): Promise<number> {
  let config: RunConfig = options.config === undefined ? parseConfig(MAIN_CONFIG, 'main configuration') : await loadConfigFile(options.config);
  if (options.steps !== undefined) config = { ...config, train: { ...config.train, maxSteps: options.steps } };
  if (options.bankSize !== undefined) config = { ...config, eval: { ...config.eval, bankSize: options.bankSize } };
  if (options.testSize !== undefined) config = { ...config, eval: { ...config.eval, testSize: options.testSize } };
  if (options.out !== undefined) config = { ...config, outDir: options.out };
  const runDir = runDirOf(config);
  io.err(`contrastive main: ${config.strategy.name} pretraining of ${describeEncoder(config.encoder)} on ${config.data.dataset}, then kNN and linear evaluation next to the same encoder with random weights`);
  const engine = await startEngine(options.engine, io.err);
  io.err(`engine: ${engine.description}`);
  const data = await loadExperimentData(config.data, { seed: config.seed, dirOverride: options.dataDir, testLimit: config.eval.testSize, log: io.err });
  const train = trainingSplit(data);
  const steps = Math.min(config.train.maxSteps ?? Infinity, config.train.epochs * Math.floor(train.length / config.train.batchSize));
  const bankSize = Math.min(config.eval.bankSize, train.length);
  const testSize = Math.min(config.eval.testSize, data.test.length);
  io.err(
    `sizing: ${steps} steps x ${config.train.batchSize} images = ${steps * config.train.batchSize} augmented pairs (${((steps * config.train.batchSize) / train.length).toFixed(2)} epochs); ` +
      `evaluation: kNN bank and linear-probe training set = ${bankSize} class-balanced training images, test = ${testSize === data.test.length ? `all ${testSize}` : `the first ${testSize}`} test images; linear probe ${config.eval.linear.epochs} epochs (${config.eval.linear.optimizer})`,
  );
  const { training } = await trainExperiment({
    ...experimentIO(io),
    config,
    runDir,
    resume: options.resume === true,
    overwrite: options.resume !== true,
    fallback: options.fallback === true,
    engine: engine.engine,
    data,
  });
  const randomEncoder = buildEncoder(config, sampleShape(train));
  try {
    if (!training.completed) {
      io.err(`stopped at step ${training.steps} of ${training.totalSteps}; continue with: contrastive main --resume${options.out === undefined ? '' : ` --out ${options.out}`}`);
      return 130;
    }
    io.err(`training: ${training.steps} steps in ${training.seconds.toFixed(1)} s (${training.imagesPerSecond.toFixed(1)} img/s after the first step)`);
    const outcome = await evaluateAndSave({
      ...experimentIO(io),
      encoder: training.parts.encoder,
      randomEncoder,
      config,
      data,
      source: displayPath(path.join(runDir, RUN_FILES.encoder)),
      runDir,
    });
    if (!outcome.evaluated) {
      io.out(outcome.note);
      io.out(`report: ${displayPath(await writeRunReport(runDir, config, {}))}`);
      return 0;
    }
    const result = outcome.file;
    const wall = performance.now() / 1000;
    const report = await writeRunReport(runDir, config, {
      notes: [
        `Main job: ${training.steps} SimCLR steps of ${config.train.batchSize} images on ${engine.description}; wall time ${wall.toFixed(0)} s.`,
        `Evaluation: ${result.pretrained.bankSize} class-balanced training images as kNN bank and linear-probe training set; ${result.pretrained.testSize} test images of ${config.data.dataset}.`,
      ],
    });
    for (const line of formatEvaluationTable(result)) io.out(line);
    io.out(`report: ${displayPath(report)}`);
    const r = result.random!;
    io.out(
      `result: knn pretrained=${fraction(result.pretrained.knn)} random=${fraction(r.knn)} linear pretrained=${fraction(result.pretrained.linear)} random=${fraction(r.linear)} wall=${Math.round(performance.now() / 1000)}s`,
    );
    return 0;
  } finally {
    randomEncoder.dispose();
    training.parts.dispose();
  }
}
