/**
 * `compose()`: a strategy from parts, so that a new mix (SupCon + momentum queue, SimCLR +
 * memory bank) is a few lines and no subclass. Every named strategy in this package is a
 * `compose()` call.
 *
 * One step (design.md):
 *   views = augment(images);  z_v = head(encoder(view_v));  keys = keyBranch(views);
 *   negatives = source.read(state);  loss = loss({ views: z, keys, negatives, labels });
 *   after the optimizer step: state = source.write(state, keys or z, indices); keyBranch.update().
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  DisposedError,
  assertInteger,
  assertOneOf,
  describeValue,
  type Batch,
  type ContrastiveLoss,
  type Encoder,
  type NegativeSource,
  type ProjectionHead,
  type Rng,
  type SerializedState,
  type StepAux,
  type Strategy,
  type StrategyStages,
  type ViewAugmenter,
} from '@contrastive/core';
import { joinPath, modulePaths } from '@contrastive/nn';
import type { KeyBranch } from './key-branch.js';
import { embedBySize } from './embed-by-size.js';
import { booleanOption } from './strategy-options.js';

/** The parts of a strategy. */
export interface ComposeOptions<S> {
  /** Name for logs and checkpoints; default `'composed'`. */
  readonly name?: string;
  /** Produces the V views (V >= 1). */
  readonly augment: ViewAugmenter;
  /** The online encoder f. */
  readonly encoder: Encoder;
  /** The online projection head g. */
  readonly head: ProjectionHead;
  /** The contrastive loss; receives views, keys, negatives and labels. */
  readonly loss: ContrastiveLoss;
  /** Key branch (momentum encoder); none means keys are not computed. */
  readonly keyBranch?: KeyBranch;
  /** Source of external negatives; none means in-batch negatives only. */
  readonly negatives?: NegativeSource<S>;
  /**
   * What is written to the negative source after each step: `'keys'` (MoCo: the key
   * branch's embedding of the last view, the positive key of MoCo's query from view 0) or
   * `'online'` (InstDisc: the online embedding of view 0). Default: `'keys'` when there is a
   * key branch, else `'online'`.
   */
  readonly write?: 'keys' | 'online';
  /** Pass the batch's labels to the loss (SupCon). Default false. */
  readonly useLabels?: boolean;
  /**
   * The negative source stores a class label per row (a queue or bank built with
   * `labels: true`): read its rows with `readLabelled`, hand their labels to the loss as
   * `negativeLabels`, and write the batch's labels with each step's keys. Needs `useLabels`
   * and a labelled `negatives`. Default false.
   */
  readonly negativeLabels?: boolean;
  /**
   * How many leading views the key branch sees; default all. With multi-crop views (2 global
   * crops, then N local ones; Caron et al. 2020) targets come from the global crops only, so
   * BYOL-style strategies pass 2 and the loss receives keys for views 0..keyViews-1.
   */
  readonly keyViews?: number;
  /**
   * `'concat'` runs one forward pass over all views of the same size concatenated, so
   * BatchNorm statistics cover all V*B images (SimCLR's global BN on one device); views of
   * different sizes (multi-crop: global and local crops, Caron et al. 2020, Sec. 3.2) get one
   * pass per size, as in SwAV's code. `'separate'` runs one pass per view. Default `'concat'`.
   */
  readonly forward?: 'concat' | 'separate';
  /**
   * Parts built for this strategy alone, which its `dispose()` frees after the states (e.g. a
   * `momentumBranch` created for it: `owns: [branch]`). Every other part passed in (encoder,
   * head, augmenter, loss, a key branch or negative source not listed here) stays the caller's.
   * Default none.
   */
  readonly owns?: ReadonlyArray<{ dispose(): void }>;
}

/** State of a composed strategy: the negative source's state (or null). */
export interface ComposedState<S> {
  readonly negatives: S | null;
}

/**
 * The strategy's variables by path: `encoder.*`, `head.*` (the modules' own paths) and
 * `keyBranch.*`; a variable shared by two parts keeps its first path.
 */
function strategyStateDict(encoder: Encoder, head: ProjectionHead, keyBranch: KeyBranch | undefined): Map<string, tf.Variable> {
  const parts: [string, tf.Variable][] = [...modulePaths(encoder, 'encoder'), ...modulePaths(head, 'head')];
  if (keyBranch) {
    const own = keyBranch.stateDict ? [...keyBranch.stateDict()] : keyBranch.nonTrainableVariables.map((v, i) => [String(i), v] as [string, tf.Variable]);
    parts.push(...own.map(([p, v]) => [joinPath('keyBranch', p), v] as [string, tf.Variable]));
  }
  const seen = new Set<tf.Variable>();
  return new Map(parts.filter(([, v]) => (seen.has(v) ? false : (seen.add(v), true))));
}

function uniqueVariables(vars: readonly tf.Variable[]): tf.Variable[] {
  const seen = new Set<string>();
  return vars.filter((v) => (seen.has(v.name) ? false : (seen.add(v.name), true)));
}

