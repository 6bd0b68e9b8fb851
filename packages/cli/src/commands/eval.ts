/**
 * `contrastive eval <source>`: kNN (Wu et al. 2018) and linear-probe (Chen et al. 2020, §4)
 * accuracy of a saved encoder, a run or a checkpoint on the CIFAR-10 test set, optionally next to
 * the same encoder with its initial random weights; writes `eval.json` and the UMAP embedding map
 * into the run directory.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, Rng, type Encoder } from '@contrastive/core';
import { subsetDataset, type ImageDataset } from '@contrastive/data';
import { embedding2d } from '@contrastive/eval';
import { renderScatterPng } from '@contrastive/eval/node';
import { writeFileAtomic } from '@contrastive/core/node';
import { buildAugmenter, buildEncoder } from '../build.js';
import { parseConfig, type RunConfig } from '../config.js';
import { loadCifarSplits, startEngine, type CliIO } from '../context.js';
import { balancedIndices, evaluateEncoder, type EncoderEvaluation } from '../evaluate.js';
import { startProgress } from '../progress.js';
import type { EvalFile } from '../report-html.js';
import { RUN_FILES, assertSourceExists, loadEncoderFrom } from '../run-dir.js';
import { displayPath } from '../display-path.js';

/** Options of {@link runEvaluation}. */
export interface RunEvaluationOptions {
  readonly encoder: Encoder;
  /** The same architecture with random weights; evaluated second when given. */
  readonly randomEncoder?: Encoder | undefined;
  readonly config: RunConfig;
  readonly train: ImageDataset;
  readonly test: ImageDataset;
  readonly source: string;
  /** Write the UMAP map of the pretrained test representations here (PNG). */
  readonly mapFile?: string | undefined;
  readonly io: CliIO;
}

/** A two-column text table of the evaluation. */
export function formatEvaluationTable(e: EvalFile): string[] {
  const rows: [string, (x: EncoderEvaluation) => string][] = [
    [`kNN top-1 (k=${String(e.settings['k'])}, tau=${String(e.settings['temperature'])})`, (x) => x.knn.toFixed(4)],
    ['linear probe top-1', (x) => x.linear.toFixed(4)],
    ['linear probe train accuracy', (x) => x.linearTrain.toFixed(4)],
    ['alignment (lower is better)', (x) => (x.alignment === null ? '-' : x.alignment.toFixed(3))],
    ['uniformity (lower is better)', (x) => x.uniformity.toFixed(3)],
    ['seconds', (x) => x.seconds.toFixed(1)],
  ];
  const cols: [string, EncoderEvaluation][] = [['pretrained', e.pretrained]];
  if (e.random !== null) cols.push(['random', e.random]);
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  const lines = [`${''.padEnd(width)}${cols.map(([n]) => n.padStart(12)).join('')}`];
  for (const [name, f] of rows) lines.push(`${name.padEnd(width)}${cols.map(([, v]) => f(v).padStart(12)).join('')}`);
  return lines;
}

/**
 * Evaluates an encoder (and optionally its random-weight twin) with the configuration's `eval`
 * settings: bank = a seeded class-balanced subset of `eval.bankSize` training images, test = the
 * first `eval.testSize` test images. Optionally writes the embedding map.
 */
export async function runEvaluation(o: RunEvaluationOptions): Promise<EvalFile> {
  const { config, io } = o;
  const ev = config.eval;
  const bank = subsetDataset(o.train, balancedIndices(o.train, ev.bankSize, config.seed + 2), 'cifar10/train (eval bank)');
  const test = ev.testSize >= o.test.length ? o.test : subsetDataset(o.test, Int32Array.from({ length: ev.testSize }, (_, i) => i), 'cifar10/test');
  const augment = buildAugmenter(config);
  const settings = { k: ev.k, temperature: ev.temperature, batchSize: ev.batchSize, linear: ev.linear };
  const common = { ...settings, bank, test, seed: config.seed, augment, progress: io.progress, stop: io.stop };
  io.err(`evaluating: kNN bank and linear-probe training set = ${bank.length} class-balanced training images (seed ${config.seed + 2}); test = ${test.length === 10000 ? 'all 10000' : `the first ${test.length}`} CIFAR-10 test images`);
  const wantMap = o.mapFile !== undefined;
  const pre = await evaluateEncoder(o.encoder, { ...common, label: 'pretrained', keepTestFeatures: wantMap });
  io.err(`pretrained: kNN ${pre.evaluation.knn.toFixed(4)}, linear ${pre.evaluation.linear.toFixed(4)} (${pre.evaluation.seconds.toFixed(1)} s)`);
  try {
    if (wantMap && pre.testFeatures !== null) {
      await writeEmbeddingMap(pre.testFeatures, test, config, o.mapFile as string, io);
    }
  } finally {
    pre.testFeatures?.dispose();
  }
  let random: EncoderEvaluation | null = null;
  if (o.randomEncoder !== undefined) {
    random = (await evaluateEncoder(o.randomEncoder, { ...common, label: 'random' })).evaluation;
    io.err(`random weights: kNN ${random.knn.toFixed(4)}, linear ${random.linear.toFixed(4)} (${random.seconds.toFixed(1)} s)`);
  }
  return {
    format: 'contrastive-eval',
    version: 1,
    source: o.source,
    time: new Date().toISOString(),
    pretrained: pre.evaluation,
    random,
    settings: { ...settings, bankSize: bank.length, testSize: test.length, bankSeed: config.seed + 2 },
  };
}

