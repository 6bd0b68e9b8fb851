/**
 * Gradient caching (Gao, Zhang, Han & Callan 2021, "Scaling Deep Contrastive Learning Batch Size
 * under Memory Limited Setup", Sec. 3.2): the gradients of a contrastive batch of any size with the
 * activation memory of one chunk.
 *
 * A contrastive loss couples every embedding of the batch, so the batch cannot be split into
 * independent micro-batches; but the loss depends on the encoder only through the embeddings z.
 * Writing L = L(z_1 … z_N) with z_i = g(f(x_i)), the chain rule gives
 * ∂L/∂θ = Σ_i (∂L/∂z_i)ᵀ ∂z_i/∂θ, so:
 *
 * 1. **Embed without a tape**: the views are drawn once (`stages.views`), then embedded chunk by
 *    chunk with no gradient tape; only the `[b, D]` embeddings are kept (each chunk in its own
 *    tidy scope, so its activations are freed before the next chunk).
 * 2. **Loss and embedding gradients**: `lossFromEmbeddings` over the whole batch under a tape;
 *    the gradient of the loss with respect to every embedding, u_i = ∂L/∂z_i (the paper's
 *    "representation gradient cache"), plus the gradient of any trainable variable the loss uses
 *    directly.
 * 3. **Recompute and backpropagate**: each chunk is embedded again, this time under a tape, and the
 *    cached u of its rows is backpropagated (a vector-Jacobian product with `dy = u`, the same as
 *    differentiating `sum(embed(chunk) ⊙ u)`); the parameter gradients are summed over chunks.
 *
 * Peak memory: one chunk's forward and backward activations plus the views and the `N × D`
 * embeddings and their gradients, instead of the whole batch's activations. Cost: one extra
 * forward pass per step (about +1/3 of a plain step's compute).
 *
 * Randomness: all augmentation randomness is drawn once in `stages.views`; both passes embed the
 * very same view tensors. `stages.embed` takes no rng, and the encoders and heads of this project
 * have no dropout or other randomness, so the recomputation replays the first pass exactly. An
 * encoder with dropout would have to draw its masks from a per-chunk rng (split once per chunk from
 * the step's rng, and handed to both passes) — the paper's `RandContext`, which snapshots the
 * device rng state per chunk, does the same.
 *
 * BatchNorm: a chunk's forward pass normalises with the chunk's statistics, not the whole batch's
 * (the paper notes the same), so with BatchNorm the gradients are exact for the chunked network,
 * not for the full-batch one. The first pass runs in training mode (so that its embeddings equal
 * the recomputed ones) and would update the running averages; every non-trainable variable is
 * therefore restored after it, and only the recomputation updates them — once per chunk, with that
 * chunk's statistics (K momentum updates per step for K chunks, where the plain step makes one).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  ShapeError,
  assertInteger,
  describeValue,
  type Batch,
  type Rng,
  type StepAux,
  type Strategy,
  type StrategyStages,
} from '@contrastive/core';
import type { LossAndGradients } from './step.js';

/** Options of {@link computeLossAndGradientsCached} and of the trainer's `gradientCache`. */
export interface GradientCacheOptions {
  /**
   * Images embedded per forward pass (an integer >= 1). Each view of the batch (`[B, H, W, C]`) is
   * cut into chunks of at most `chunkSize` rows; chunks never span two views, so views of different
   * sizes (multi-crop) work. A chunk size >= B gives one chunk per view.
   */
  readonly chunkSize: number;
}

/** Rows `[start, start + size)` of each view, in order. */
interface Chunk {
  readonly view: number;
  readonly start: number;
  readonly size: number;
}

/** The chunks of views with `rows[v]` rows each. @internal */
export function planChunks(rows: readonly number[], chunkSize: number): Chunk[] {
  const chunks: Chunk[] = [];
  rows.forEach((n, view) => {
    for (let start = 0; start < n; start += chunkSize) chunks.push({ view, start, size: Math.min(chunkSize, n - start) });
  });
  return chunks;
}

/** Validates `options` (an object with an integer `chunkSize` >= 1). @internal */
export function assertGradientCacheOptions(where: string, name: string, options: unknown): asserts options is GradientCacheOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ArgumentError(`${where}: argument '${name}' must be an options object { chunkSize }, received ${describeValue(options)}`, {
      argument: name,
      expected: 'an options object { chunkSize: integer >= 1 }',
      received: options,
    });
  }
  assertInteger(where, `${name}.chunkSize`, (options as { chunkSize?: unknown }).chunkSize, 1);
}

