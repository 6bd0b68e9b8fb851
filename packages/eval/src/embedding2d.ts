/**
 * A 2-D map of a representation for plotting: UMAP (McInnes, Healy & Melville 2018,
 * "UMAP: Uniform Manifold Approximation and Projection for Dimension Reduction") through the
 * maintained `umap-js` package, made reproducible by feeding it the project's seeded
 * {@link Rng} (umap-js draws every random number — random-projection trees, nearest-neighbour
 * descent, initial layout, negative sampling — from the `random` function it is given); or
 * t-SNE (van der Maaten & Hinton 2008, "Visualizing Data using t-SNE") through
 * `@keckelt/tsne`, seeded the same way (see `tsne.ts`).
 *
 * Rows are L2-normalised first by default, so that the Euclidean neighbourhoods UMAP builds
 * are the cosine neighbourhoods the contrastive losses and the kNN monitor use.
 */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import { UMAP } from 'umap-js';
import { ArgumentError, Rng, assertInteger, assertOneOf, assertInRange, assertOptionsObject, describeValue, isTensorLike } from '@contrastive/core';
import { tsneLayout } from './tsne.js';
import { checkFeatures, intOption } from './validate.js';

/** A point of the map. */
export type Point2D = readonly [number, number];

/** Options of {@link embedding2d}. */
export interface Embedding2dOptions {
  /** `'umap'` (default) or `'tsne'`. */
  readonly method?: 'umap' | 'tsne';
  /** UMAP: size of the local neighbourhood; default 15 (must be < the number of rows). */
  readonly nNeighbors?: number;
  /** UMAP: minimum distance between embedded points, in [0, 1]; default 0.1. */
  readonly minDist?: number;
  /**
   * Optimisation epochs. UMAP: default umap-js's choice (500 up to 10 000 rows, 200 above).
   * t-SNE: gradient steps, default 1000 (the paper's setting).
   */
  readonly nEpochs?: number;
  /** t-SNE: perplexity, the effective number of neighbours; default 30 (must be < the number of rows). */
  readonly perplexity?: number;
  /** t-SNE: learning rate; default 10 (tsnejs's default). */
  readonly learningRate?: number;
  /** L2-normalise the rows first (cosine neighbourhoods); default true. */
  readonly normalize?: boolean;
  /** Source of randomness. Same seed, same map. The map draws from `rng.split()`. */
  readonly rng: Rng;
}

/** Reads `[N, D]` features from a tensor or nested arrays into plain rows (copies). */
function readRows(where: string, features: unknown): number[][] {
  if (isTensorLike(features)) {
    const x = checkFeatures(where, 'features', features);
    return x.arraySync() as number[][];
  }
  const ok =
    Array.isArray(features) &&
    features.length > 0 &&
    features.every((r) => Array.isArray(r) && r.length === (features[0] as unknown[]).length && r.length > 0 && r.every((v) => typeof v === 'number' && Number.isFinite(v)));
  if (!ok) {
    throw new ArgumentError(
      `${where}: argument 'features' must be a float32 Tensor2D or a non-empty array of equal-length rows of finite numbers, received ${describeValue(features)}`,
      { argument: 'features', expected: 'Tensor2D [N, D] or number[N][D]', received: features },
    );
  }
  return (features as number[][]).map((r) => [...r]);
}

/**
 * Row-wise x / max(‖x‖, 1e-12) in double precision. Done here rather than on the engine so
 * that a tensor and the same numbers as arrays give the identical map (UMAP's optimisation
 * amplifies float32-vs-float64 rounding differences).
 */
function normalizeRows(rows: number[][]): number[][] {
  return rows.map((r) => {
    const norm = Math.max(Math.sqrt(r.reduce((s, v) => s + v * v, 0)), 1e-12);
    return r.map((v) => v / norm);
  });
}

/**
 * 2-D coordinates of the rows of `features` (`[N, D]` tensor or `number[N][D]`) by UMAP or
 * t-SNE, seeded through `rng`: the same seed gives the same map. Runs synchronously on the
 * CPU; thousands of points take seconds (t-SNE's exact gradients cost O(N^2) per step), so
 * subsample large sets.
 *
 * @example
 * ```ts
 * const points = embedding2d(features, { method: 'umap', nNeighbors: 15, minDist: 0.1, rng: Rng.fromSeed(0) });
 * const png = renderScatterPng(points, labels, { classNames: CIFAR10_CLASSES, title: 'SimCLR, epoch 100' });
 * ```
 */
export function embedding2d(features: Tensor2D | readonly (readonly number[])[], options: Embedding2dOptions): Point2D[] {
  const where = 'embedding2d';
  assertOptionsObject(where, 'options', options);
  if (options === undefined || !(options.rng instanceof Rng)) {
    throw new ArgumentError(`${where}: argument 'options.rng' must be an Rng (e.g. Rng.fromSeed(0)), received ${describeValue(options?.rng)}`, {
      argument: 'options.rng',
      expected: 'an Rng',
      received: options?.rng,
    });
  }
  const method = options.method ?? 'umap';
  assertOneOf(where, 'options.method', method, ['umap', 'tsne'] as const);
  if (method === 'tsne') return tsneMap(where, features, options);
  const nNeighbors = intOption(where, 'options.nNeighbors', options.nNeighbors, 15, 2);
  const minDist = options.minDist ?? 0.1;
  // umap-js fits its curve with spread = 1, which needs 0 <= minDist <= spread.
  assertInRange(where, 'options.minDist', minDist, 0, 1);
  if (options.nEpochs !== undefined) assertInteger(where, 'options.nEpochs', options.nEpochs, 1);
  const normalize = options.normalize ?? true;
  const raw = readRows(where, features);
  const rows = normalize ? normalizeRows(raw) : raw;
  if (rows.length <= nNeighbors) {
    throw new ArgumentError(
      `${where}: argument 'options.nNeighbors' must be smaller than the number of rows (${rows.length}), received ${nNeighbors}`,
      { argument: 'options.nNeighbors', expected: `an integer in [2, ${rows.length - 1}]`, received: nNeighbors },
    );
  }
  const rng = options.rng.split();
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors,
    minDist,
    ...(options.nEpochs === undefined ? {} : { nEpochs: options.nEpochs }),
    random: () => rng.next(),
  });
  const out = umap.fit(rows);
  return out.map((p) => [p[0] as number, p[1] as number] as const);
}

/** The t-SNE branch of {@link embedding2d}. */
function tsneMap(where: string, features: Tensor2D | readonly (readonly number[])[], options: Embedding2dOptions): Point2D[] {
  const perplexity = options.perplexity ?? 30;
  assertInRange(where, 'options.perplexity', perplexity, 1, Number.MAX_SAFE_INTEGER);
  const steps = options.nEpochs ?? 1000;
  assertInteger(where, 'options.nEpochs', steps, 1);
  const learningRate = options.learningRate ?? 10;
  assertInRange(where, 'options.learningRate', learningRate, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER);
  const raw = readRows(where, features);
  const rows = options.normalize ?? true ? normalizeRows(raw) : raw;
  if (rows.length <= perplexity) {
    throw new ArgumentError(`${where}: argument 'options.perplexity' must be smaller than the number of rows (${rows.length}), received ${perplexity}`, {
      argument: 'options.perplexity', expected: `a number below ${rows.length}`, received: perplexity,
    });
  }
  return tsneLayout(rows, { perplexity, steps, learningRate, rng: options.rng.split() }).map((p) => [p[0], p[1]] as const);
}