/** UMAP (McInnes et al. 2018) of the first `report.mapPoints` test representations, as a PNG. */
export async function writeEmbeddingMap(features: tf.Tensor2D, test: ImageDataset, config: RunConfig, file: string, io: CliIO): Promise<void> {
  const n = Math.min(config.report.mapPoints, features.shape[0]);
  if (n < 20) return;
  const bar = startProgress(io.progress, 'embedding map (UMAP)', 1, 'map');
  const start = performance.now();
  const rows = tf.slice(features, [0, 0], [n, -1]);
  let points;
  try {
    points = embedding2d(rows, { rng: Rng.fromSeed(config.seed + 9) });
  } finally {
    rows.dispose();
  }
  const png = renderScatterPng(points, test.labels.subarray(0, n), { classNames: test.classNames, title: `UMAP, ${n} test images`, width: 720, height: 540 });
  await writeFileAtomic(file, png);
  bar.done(`${n} points in ${((performance.now() - start) / 1000).toFixed(1)} s -> ${displayPath(file)}`);
}

/** Options of {@link evalCommand}. */
export interface EvalCommandOptions {
  readonly dataDir?: string;
  readonly bankSize?: number;
  readonly testSize?: number;
  readonly k?: number;
  readonly temperature?: number;
  readonly linearEpochs?: number;
  /** Also evaluate the same encoder with its initial random weights (needs a run). */
  readonly random?: boolean;
  /** Print eval.json to stdout instead of the table. */
  readonly json?: boolean;
  /** Do not write eval.json / the map into the run directory. */
  readonly save?: boolean;
  /** Use the run's latest checkpoint even when a saved encoder exists. */
  readonly checkpoint?: boolean;
  readonly engine?: string;
}

/** Runs `contrastive eval`; returns the exit status. */
export async function evalCommand(source: string, options: EvalCommandOptions, io: CliIO): Promise<number> {
  await assertSourceExists(source);
  const engine = await startEngine(options.engine, io.err);
  io.err(`engine: ${engine.description}`);
  const loaded = await loadEncoderFrom(source, { preferCheckpoint: options.checkpoint === true });
  let randomEncoder: Encoder | undefined;
  try {
    const base = loaded.config ?? parseConfig({});
    const config: RunConfig = {
      ...base,
      eval: {
        ...base.eval,
        ...(options.bankSize === undefined ? {} : { bankSize: options.bankSize }),
        ...(options.testSize === undefined ? {} : { testSize: options.testSize }),
        ...(options.k === undefined ? {} : { k: options.k }),
        ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
        linear: { ...base.eval.linear, ...(options.linearEpochs === undefined ? {} : { epochs: options.linearEpochs }) },
      },
    };
    if (options.random === true) {
      if (loaded.config === undefined) {
        throw new ArgumentError(`--random needs a run directory or a checkpoint inside one (its config.json gives the initial weights); ${source} is a bare encoder`, {
          argument: '--random',
          received: source,
          expected: 'a run directory',
        });
      }
      randomEncoder = buildEncoder(loaded.config.encoder, loaded.config.seed);
    }
    io.err(`encoder: ${loaded.description} (${loaded.encoder.name}, ${loaded.encoder.outputDim}-d)`);
    const splits = await loadCifarSplits({ dataDir: options.dataDir, configDir: config.data.dir, download: config.data.download, testLimit: config.eval.testSize, io });
    const save = options.save !== false && loaded.runDir !== undefined;
    const result = await runEvaluation({
      encoder: loaded.encoder,
      randomEncoder,
      config,
      train: splits.train!,
      test: splits.test,
      source: loaded.description,
      mapFile: save ? path.join(loaded.runDir as string, RUN_FILES.map) : undefined,
      io,
    });
    if (save) await writeFileAtomic(path.join(loaded.runDir as string, RUN_FILES.eval), `${JSON.stringify(result, null, 2)}\n`);
    if (options.json === true) io.out(JSON.stringify(result, null, 2));
    else {
      for (const line of formatEvaluationTable(result)) io.out(line);
      io.out(
        `knn=${result.pretrained.knn.toFixed(4)} linear=${result.pretrained.linear.toFixed(4)}${result.random === null ? '' : ` random_knn=${result.random.knn.toFixed(4)} random_linear=${result.random.linear.toFixed(4)}`} bank=${result.pretrained.bankSize} test=${result.pretrained.testSize}`,
      );
    }
    return 0;
  } finally {
    randomEncoder?.dispose();
    loaded.encoder.dispose();
  }
}
