/**
 * The losses as core's `ContrastiveLoss`: objects a strategy calls with `LossInputs`
 * (views, keys, negatives, labels), so `compose()` can mix any loss with any negative source.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import { ArgumentError, describeValue, type ContrastiveLoss, type LossInputs } from '@contrastive/core';
import { infoNce, type InfoNceOptions } from './info-nce.js';
import { ntXent, type NtXentOptions } from './nt-xent.js';
import { barlowTwins, type BarlowTwinsOptions, barlowTwinsOptions } from './barlow-twins.js';
import { dcl, dclOptions, type DclOptions, dclw, type DclwOptions } from './dcl.js';
import { negativeCosine, type NegativeCosineOptions, negativeCosineOptions, symmetricNegativeCosine } from './negative-cosine.js';
import { booleanOrDefault, checkBaseOptions, knownOptions, oneOfOrDefault, scaleFactor } from './options.js';
import { vicreg, type VicregOptions, vicregOptions } from './vicreg.js';
import { supCon, type SupConOptions } from './sup-con.js';

function checkInputs(where: string, inputs: unknown): asserts inputs is LossInputs {
  if (typeof inputs !== 'object' || inputs === null || !Array.isArray((inputs as { views?: unknown }).views)) {
    throw new ArgumentError(`${where}: argument 'inputs' must be LossInputs { views, keys?, negatives?, labels? }, received ${describeValue(inputs)}`, {
      argument: 'inputs',
      expected: 'LossInputs',
      received: inputs,
    });
  }
}

function rejectInput(where: string, inputs: LossInputs, field: 'keys' | 'negatives', hint: string): void {
  if (inputs[field] !== undefined) {
    throw new ArgumentError(`${where}: argument 'inputs.${field}' is not used by this loss (${hint}), received ${describeValue(inputs[field])}`, {
      argument: `inputs.${field}`,
      expected: 'undefined',
      received: inputs[field],
    });
  }
}

/**
 * {@link ntXent} as a `ContrastiveLoss` (SimCLR, Chen et al. 2020). Reads `inputs.views`,
 * which must hold exactly two views; ignores `labels`; rejects `keys` and `negatives` (use
 * {@link infoNceLoss} for external negatives).
 *
 * @example
 * ```ts
 * const strategy = compose({ name: 'simclr', augment, encoder, head, loss: ntXentLoss({ temperature: 0.5 }) });
 * ```
 */
export function ntXentLoss(options: NtXentOptions): ContrastiveLoss {
  const where = 'ntXentLoss';
  scaleFactor(where, options.scale, checkBaseOptions(where, options).temperature);
  const opts = { ...options };
  return {
    name: 'nt-xent',
    compute(inputs: LossInputs): Scalar {
      const [z1, z2] = twoViews(`${where}.compute`, inputs, 'NT-Xent');
      return ntXent(z1, z2, opts);
    },
  };
}

/** A `ContrastiveLoss` named `name` that computes `f` of the two online views (see {@link twoViews}). */
function twoViewLoss(where: string, name: string, loss: string, f: (z1: Tensor2D, z2: Tensor2D) => Scalar): ContrastiveLoss {
  return { name, compute: (inputs: LossInputs): Scalar => f(...twoViews(`${where}.compute`, inputs, loss)) };
}

/**
 * The two online views of `inputs`, for a loss of exactly two views that uses neither keys nor
 * external negatives (labels are ignored).
 */
function twoViews(where: string, inputs: unknown, loss: string): [Tensor2D, Tensor2D] {
  checkInputs(where, inputs);
  rejectInput(where, inputs, 'keys', `${loss} contrasts the two online views`);
  rejectInput(where, inputs, 'negatives', `${loss} uses no external negatives; use infoNceLoss or supConLoss for a queue or bank`);
  if (inputs.views.length !== 2) {
    throw new ArgumentError(`${where}: argument 'inputs.views' must hold exactly 2 views, received ${inputs.views.length}`, {
      argument: 'inputs.views',
      expected: '2 views',
      received: inputs.views,
    });
  }
  return [inputs.views[0] as Tensor2D, inputs.views[1] as Tensor2D];
}