/**
 * Builds a {@link Strategy} from parts.
 *
 * @example
 * ```ts
 * // SimCLR with a memory bank instead of in-batch negatives (a new mix, no new class)
 * const strategy = compose({
 *   name: 'simclr+bank',
 *   augment: simclrAugment({ size: 32, strength: 0.5, blur: false }),
 *   encoder, head,
 *   negatives: memoryBank({ size: 50000, dim: 128, numNegatives: 4096 }),
 *   loss: infoNceLoss({ temperature: 0.1 }),
 * });
 * ```
 */
export function compose<S = unknown>(options: ComposeOptions<S>): Strategy<ComposedState<S>> {
  const where = 'compose';
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(`${where}: argument 'options' must be an options object, received ${describeValue(options)}`, {
      argument: 'options',
      received: options,
    });
  }
  const required = ['augment', 'encoder', 'head', 'loss'] as const;
  for (const key of required) {
    if (typeof options[key] !== 'object' || options[key] === null) {
      throw new ArgumentError(`${where}: argument 'options.${key}' is required, received ${describeValue(options[key])}`, {
        argument: `options.${key}`,
        received: options[key],
      });
    }
  }
  const { augment, encoder, head, loss, keyBranch, negatives } = options;
  const forward = options.forward ?? 'concat';
  assertOneOf(where, 'options.forward', forward, ['concat', 'separate']);
  const write = options.write ?? (keyBranch ? 'keys' : 'online');
  assertOneOf(where, 'options.write', write, ['keys', 'online']);
  if (write === 'keys' && negatives && !keyBranch) {
    throw new ArgumentError(`${where}: argument 'options.write' is 'keys' but there is no keyBranch`, {
      argument: 'options.write',
      received: write,
    });
  }
  if (encoder.outputDim !== head.inputDim) {
    throw new ArgumentError(
      `${where}: argument 'options.head' must take the encoder's output (inputDim ${encoder.outputDim}), received inputDim ${head.inputDim}`,
      { argument: 'options.head', expected: `inputDim ${encoder.outputDim}`, received: head.inputDim },
    );
  }
  const owns = options.owns ?? [];
  if (!Array.isArray(owns) || owns.some((p) => typeof p !== 'object' || p === null || typeof (p as { dispose?: unknown }).dispose !== 'function')) {
    throw new ArgumentError(`${where}: argument 'options.owns' must be an array of objects with dispose(), received ${describeValue(owns)}`, {
      argument: 'options.owns',
      expected: 'an array of objects with dispose()',
      received: owns,
    });
  }
  const useLabels = options.useLabels ?? false;
  const negativeLabels = booleanOption(where, 'negativeLabels', options.negativeLabels, false);
  if (negativeLabels && (!useLabels || !negatives || typeof negatives.readLabelled !== 'function')) {
    throw new ArgumentError(`${where}: argument 'options.negativeLabels' needs useLabels and a labelled negative source (readLabelled), received negatives ${describeValue(negatives?.name)}`, {
      argument: 'options.negativeLabels',
      expected: 'useLabels: true and negatives with readLabelled (e.g. momentumQueue({ labels: true }))',
      received: negativeLabels,
    });
  }
  const keyViews = options.keyViews;
  if (keyViews !== undefined) assertInteger(where, 'options.keyViews', keyViews, 1);
  const name = options.name ?? 'composed';

  // Ownership (core Strategy contract): the states handed out and still alive, and `owns`.
  const live = new Set<ComposedState<S>>();
  let disposed = false;
  const alive = (method: string): void => {
    if (disposed) {
      throw new DisposedError(`${name}.${method}: the strategy was disposed`, { argument: method, expected: 'a strategy that was not disposed' });
    }
  };
  const track = (state: ComposedState<S>): ComposedState<S> => {
    if (state.negatives !== null) live.add(state);
    return state;
  };

  const embed = (x: tf.Tensor4D): tf.Tensor2D => head.apply(encoder.apply(x, { training: true }), { training: true });

  const stages: StrategyStages<ComposedState<S>> = {
    views(batch: Batch, rng: Rng): tf.Tensor4D[] {
      alive('views');
      if (useLabels && batch.labels === undefined) {
        throw new ArgumentError(`${name}: argument 'batch.labels' is required by this strategy (useLabels), received undefined`, {
          argument: 'batch.labels',
          received: undefined,
        });
      }
      return augment.apply(batch.images as tf.Tensor4D, rng.split());
    },
    embed(images: tf.Tensor4D): tf.Tensor2D {
      alive('embed');
      return embed(images);
    },
    lossFromEmbeddings(z, views, batch, state, rng) {
      alive('lossFromEmbeddings');
      const b = (z[0] as tf.Tensor2D).shape[0];
      const keyInput = keyViews === undefined ? views : views.slice(0, keyViews);
      const keys = keyBranch
        ? keyBranch.keys(keyInput, rng.split(), { negativesState: state.negatives, ...(batch.indices ? { indices: batch.indices } : {}) })
        : undefined;
      const context = { ...(batch.indices ? { indices: batch.indices } : {}), rng: rng.split() };
      let neg: tf.Tensor2D | null = null;
      let negLabels: tf.Tensor1D | null = null;
      if (negatives && state.negatives !== null) {
        if (negativeLabels) {
          const read = (negatives.readLabelled as NonNullable<typeof negatives.readLabelled>)(state.negatives, context);
          if (read === null) {
            throw new ArgumentError(`${name}: argument 'options.negatives' must store labels (built with labels: true) for negativeLabels`, {
              argument: 'options.negatives',
              expected: 'a labelled negative source',
              received: negatives.name,
            });
          }
          neg = read.rows;
          negLabels = read.labels;
        } else {
          neg = negatives.read(state.negatives, context);
        }
      }
      const value = loss.compute({
        views: z,
        ...(keys ? { keys } : {}),
        ...(neg ? { negatives: neg } : {}),
        ...(negLabels ? { negativeLabels: negLabels } : {}),
        ...(useLabels && batch.labels ? { labels: batch.labels } : {}),
      });
      // What afterStep writes to the negative source (values only; no gradient flows through it),
      // kept out of the caller's tidy scope; the trainer disposes aux after afterStep.
      const toWrite = write === 'keys' ? keys?.[keys.length - 1] : z[0];
      const aux: Record<string, tf.Tensor> = {};
      if (negatives && toWrite) aux['write'] = tf.keep(tf.reshape(toWrite, [b, -1]) as tf.Tensor2D);
      return { loss: value, aux: { tensors: aux } };
    },
  };

  return {
    name,
    trainableVariables: uniqueVariables([...encoder.trainableVariables, ...head.trainableVariables]),
    nonTrainableVariables: uniqueVariables([
      ...encoder.nonTrainableVariables,
      ...head.nonTrainableVariables,
      ...(keyBranch ? keyBranch.nonTrainableVariables : []),
    ]),

    stateDict: () => strategyStateDict(encoder, head, keyBranch),

    init(rng: Rng): ComposedState<S> {
      alive('init');
      return track({ negatives: negatives ? negatives.init(rng) : null });
    },

    loss(batch: Batch, state: ComposedState<S>, rng: Rng): { loss: tf.Scalar; aux: StepAux } {
      alive('loss');
      const views = stages.views(batch, rng);
      try {
        const z = forward === 'concat' ? embedBySize(embed, views) : views.map((v) => embed(v));
        return stages.lossFromEmbeddings(z, views, batch, state, rng);
      } finally {
        tf.dispose(views);
      }
    },

    stages,

    afterStep(state: ComposedState<S>, aux: StepAux, batch: Batch, step: number): ComposedState<S> {
      alive('afterStep');
      let next = state;
      const w = aux.tensors['write'];
      if (negatives && state.negatives !== null && w) {
        // write() disposes what it replaces: the old state is used up.
        next = { negatives: negatives.write(state.negatives, w as tf.Tensor2D, batch.indices, negativeLabels ? batch.labels : undefined) };
        live.delete(state);
        track(next);
      }
      keyBranch?.update(step);
      return next;
    },

    serializeState(state: ComposedState<S>): SerializedState {
      alive('serializeState');
      if (!negatives || state.negatives === null) return { tensors: {}, meta: { strategy: name, negatives: null } };
      const s = negatives.serialize(state.negatives);
      return { tensors: s.tensors, meta: { strategy: name, negatives: negatives.name, state: s.meta } };
    },

    deserializeState(data: SerializedState): ComposedState<S> {
      alive('deserializeState');
      const meta = data.meta as { strategy?: unknown; negatives?: unknown; state?: Record<string, unknown> };
      if (meta.strategy !== name) {
        throw new ArgumentError(`${name}: argument 'data' holds state of strategy ${describeValue(meta.strategy)}, expected "${name}"`, {
          argument: 'data',
          received: meta.strategy,
        });
      }
      if (!negatives) return { negatives: null };
      if (meta.negatives !== negatives.name) {
        throw new ArgumentError(
          `${name}: argument 'data' holds negatives ${describeValue(meta.negatives)}, expected "${negatives.name}"`,
          { argument: 'data', received: meta.negatives },
        );
      }
      return track({ negatives: negatives.deserialize({ tensors: data.tensors, meta: meta.state ?? {} }) });
    },

    disposeState(state: ComposedState<S>): void {
      if (disposed) return;
      live.delete(state);
      if (negatives && state.negatives !== null) negatives.dispose(state.negatives);
    },

    dispose(): void {
      if (disposed) return;
      disposed = true;
      if (negatives) for (const state of live) negatives.dispose(state.negatives as S);
      live.clear();
      for (const part of owns) part.dispose();
    },
  };
}