/** Throws unless `strategy` has the stages a gradient cache needs. @internal */
export function assertStagedStrategy<S>(where: string, name: string, strategy: Strategy<S>): asserts strategy is Strategy<S> & { readonly stages: StrategyStages<S> } {
  const stages = (strategy as { stages?: Partial<StrategyStages<S>> }).stages;
  const ok =
    typeof stages === 'object' &&
    stages !== null &&
    typeof stages.views === 'function' &&
    typeof stages.embed === 'function' &&
    typeof stages.lossFromEmbeddings === 'function';
  if (!ok) {
    throw new ArgumentError(
      `${where}: argument '${name}' needs a strategy with 'stages' (views, embed, lossFromEmbeddings), but strategy '${String(strategy.name)}' has ${stages === undefined ? 'none' : 'incomplete stages'}; train it without the gradient cache`,
      { argument: name, expected: 'a Strategy with stages { views, embed, lossFromEmbeddings }', received: stages },
    );
  }
}

/**
 * A new handle on `x`'s data without a copy (Reshape only adds a reference on the cpu and wasm
 * engines, where `tf.clone` copies on wasm); the handle keeps the data alive after `x` moves on.
 */
function alias<T extends tf.Tensor>(x: T): T {
  return tf.reshape(x, x.shape) as T;
}

/** The rows of a chunk of a view (the view itself, uncopied, when the chunk covers it). */
function sliceRows<T extends tf.Tensor>(x: T, start: number, size: number): T {
  return start === 0 && size === x.shape[0] ? alias(x) : (tf.slice(x, start, size) as T);
}

/**
 * The loss and parameter gradients of one step, with the activation memory of one chunk: a
 * gradient cache (Gao et al. 2021, Sec. 3.2; see the module notes above). Returns the same
 * `{ loss, grads, aux }` as {@link computeLossAndGradients}; with an encoder and head without
 * BatchNorm the loss and gradients equal the plain step's up to float32 rounding, for the same rng.
 *
 * Calls, in order: `stages.views(batch, rng)` once; `stages.embed` on every chunk without a tape;
 * `stages.lossFromEmbeddings(z, views, batch, state, rng)` once under a tape; `stages.embed` on
 * every chunk again under a tape. Non-trainable variables (BatchNorm running averages) are
 * restored after the first pass, so each chunk updates them exactly once. Must not itself run
 * under another gradient tape.
 *
 * @param strategy - a strategy with `stages` (every `compose()` strategy has them).
 * @param options - `{ chunkSize }`: images per forward pass.
 * @throws ArgumentError naming `strategy.stages` or `options.chunkSize`; ShapeError when `embed`
 *   does not return `[rows, D]` or the views are not rank-4 with a batch dimension.
 * @example
 * ```ts
 * // SimCLR at batch 1024 (2048 views) with the activation memory of 128 images
 * const { loss, grads, aux } = computeLossAndGradientsCached(strategy, batch, state, rng.split(), { chunkSize: 128 });
 * ```
 */
export function computeLossAndGradientsCached<S>(strategy: Strategy<S>, batch: Batch, state: S, rng: Rng, options: GradientCacheOptions): LossAndGradients {
  const where = 'computeLossAndGradientsCached';
  if (typeof strategy !== 'object' || strategy === null) {
    throw new ArgumentError(`${where}: argument 'strategy' must be a Strategy, received ${describeValue(strategy)}`, { argument: 'strategy', received: strategy });
  }
  assertStagedStrategy(where, 'strategy.stages', strategy);
  assertGradientCacheOptions(where, 'options', options);
  const { stages } = strategy;
  const chunkSize = options.chunkSize;
  // tf.variableGrads differentiates only variables marked trainable; so does this.
  const variables = strategy.trainableVariables.filter((v) => v.trainable);

  const views = stages.views(batch, rng);
  const z: tf.Tensor2D[] = [];
  const owned: tf.Tensor[] = [...views];
  let loss: tf.Scalar | null = null;
  let aux: StepAux = { tensors: {} };
  const grads: Record<string, tf.Tensor> = {};
  let ok = false;
  try {
    assertViews(where, strategy.name, views);
    const chunks = planChunks(
      views.map((v) => v.shape[0] as number),
      chunkSize,
    );
    // 1. Embeddings of every chunk, without a tape; BatchNorm running averages restored afterwards.
    z.push(...embedWithoutTape(where, strategy, views, chunks, owned));

    // 2. The loss over the whole batch and its gradient with respect to every embedding (and to
    //    any trainable variable the loss uses directly, e.g. a learned temperature).
    const { value, grads: g } = tf.engine().gradients(
      () => {
        const out = stages.lossFromEmbeddings(z, views, batch, state, rng);
        // The tape's forward pass runs in a tidy scope: keep the aux tensors, which outlive it.
        for (const t of Object.values(out.aux.tensors)) tf.keep(t);
        aux = out.aux;
        return out.loss;
      },
      [...z, ...variables],
      undefined,
      true,
    );
    loss = value as tf.Scalar;
    if (loss.rank !== 0) {
      throw new ShapeError(`${where}: stages.lossFromEmbeddings of strategy '${strategy.name}' returned a rank-${loss.rank} loss, expected a scalar`, {
        argument: 'strategy.stages.lossFromEmbeddings',
        expected: 'a scalar',
        received: loss.shape,
      });
    }
    const dz = g.slice(0, z.length) as (tf.Tensor | undefined)[];
    owned.push(...dz.filter((t): t is tf.Tensor => t !== undefined && t !== null));
    variables.forEach((v, i) => {
      const d = g[z.length + i];
      if (d !== undefined && d !== null) grads[v.name] = d;
    });

    // 3. Recompute each chunk under a tape and backpropagate its rows of the cached gradient.
    backpropagateChunks(stages, views, chunks, dz, variables, grads);
    ok = true;
    return { loss, grads, aux };
  } finally {
    tf.dispose(owned);
    if (!ok) {
      loss?.dispose();
      tf.dispose(Object.values(grads));
      tf.dispose(Object.values(aux.tensors));
    }
  }
}