/** Options of {@link supConLoss}. */
export interface SupConLossOptions extends SupConOptions {
  /** Throw when `inputs.labels` is missing instead of falling back to SimCLR's positives (default false). */
  readonly requireLabels?: boolean;
}

/**
 * {@link supCon} as a `ContrastiveLoss` (Khosla et al. 2020). Reads `inputs.views` (V >= 1),
 * `inputs.labels` (optional unless `requireLabels`; without labels each sample is its own
 * class), and `inputs.negatives` with `inputs.negativeLabels` (a labelled queue or bank: rows
 * with the anchor's label are positives too, rows labelled -1 never; without
 * `negativeLabels` the rows are plain negatives); rejects `keys`.
 *
 * @example
 * ```ts
 * const loss = supConLoss({ temperature: 0.1, requireLabels: true });
 * const strategy = compose({ name: 'supcon', augment, encoder, head, loss, useLabels: true });
 * // against a labelled queue: loss.compute({ views, labels, negatives: rows, negativeLabels: rowLabels })
 * ```
 */
export function supConLoss(options: SupConLossOptions): ContrastiveLoss {
  const where = 'supConLoss';
  scaleFactor(where, options.scale, checkBaseOptions(where, options).temperature);
  knownOptions(where, options, ['temperature', 'variant', 'scale', 'checkValues', 'requireLabels']);
  oneOfOrDefault(where, 'options.variant', options.variant, ['out', 'in'] as const, 'out');
  const requireLabels = booleanOrDefault(where, 'options.requireLabels', options.requireLabels, false);
  const { requireLabels: _ignored, ...opts } = options;
  return {
    name: options.variant === 'in' ? 'supcon-in' : 'supcon-out',
    compute(inputs: LossInputs): Scalar {
      checkInputs(`${where}.compute`, inputs);
      rejectInput(`${where}.compute`, inputs, 'keys', 'SupCon contrasts the online views');
      if (requireLabels && inputs.labels === undefined) {
        throw new ArgumentError(`${where}.compute: argument 'inputs.labels' is required (options.requireLabels), received undefined`, {
          argument: 'inputs.labels',
          expected: 'a Tensor1D of N integer labels',
          received: undefined,
        });
      }
      // negativeLabels: core's LossInputs field for a labelled negative source (read structurally,
      // so this compiles with or without it in the contract)
      const negativeLabels = (inputs as LossInputs & { readonly negativeLabels?: Tensor1D }).negativeLabels;
      return supCon(inputs.views, inputs.labels, {
        ...opts,
        ...(inputs.negatives === undefined ? {} : { negatives: inputs.negatives }),
        ...(negativeLabels === undefined ? {} : { negativeLabels }),
      });
    },
  };
}

/** Options of {@link infoNceLoss}. */
export interface InfoNceLossOptions extends InfoNceOptions {
  /**
   * The (query view, key view) pairs to contrast; their losses are averaged. Default: with
   * V >= 2 views every ordered pair (v, w), v ≠ w (for V = 2 the symmetric loss of MoCo v3,
   * averaged rather than summed); with one view `[[0, 0]]` (the strategy computed the key from
   * the other augmentation already). `[[0, 1]]` is MoCo v1/v2's one-directional loss.
   */
  readonly pairs?: readonly (readonly [number, number])[];
}

/**
 * {@link infoNce} as a `ContrastiveLoss` (MoCo, He et al. 2020). Queries are `inputs.views`;
 * keys are `inputs.keys` (a momentum encoder's, per view) or, when absent, the views
 * themselves under stop-gradient (SimCLR + memory bank, InstDisc); negatives are
 * `inputs.negatives` (queue or bank rows) or, when absent, the other keys in the batch.
 * Ignores `labels`.
 *
 * @example
 * ```ts
 * const mocoV2 = infoNceLoss({ temperature: 0.2, pairs: [[0, 1]] });   // q from view 1, k from view 2
 * const loss = mocoV2.compute({ views: [q1, q2], keys: [k1, k2], negatives: queueRows });
 * ```
 */
