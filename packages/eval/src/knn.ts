/**
 * The weighted k-nearest-neighbour monitor of instance discrimination (Wu et al. 2018,
 * "Unsupervised Feature Learning via Non-Parametric Instance Discrimination", §3.4), as
 * implemented in lightly's `knn_predict`: "we retrieve its top k nearest neighbors [by
 * cosine similarity] ... each class c gets a total weight Σ_i α_i · 1(c_i = c) with
 * α_i = exp(s_i / τ)", with k = 200 and τ = 0.1 by default.
 *
 * Similarities are computed against the whole training set in blocks of test rows, so the
 * working memory is `chunkSize × N_train` floats however large the test set is (the default
 * block holds about 2^24 similarities, 64 MiB, e.g. 335 rows for a 50 000-row bank).
 *
 * The vote weights are computed as exp((s − s_max)/τ) with s_max the query's highest
 * similarity: the same totals up to one positive factor per query (so the same predictions),
 * but finite for any τ > 0.
 *
 * Tie rules (the brute-force reference in the tests follows them too):
 * 1. Neighbours: the k training rows with the highest cosine similarity; among equal
 *    similarities the lower training index is taken first (`tf.topk`'s documented order).
 * 2. Vote: the prediction is the class with the highest total weight; among equal totals the
 *    lowest class index wins (the arg-max is taken in JavaScript, so this holds on every
 *    engine).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { ArgumentError, assertOptionsObject, assertPositive } from '@contrastive/core';
import { l2Normalize as l2NormalizeRows } from '@contrastive/nn';
import { type Labels, checkFeatures, checkLabelRange, checkSameWidth, intOption, readLabels, resolveNumClasses } from './validate.js';

/** Options of {@link knnClassify}. */
export interface KnnOptions {
  /** Representations of the labelled bank, `[N, D]` (not necessarily normalised). */
  readonly trainFeatures: Tensor2D;
  /** Labels of the bank rows, `N` integers in `[0, numClasses)`. */
  readonly trainLabels: Labels;
  /** Representations to classify, `[M, D]`. */
  readonly testFeatures: Tensor2D;
  /** Neighbours per query; default 200 (Wu et al. 2018). Must not exceed N. */
  readonly k?: number;
  /** τ of the vote weight exp(s/τ); default 0.1. Must be > 0. */
  readonly temperature?: number;
  /** Number of classes; default 1 + the largest training label. */
  readonly numClasses?: number;
  /** Test rows per similarity block; default ⌊2^24 / max(N, k·numClasses)⌋ (at least 1). */
  readonly chunkSize?: number;
}

/** Options of {@link knnAccuracy}: those of {@link knnClassify} plus the test labels. */
export interface KnnAccuracyOptions extends KnnOptions {
  /** True labels of the test rows, `M` integers >= 0. */
  readonly testLabels: Labels;
}

/** Elements of one similarity block at the default chunk size (2^24 floats = 64 MiB). */
const DEFAULT_BLOCK_ELEMENTS = 1 << 24;

/** Index of the largest value in `row[offset .. offset+length)`; first one on ties. */
function argMaxLowest(values: Float32Array, offset: number, length: number): number {
  let best = 0;
  let bestValue = values[offset] as number;
  for (let c = 1; c < length; c++) {
    const v = values[offset + c] as number;
    if (v > bestValue) {
      bestValue = v;
      best = c;
    }
  }
  return best;
}

/** Class vote totals of every test row: `scores[i * numClasses + c]`. */
export interface KnnVotes {
  readonly scores: Float32Array;
  readonly numClasses: number;
  readonly rows: number;
}

/**
 * The vote totals Σ exp((s − s_max)/τ) per class for every test row, s_max being the row's
 * highest similarity (internal; the tests compare them with the brute-force reference).
 */
