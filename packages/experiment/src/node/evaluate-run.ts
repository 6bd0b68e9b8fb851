/**
 * The evaluation of a run as the experiment runs it: a frozen encoder (and optionally the same
 * architecture with its initial random weights) on a labelled dataset with the configuration's
 * `eval` settings: kNN (Wu et al. 2018) and linear-probe (Chen et al. 2020, §4) accuracy,
 * alignment and uniformity (Wang & Isola 2020), and the UMAP map of the test representations
 * (a PNG: Node.js, hence `@contrastive/experiment/node`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng, type Encoder } from '@contrastive/core';
import { embedding2d } from '@contrastive/eval';
import { renderScatterPng } from '@contrastive/eval/node';
import { buildAugmenter } from '../build.js';
import type { RunConfig } from '../config.js';
import { balancedIndices, evaluateEncoder, type EncoderEvaluation } from '../evaluate.js';
import { silentProgress, type Progress } from '../progress.js';
import type { EvalFile } from '../report-html.js';
import type { StopRequest } from '../stop.js';
import { subsetSamples, type Samples } from '../samples.js';

/** Options of {@link runEvaluation}. */
export interface RunEvaluationOptions {
  readonly encoder: Encoder;
  /** The same architecture with random weights; evaluated second when given. */
  readonly randomEncoder?: Encoder | undefined;
  readonly config: RunConfig;
  readonly train: Samples;
  readonly test: Samples;
  readonly source: string;
  /** Also draw the UMAP map of the pretrained test representations (PNG bytes in the result). */
  readonly map?: boolean;
  /** Where progress lines go (default: nowhere). */
  readonly log?: (line: string) => void;
  /** Progress of the phases (default: none). */
  readonly progress?: Progress;
  /** Stops between phases with an `InterruptedError` (default: never). */
  readonly stop?: StopRequest;
}

/** What {@link runEvaluation} returns. */
export interface RunEvaluationResult {
  /** The evaluation, as `eval.json` holds it. */
  readonly file: EvalFile;
  /** The UMAP map (PNG), when asked for and there are at least 20 test images. */
  readonly mapPng: Uint8Array | null;
}

/**
 * Evaluates an encoder (and optionally its random-weight twin) with the configuration's `eval`
 * settings: bank = a seeded class-balanced subset of `eval.bankSize` training images, test = the
 * first `eval.testSize` test images. Optionally writes the embedding map.
 */
export async function runEvaluation(o: RunEvaluationOptions): Promise<RunEvaluationResult> {
  const { config } = o;
  const log = o.log ?? ((): void => {});
  const ev = config.eval;
  const bank = subsetSamples(o.train, balancedIndices(o.train, ev.bankSize, config.seed + 2), `${o.train.name} (eval bank)`);
  const test = ev.testSize >= o.test.length ? o.test : subsetSamples(o.test, Int32Array.from({ length: ev.testSize }, (_, i) => i), o.test.name);
  const augment = buildAugmenter(config);
  const settings = { k: ev.k, temperature: ev.temperature, batchSize: ev.batchSize, linear: ev.linear };
  const common = { ...settings, bank, test, seed: config.seed, augment, ...(o.progress === undefined ? {} : { progress: o.progress }), ...(o.stop === undefined ? {} : { stop: o.stop }) };
  log(`evaluating: kNN bank and linear-probe training set = ${bank.length} class-balanced training images (seed ${config.seed + 2}); test = ${test.length === o.test.length ? `all ${test.length}` : `the first ${test.length}`} test images`);
  const wantMap = o.map === true;
  const pre = await evaluateEncoder(o.encoder, { ...common, label: 'pretrained', keepTestFeatures: wantMap });
  let mapPng: Uint8Array | null = null;
  log(`pretrained: kNN ${pre.evaluation.knn.toFixed(4)}, linear ${pre.evaluation.linear.toFixed(4)} (${pre.evaluation.seconds.toFixed(1)} s)`);
  try {
    if (wantMap && pre.testFeatures !== null) {
      mapPng = embeddingMapPng(pre.testFeatures, test, config, o.progress);
    }
  } finally {
    pre.testFeatures?.dispose();
  }
  let random: EncoderEvaluation | null = null;
  if (o.randomEncoder !== undefined) {
    random = (await evaluateEncoder(o.randomEncoder, { ...common, label: 'random' })).evaluation;
    log(`random weights: kNN ${random.knn.toFixed(4)}, linear ${random.linear.toFixed(4)} (${random.seconds.toFixed(1)} s)`);
  }
  const file: EvalFile = {
    format: 'contrastive-eval',
    version: 1,
    source: o.source,
    time: new Date().toISOString(),
    pretrained: pre.evaluation,
    random,
    settings: { ...settings, bankSize: bank.length, testSize: test.length, bankSeed: config.seed + 2 },
  };
  return { file, mapPng };
}

/**
 * UMAP (McInnes et al. 2018) of the first `report.mapPoints` test representations as a PNG
 * coloured by class, or null when there are fewer than 20 of them.
 */
export function embeddingMapPng(features: tf.Tensor2D, test: Samples, config: RunConfig, progress: Progress = silentProgress): Uint8Array | null {
  const n = Math.min(config.report.mapPoints, features.shape[0]);
  if (n < 20) return null;
  const bar = progress('embedding map (UMAP)', 1, 'map');
  const start = performance.now();
  const rows = tf.slice(features, [0, 0], [n, -1]);
  let points;
  try {
    points = embedding2d(rows, { rng: Rng.fromSeed(config.seed + 9) });
  } finally {
    rows.dispose();
  }
  const png = renderScatterPng(points, test.labels.subarray(0, n), { classNames: test.classNames, title: `UMAP, ${n} test images`, width: 720, height: 540 });
  bar.done(`${n} points in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return png;
}