/** The views a strategy's `stages.views` returned: a non-empty array of tensors [B, ...], B >= 1. */
function assertViews(where: string, strategy: string, views: unknown): asserts views is tf.Tensor4D[] {
  if (!Array.isArray(views) || views.length === 0) {
    throw new ShapeError(`${where}: strategy '${strategy}' stages.views returned ${describeValue(views)}, expected a non-empty array of [B, H, W, C] views`, {
      argument: 'strategy.stages.views',
      received: views,
    });
  }
  views.forEach((v, i) => {
    if (!(v instanceof tf.Tensor) || v.rank < 2 || (v.shape[0] as number) < 1) {
      throw new ShapeError(`${where}: view ${i} of strategy '${strategy}' must be a tensor [B, ...] with B >= 1, received ${describeValue(v)}`, {
        argument: 'strategy.stages.views',
        expected: 'tensors [B, H, W, C]',
        received: v,
      });
    }
  });
}

/**
 * Pass 1: the embedding of every view, chunk by chunk, without a tape. Non-trainable variables
 * (BatchNorm running averages) are put back afterwards, so that pass 3 updates them once. Every
 * tensor made goes to `owned` (the caller frees it).
 */
function embedWithoutTape<S>(where: string, strategy: Strategy<S>, views: readonly tf.Tensor4D[], chunks: readonly Chunk[], owned: tf.Tensor[]): tf.Tensor2D[] {
  const stages = strategy.stages as StrategyStages<S>;
  const pieces: tf.Tensor2D[][] = views.map(() => []);
  // Keep a handle on every non-trainable variable's current value (no copy): a training-mode
  // forward pass replaces BatchNorm running averages with new tensors, and those are put back.
  const snapshot = strategy.nonTrainableVariables.map((v) => ({ variable: v, dataId: v.dataId, value: alias(v as tf.Tensor) }));
  try {
    for (const c of chunks) {
      const zc = tf.tidy(() => stages.embed(sliceRows(views[c.view] as tf.Tensor4D, c.start, c.size)));
      (pieces[c.view] as tf.Tensor2D[]).push(zc);
      owned.push(zc);
      if (zc.rank !== 2 || zc.shape[0] !== c.size) {
        throw new ShapeError(`${where}: stages.embed of ${c.size} images returned shape [${zc.shape.join(', ')}], expected [${c.size}, D]`, {
          argument: 'strategy.stages.embed',
          expected: `[${c.size}, D]`,
          received: zc.shape,
        });
      }
    }
  } finally {
    for (const s of snapshot) {
      if (s.variable.dataId !== s.dataId) s.variable.assign(s.value);
      s.value.dispose();
    }
  }
  return pieces.map((p) => {
    const zv = p.length === 1 ? (p[0] as tf.Tensor2D) : (tf.concat(p, 0) as tf.Tensor2D);
    if (p.length > 1) owned.push(zv);
    return zv;
  });
}

/**
 * Pass 3: each chunk again under a tape, backpropagating its rows of the cached gradient `dz`;
 * the parameter gradients are summed into `grads` (by variable name).
 */
function backpropagateChunks<S>(
  stages: StrategyStages<S>,
  views: readonly tf.Tensor4D[],
  chunks: readonly Chunk[],
  dz: readonly (tf.Tensor | undefined)[],
  variables: readonly tf.Variable[],
  grads: Record<string, tf.Tensor>,
): void {
  for (const c of chunks) {
    const u = dz[c.view];
    if (u === undefined || u === null) continue; // the loss does not use this view
    const x = sliceRows(views[c.view] as tf.Tensor4D, c.start, c.size);
    const dy = sliceRows(u as tf.Tensor2D, c.start, c.size);
    try {
      const out = tf.engine().gradients(() => stages.embed(x), variables as tf.Variable[], dy, true);
      out.value.dispose();
      variables.forEach((v, i) => {
        const d = out.grads[i];
        if (d === undefined || d === null) return;
        const previous = grads[v.name];
        if (previous === undefined) {
          grads[v.name] = d;
        } else {
          grads[v.name] = tf.add(previous, d);
          previous.dispose();
          d.dispose();
        }
      });
    } finally {
      x.dispose();
      dy.dispose();
    }
  }
}