export function infoNceLoss(options: InfoNceLossOptions): ContrastiveLoss {
  const where = 'infoNceLoss';
  checkBaseOptions(where, options);
  const pairs = options.pairs;
  if (pairs !== undefined && (!Array.isArray(pairs) || pairs.length === 0 || !pairs.every(isIndexPair))) {
    throw new ArgumentError(`${where}: argument 'options.pairs' must be a non-empty array of [queryView, keyView] index pairs, received ${describeValue(pairs)}`, {
      argument: 'options.pairs',
      expected: 'a non-empty array of [queryView, keyView] integer pairs',
      received: pairs,
    });
  }
  const { pairs: _pairs, ...opts } = options;
  return {
    name: 'info-nce',
    compute(inputs: LossInputs): Scalar {
      const at = `${where}.compute`;
      checkInputs(at, inputs);
      const queries = inputs.views;
      const keys = inputs.keys ?? queries;
      if (queries.length === 0 || keys.length !== queries.length) {
        throw new ArgumentError(
          `${at}: argument 'inputs.keys' must hold one key matrix per view (${queries.length}), received ${describeValue(inputs.keys)}`,
          { argument: 'inputs.keys', expected: `${queries.length} key matrices`, received: inputs.keys },
        );
      }
      if (inputs.keys === undefined && queries.length < 2 && pairs === undefined) {
        throw new ArgumentError(`${at}: argument 'inputs.keys' is required with a single view (its positive would be itself), received undefined`, {
          argument: 'inputs.keys',
          expected: 'key embeddings, or at least 2 views',
          received: undefined,
        });
      }
      const chosen = pairs ?? defaultPairs(queries.length);
      for (const [qv, kv] of chosen) {
        if (qv >= queries.length || kv >= keys.length) {
          throw new ArgumentError(`${at}: argument 'options.pairs' names view [${qv}, ${kv}] but there are ${queries.length} views`, {
            argument: 'options.pairs',
            expected: `view indices below ${queries.length}`,
            received: pairs,
          });
        }
      }
      const negatives = inputs.negatives ?? null;
      return tf.tidy(() => {
        const losses = chosen.map(([qv, kv]) => infoNce(queries[qv] as Tensor2D, keys[kv] as Tensor2D, negatives, opts));
        return losses.length === 1 ? (losses[0] as Scalar) : (tf.div(tf.addN(losses), losses.length) as Scalar);
      });
    },
  };
}

function isIndexPair(p: unknown): p is readonly [number, number] {
  return Array.isArray(p) && p.length === 2 && p.every((i) => Number.isSafeInteger(i) && (i as number) >= 0);
}

function defaultPairs(views: number): (readonly [number, number])[] {
  if (views === 1) return [[0, 0]];
  const out: [number, number][] = [];
  for (let q = 0; q < views; q++) for (let k = 0; k < views; k++) if (q !== k) out.push([q, k]);
  return out;
}

/**
 * {@link negativeCosine} as a `ContrastiveLoss` (BYOL, Grill et al. 2020; SimSiam, Chen & He
 * 2021). `inputs.views` are the predictions p (gradients flow) and `inputs.keys` the targets z
 * (stop-gradient: the target network's projections, or SimSiam's own projections), one per
 * view. Two views: the symmetric loss `½ D(p1, z2) + ½ D(p2, z1)`; one view: `D(p1, z1)` (the
 * strategy paired them). Ignores `labels`; rejects `negatives`.
 *
 * @example
 * ```ts
 * const byol = compose({ name: 'byol', augment, encoder, head, keyBranch, loss: negativeCosineLoss() });
 * ```
 */
