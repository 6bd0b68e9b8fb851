/**
 * `contrastive main`: the project's first command. SimCLR pretraining (Chen et al. 2020) of a
 * small CIFAR-stem ResNet-18 on CIFAR-10 sized for about ten minutes on a 2-core CPU, then kNN
 * (Wu et al. 2018, k = 200, τ = 0.1) and linear-probe accuracy on the CIFAR-10 test set next to
 * the same encoder with its initial random weights, and the HTML report. The last line reads
 * `result: knn pretrained=P random=R linear pretrained=P2 random=R2 wall=Ss`.
 */
import path from 'node:path';
import { buildEncoder } from '../build.js';
import { parseConfig, type RunConfig, type RunConfigInput } from '../config.js';
import { loadConfigFile, runDirOf } from '../config-file.js';
import { loadCifarSplits, startEngine, type CliIO } from '../context.js';
import { writeFileAtomic } from '@contrastive/core/node';
import { RUN_FILES } from '../run-dir.js';
import { runTraining } from '../training.js';
import { formatEvaluationTable, runEvaluation } from './eval.js';
import { writeRunReport } from './report.js';
import { displayPath } from '../display-path.js';

/**
 * The main job's configuration (also `examples/simclr-cifar10/config.yaml`). Sizing (measured on
 * the 2-core development machine on the wasm+onednn engine, see docs/cli/README.md): ResNet-18 at
 * width ×0.25 (16-32-64-128, CIFAR stem), batch 64, 1200 steps, AdamW and a cosine schedule, SimCLR's
 * CIFAR-10 augmentation (strength 0.5, no blur) and τ = 0.5.
 */
export const MAIN_CONFIG: RunConfigInput = {
  name: 'main',
  seed: 0,
  encoder: { kind: 'resnet', depth: 18, stem: 'cifar', widthMultiplier: 0.25 },
  head: { kind: 'mlp', outputDim: 128 },
  strategy: { name: 'simclr', temperature: 0.5 },
  augment: { recipe: 'simclr', strength: 0.5, blur: false, cropScale: [0.2, 1] },
  optimizer: { name: 'adamw', lr: 0.003, weightDecay: 1e-4 },
  schedule: { kind: 'cosine', warmupSteps: 20 },
  train: { epochs: 2, maxSteps: 1200, batchSize: 64 },
  checkpoint: { everySteps: 200, keep: 2 },
  monitor: { enabled: true, everySteps: 200, bankSize: 1000, testSize: 500 },
  eval: { bankSize: 10000, testSize: 10000, k: 200, temperature: 0.1, linear: { epochs: 100, lr: 1e-3, weightDecay: 1e-4, batchSize: 256 } },
  report: { mapPoints: 2000, previewImages: 8, previewViews: 6 },
};

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
  const e = config.encoder;
  const encoderText = e.kind === 'resnet' ? `ResNet-${e.depth} (${e.stem} stem, width x${e.widthMultiplier})` : `ConvNet ${e.widths.join('-')}`;
  io.err(`contrastive main: ${config.strategy.name} pretraining of ${encoderText} on CIFAR-10, then kNN and linear evaluation next to the same encoder with random weights`);
  const engine = await startEngine(options.engine, io.err);
  io.err(`engine: ${engine.description}`);
  const splits = await loadCifarSplits({ dataDir: options.dataDir, configDir: config.data.dir, download: config.data.download, trainLimit: config.data.trainLimit, io });
  const train = splits.train!;
  io.err(`data: ${splits.location.dir} (from ${splits.location.source}): ${train.length} training and ${splits.test.length} test images`);
  const steps = Math.min(config.train.maxSteps ?? Infinity, config.train.epochs * Math.floor(train.length / config.train.batchSize));
  const bankSize = Math.min(config.eval.bankSize, train.length);
  const testSize = Math.min(config.eval.testSize, splits.test.length);
  io.err(
    `sizing: ${steps} steps x ${config.train.batchSize} images = ${steps * config.train.batchSize} augmented pairs (${((steps * config.train.batchSize) / train.length).toFixed(2)} epochs); ` +
      `evaluation: kNN bank and linear-probe training set = ${bankSize} class-balanced training images, test = ${testSize === splits.test.length ? `all ${testSize}` : `the first ${testSize}`} test images; linear probe ${config.eval.linear.epochs} epochs (${config.eval.linear.optimizer})`,
  );

  const training = await runTraining({
    config,
    runDir,
    train,
    test: splits.test,
    resume: options.resume === true,
    overwrite: options.resume !== true,
    engine: engine.engine,
    data: { dir: splits.location.dir, source: splits.location.source },
    log: io.err,
    progress: io.progress,
    stop: io.stop,
  });
  const randomEncoder = buildEncoder(config.encoder, config.seed);
  try {
    if (!training.completed) {
      io.err(`stopped at step ${training.steps} of ${training.totalSteps}; continue with: contrastive main --resume${options.out === undefined ? '' : ` --out ${options.out}`}`);
      return 130;
    }
    io.err(`training: ${training.steps} steps in ${training.seconds.toFixed(1)} s (${training.imagesPerSecond.toFixed(1)} img/s after the first step)`);
    const result = await runEvaluation({
      encoder: training.parts.encoder,
      randomEncoder,
      config,
      train,
      test: splits.test,
      source: displayPath(path.join(runDir, RUN_FILES.encoder)),
      mapFile: path.join(runDir, RUN_FILES.map),
      io,
    });
    await writeFileAtomic(path.join(runDir, RUN_FILES.eval), `${JSON.stringify(result, null, 2)}\n`);
    const wall = performance.now() / 1000;
    const report = await writeRunReport(runDir, config, {
      notes: [
        `Main job: ${training.steps} SimCLR steps of ${config.train.batchSize} images on ${engine.description}; wall time ${wall.toFixed(0)} s.`,
        `Evaluation: ${result.pretrained.bankSize} class-balanced training images as kNN bank and linear-probe training set; ${result.pretrained.testSize} CIFAR-10 test images.`,
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
