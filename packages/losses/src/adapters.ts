/**
 * The losses as core's `ContrastiveLoss`: objects a strategy calls with `LossInputs`
 * (views, keys, negatives, labels), so `compose()` can mix any loss with any negative source.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { ArgumentError, describeValue, type ContrastiveLoss, type LossInputs, assertKnownKeys } from '@contrastive/core';
import { infoNce, type InfoNceOptions } from './info-nce.js';
import { ntXent, type NtXentOptions } from './nt-xent.js';
import { booleanOrDefault, checkBaseOptions, oneOfOrDefault, scaleFactor } from './options.js';
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
  assertKnownKeys(where, 'options', options, ['temperature', 'checkValues', 'scale']);
  const { temperature } = checkBaseOptions(where, options); // first: it refuses a missing options object
  scaleFactor(where, options.scale, temperature);
  const opts = { ...options };
  return {
    name: 'nt-xent',
    compute(inputs: LossInputs): Scalar {
      checkInputs(`${where}.compute`, inputs);
      rejectInput(`${where}.compute`, inputs, 'keys', 'NT-Xent contrasts the two online views');
      rejectInput(`${where}.compute`, inputs, 'negatives', 'NT-Xent uses in-batch negatives; use infoNceLoss for a queue or bank');
      if (inputs.views.length !== 2) {
        throw new ArgumentError(`${where}.compute: argument 'inputs.views' must hold exactly 2 views, received ${inputs.views.length}`, {
          argument: 'inputs.views',
          expected: '2 views',
          received: inputs.views,
        });
      }
      return ntXent(inputs.views[0] as Tensor2D, inputs.views[1] as Tensor2D, opts);
    },
  };
}

/** Options of {@link supConLoss}. */
export interface SupConLossOptions extends SupConOptions {
  /** Throw when `inputs.labels` is missing instead of falling back to SimCLR's positives (default false). */
  readonly requireLabels?: boolean;
}

/**
 * {@link supCon} as a `ContrastiveLoss` (Khosla et al. 2020). Reads `inputs.views` (V >= 1)
 * and `inputs.labels` (optional unless `requireLabels`; without labels each sample is its own
 * class); rejects `keys` and `negatives`.
 *
 * @example
 * ```ts
 * const loss = supConLoss({ temperature: 0.1, requireLabels: true });
 * const strategy = compose({ name: 'supcon', augment, encoder, head, loss, useLabels: true });
 * ```
 */
export function supConLoss(options: SupConLossOptions): ContrastiveLoss {
  const where = 'supConLoss';
  assertKnownKeys(where, 'options', options, ['temperature', 'checkValues', 'variant', 'scale', 'requireLabels']);
  const { temperature } = checkBaseOptions(where, options); // first: it refuses a missing options object
  scaleFactor(where, options.scale, temperature);
  oneOfOrDefault(where, 'options.variant', options.variant, ['out', 'in'] as const, 'out');
  const requireLabels = booleanOrDefault(where, 'options.requireLabels', options.requireLabels, false);
  const { requireLabels: _ignored, ...opts } = options;
  return {
    name: options.variant === 'in' ? 'supcon-in' : 'supcon-out',
    compute(inputs: LossInputs): Scalar {
      checkInputs(`${where}.compute`, inputs);
      rejectInput(`${where}.compute`, inputs, 'keys', 'SupCon contrasts the online views');
      rejectInput(`${where}.compute`, inputs, 'negatives', 'SupCon has no labels for external negatives');
      if (requireLabels && inputs.labels === undefined) {
        throw new ArgumentError(`${where}.compute: argument 'inputs.labels' is required (options.requireLabels), received undefined`, {
          argument: 'inputs.labels',
          expected: 'a Tensor1D of N integer labels',
          received: undefined,
        });
      }
      return supCon(inputs.views, inputs.labels, opts);
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
  assertKnownKeys(where, 'options', options, ['temperature', 'checkValues', 'inBatchNegatives', 'pairs']);
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