export function negativeCosineLoss(options?: NegativeCosineOptions): ContrastiveLoss {
  const where = 'negativeCosineLoss';
  negativeCosineOptions(where, options);
  const opts = { ...options };
  return {
    name: 'negative-cosine',
    compute(inputs: LossInputs): Scalar {
      const at = `${where}.compute`;
      checkInputs(at, inputs);
      rejectInput(at, inputs, 'negatives', 'the negative cosine has no negatives');
      const { views, keys } = inputs;
      if (keys === undefined || keys.length !== views.length || (views.length !== 1 && views.length !== 2)) {
        throw new ArgumentError(`${at}: argument 'inputs.keys' must hold one stop-gradient target per view (1 or 2 views), received ${describeValue(keys)} for ${views.length} views`, {
          argument: 'inputs.keys',
          expected: 'one target matrix per view, with 1 or 2 views',
          received: keys,
        });
      }
      return views.length === 1
        ? negativeCosine(views[0] as Tensor2D, keys[0] as Tensor2D, opts)
        : symmetricNegativeCosine(views[0] as Tensor2D, views[1] as Tensor2D, keys[0] as Tensor2D, keys[1] as Tensor2D, opts);
    },
  };
}

/**
 * {@link barlowTwins} as a `ContrastiveLoss` (Zbontar et al. 2021). Reads the two
 * `inputs.views`; ignores `labels`; rejects `keys` and `negatives`.
 *
 * @example
 * ```ts
 * const strategy = compose({ name: 'barlow-twins', augment, encoder, head, loss: barlowTwinsLoss({ lambda: 5e-3 }) });
 * ```
 */
export function barlowTwinsLoss(options?: BarlowTwinsOptions): ContrastiveLoss {
  barlowTwinsOptions('barlowTwinsLoss', options);
  const opts = { ...options };
  return twoViewLoss('barlowTwinsLoss', 'barlow-twins', 'Barlow Twins', (z1, z2) => barlowTwins(z1, z2, opts));
}

/**
 * {@link vicreg} as a `ContrastiveLoss` (Bardes et al. 2022). Reads the two `inputs.views`;
 * ignores `labels`; rejects `keys` and `negatives`. Use `vicregTerms` directly to monitor the
 * three terms.
 *
 * @example
 * ```ts
 * const strategy = compose({ name: 'vicreg', augment, encoder, head, loss: vicregLoss() }); // 25 / 25 / 1
 * ```
 */
export function vicregLoss(options?: VicregOptions): ContrastiveLoss {
  vicregOptions('vicregLoss', options);
  const opts = { ...options };
  return twoViewLoss('vicregLoss', 'vicreg', 'VICReg', (z1, z2) => vicreg(z1, z2, opts));
}

/**
 * {@link dcl} as a `ContrastiveLoss` (Yeh et al. 2022). Reads the two `inputs.views`; ignores
 * `labels`; rejects `keys` and `negatives`.
 *
 * @example
 * ```ts
 * const strategy = compose({ name: 'dcl', augment, encoder, head, loss: dclLoss({ temperature: 0.1 }) });
 * ```
 */
export function dclLoss(options: DclOptions): ContrastiveLoss {
  dclOptions('dclLoss', options, false);
  const opts = { ...options };
  return twoViewLoss('dclLoss', 'dcl', 'DCL', (z1, z2) => dcl(z1, z2, opts));
}

/**
 * {@link dclw} as a `ContrastiveLoss` (Yeh et al. 2022, weighted). Reads the two
 * `inputs.views`; ignores `labels`; rejects `keys` and `negatives`.
 *
 * @example
 * ```ts
 * const loss = dclwLoss({ temperature: 0.1, sigma: 0.5 });
 * ```
 */
export function dclwLoss(options: DclwOptions): ContrastiveLoss {
  dclOptions('dclwLoss', options, true);
  const opts = { ...options };
  return twoViewLoss('dclwLoss', 'dclw', 'DCLW', (z1, z2) => dclw(z1, z2, opts));
}