export function knnVotes(where: string, options: KnnOptions): KnnVotes {
  assertOptionsObject(where, 'options', options);
  if (options === undefined) {
    throw new ArgumentError(`${where}: argument 'options' is required`, { argument: 'options', expected: 'an options object', received: options });
  }
  const train = checkFeatures(where, 'trainFeatures', options.trainFeatures);
  const test = checkFeatures(where, 'testFeatures', options.testFeatures);
  checkSameWidth(where, 'trainFeatures', train, 'testFeatures', test);
  const n = train.shape[0];
  const m = test.shape[0];
  const k = intOption(where, 'k', options.k, 200);
  if (k > n) {
    throw new ArgumentError(`${where}: argument 'k' must be at most the number of training rows (${n}), received ${k}`, {
      argument: 'k',
      expected: `an integer in [1, ${n}]`,
      received: k,
    });
  }
  const temperature = options.temperature ?? 0.1;
  assertPositive(where, 'temperature', temperature);
  const trainLabels = readLabels(where, 'trainLabels', options.trainLabels, n);
  const numClasses = resolveNumClasses(where, options.numClasses, trainLabels);
  checkLabelRange(where, 'trainLabels', trainLabels, numClasses);
  // A block holds B×N similarities and B×k×C one-hot votes; bound the larger of the two.
  const perRow = Math.max(n, k * numClasses);
  const chunkSize = Math.min(m, intOption(where, 'chunkSize', options.chunkSize, Math.max(1, Math.floor(DEFAULT_BLOCK_ELEMENTS / perRow))));

  const all = new Float32Array(m * numClasses);
  // bankT: [D, N], unit columns (transposed once: tfjs's matMul with transposeB is several
  // times slower on the wasm engine); labels: [N] int32.
  const bankT = tf.tidy(() => tf.transpose(l2NormalizeRows(train)) as Tensor2D);
  const bankLabels = tf.tensor1d(trainLabels, 'int32');
  try {
    for (let start = 0; start < m; start += chunkSize) {
      const rows = Math.min(chunkSize, m - start);
      const scores = tf.tidy(() => {
        // queries: [B, D] unit rows.
        const queries = l2NormalizeRows(rows === m ? test : tf.slice(test, [start, 0], [rows, -1]));
        // sims[i, j] = cos(query i, bank row j): [B, N].
        const sims = tf.matMul(queries, bankT);
        // values/indices: [B, k], most similar first; equal values keep the lower index first.
        const { values, indices } = tf.topk(sims, k, true);
        // weights[i, j] = exp((s_ij − s_i1) / τ): [B, k]. Shifting by the row's top similarity
        // s_i1 multiplies all of a row's votes by one constant, so the arg-max is that of
        // Σ exp(s/τ), while exp stays finite for small τ (exp(1/0.01) overflows float32).
        const weights = tf.exp(tf.div(tf.sub(values, tf.slice(values, [0, 0], [-1, 1])), temperature));
        // votes[i, j, c] = 1 if neighbour j of query i has class c: [B, k, C].
        // (tf.oneHot needs a depth >= 2; a one-class problem drops the spare column below.)
        const votes = tf.oneHot(tf.gather(bankLabels, indices), Math.max(2, numClasses));
        // scores[i, c] = Σ_j weights[i, j] · votes[i, j, c]: [B, C].
        const scores = tf.sum(tf.mul(votes, tf.expandDims(weights, 2)), 1);
        return numClasses === 1 ? tf.slice(scores, [0, 0], [-1, 1]) : scores;
      });
      all.set(scores.dataSync() as Float32Array, start * numClasses);
      scores.dispose();
    }
  } finally {
    bankT.dispose();
    bankLabels.dispose();
  }
  return { scores: all, numClasses, rows: m };
}

function classify(where: string, options: KnnOptions): Int32Array {
  const { scores, numClasses, rows } = knnVotes(where, options);
  const predictions = new Int32Array(rows);
  for (let i = 0; i < rows; i++) predictions[i] = argMaxLowest(scores, i * numClasses, numClasses);
  return predictions;
}

/**
 * Predicted classes of the test rows by the temperature-weighted kNN vote of Wu et al.
 * (2018) over cosine similarities (lightly's `knn_predict`). Tensors are neither consumed
 * nor leaked; the result is a plain `Int32Array` of length M.
 *
 * @example
 * ```ts
 * const pred = knnClassify({ trainFeatures, trainLabels, testFeatures, numClasses: 10 }); // k=200, τ=0.1
 * ```
 */
export function knnClassify(options: KnnOptions): Int32Array {
  return classify('knnClassify', options);
}

/**
 * Top-1 accuracy (a fraction in [0, 1]) of {@link knnClassify} on labelled test rows: the
 * kNN monitor reported during contrastive pretraining (Wu et al. 2018; He et al. 2020,
 * MoCo, §4.1 uses the same protocol for monitoring).
 *
 * @example
 * ```ts
 * const acc = knnAccuracy({ trainFeatures, trainLabels, testFeatures, testLabels, k: 200, temperature: 0.1 });
 * ```
 */
export function knnAccuracy(options: KnnAccuracyOptions): number {
  const where = 'knnAccuracy';
  assertOptionsObject(where, 'options', options);
  const predictions = classify(where, options);
  const testLabels = readLabels(where, 'testLabels', options.testLabels, predictions.length);
  let correct = 0;
  for (let i = 0; i < predictions.length; i++) if (predictions[i] === testLabels[i]) correct++;
  return correct / predictions.length;
}
