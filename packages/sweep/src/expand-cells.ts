/**
 * Expanding a sweep into its cells: (the variants, or one implicit `base` variant) × (the grid's
 * cartesian product, or the seeded random samples, or one empty point) × the seeds. Each cell
 * gets a deterministic readable id and its fully resolved configuration, validated by the run
 * configuration schema; an invalid cell is a {@link ConfigError} naming the cell and the key,
 * before anything runs.
 */
import { ConfigError, ContrastiveError, Rng } from '@contrastive/core';
import { parseConfig, type RunConfig } from '@contrastive/experiment';
import { deepMerge, dottedToObject, flattenLeaves, isPlainObject } from './merge.js';
import type { CellPlan, EvaluationPlan } from './plan.js';
import type { RandomDimension, SweepSpec } from './sweep-spec.js';

/** The name of the implicit variant of a sweep without `variants`. */
export const BASE_VARIANT = 'base';

/** Characters outside this set are replaced by `_` in cell ids. */
const UNSAFE = /[^A-Za-z0-9._=-]/g;

/** A cell id made directory-safe: only `[A-Za-z0-9._=-]`. */
export function sanitizeId(id: string): string {
  const s = id.replace(UNSAFE, '_').replace(/^\.+/, '_');
  return s.length > 0 ? s : '_';
}

/** A value as it appears in a cell id. */
function idValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return String(value);
  return JSON.stringify(value) ?? 'undefined';
}

/** The shortest dotted suffixes of `keys` that are still unique (`strategy.temperature` -> `temperature`). */
export function shortLabels(keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const parts = key.split('.');
    let label = key;
    for (let n = 1; n <= parts.length; n++) {
      const suffix = parts.slice(-n).join('.');
      if (keys.filter((k) => k === suffix || k.endsWith(`.${suffix}`)).length === 1) {
        label = suffix;
        break;
      }
    }
    out[key] = label;
  }
  return out;
}

/** One drawn value of a random dimension. */
function draw(dim: RandomDimension, rng: Rng): unknown {
  if ('uniform' in dim) return rng.uniform(dim.uniform[0], dim.uniform[1]);
  if ('logUniform' in dim) return Math.exp(rng.uniform(Math.log(dim.logUniform[0]), Math.log(dim.logUniform[1])));
  return structuredClone(dim.choice[rng.int(0, dim.choice.length)]);
}

/** A point of the sweep's value space: its values by dotted key and its id part. */
interface Point {
  readonly values: Record<string, unknown>;
  readonly idParts: readonly string[];
  readonly sample?: number;
}

/** The grid's cartesian product (first key slowest), the random samples, or one empty point. */
export function expandPoints(spec: Pick<SweepSpec, 'grid' | 'random'>): Point[] {
  if (spec.random !== undefined) {
    const rng = Rng.fromSeed(spec.random.seed);
    const keys = Object.keys(spec.random.space);
    return Array.from({ length: spec.random.samples }, (_, sample) => {
      const values: Record<string, unknown> = {};
      for (const key of keys) values[key] = draw(spec.random!.space[key] as RandomDimension, rng);
      return { values, idParts: [`sample=${sample}`], sample };
    });
  }
  const grid = spec.grid ?? {};
  const keys = Object.keys(grid);
  const labels = shortLabels(keys);
  let points: Point[] = [{ values: {}, idParts: [] }];
  for (const key of keys) {
    points = points.flatMap((p) => (grid[key] as unknown[]).map((v) => ({ values: { ...p.values, [key]: v }, idParts: [...p.idParts, `${labels[key]}=${idValue(v)}`] })));
  }
  return points;
}

/** The discriminator of each configuration section that is a union. */
const TAGS: readonly (readonly [string, string])[] = [
  ['strategy', 'name'],
  ['encoder', 'kind'],
  ['data', 'dataset'],
];

/**
 * The configuration input of a cell: the base input with the variant's `set`, then the values,
 * then the seed laid on. A union section the overrides touch without naming its kind (a
 * `strategy.temperature` on a base that leaves `strategy` out) takes the base's resolved kind.
 */
export function cellInput(baseInput: unknown, base: RunConfig, set: unknown, values: Readonly<Record<string, unknown>>, seed: number): Record<string, unknown> {
  let merged = deepMerge(isPlainObject(baseInput) ? baseInput : {}, isPlainObject(set) ? set : {});
  for (const [key, value] of Object.entries(values)) merged = deepMerge(merged, dottedToObject(key, value));
  const out = merged as Record<string, unknown>;
  for (const [section, tag] of TAGS) {
    const s = out[section];
    if (isPlainObject(s) && !(tag in s)) out[section] = { [tag]: (base as unknown as Record<string, Record<string, unknown>>)[section]?.[tag], ...s };
  }
  out['seed'] = seed;
  return out;
}

/** Validates a cell's configuration input, naming the cell and the sweep key behind a bad configuration key. */
export function resolveCellConfig(id: string, input: unknown, keys: readonly string[]): RunConfig {
  try {
    return parseConfig(input, `configuration of sweep cell ${id}`);
  } catch (e) {
    if (!(e instanceof ContrastiveError)) throw e;
    const configKey = (e.argument ?? '').replace(/^config\./, '');
    const sweepKey = keys.find((k) => configKey === k || configKey.startsWith(`${k}.`) || k.startsWith(`${configKey}.`));
    const hint = sweepKey === undefined ? '' : ` (set by the sweep key ${sweepKey})`;
    throw new ConfigError(`sweep cell ${id}${hint}: ${e.message}`, {
      argument: e.argument ?? 'config',
      received: e.received,
      expected: e.expected ?? 'a valid configuration',
      cause: e,
    });
  }
}

/** The evaluations of each cell: the spec's named entries, or one unnamed default. */
export function evaluationsOf(spec: Pick<SweepSpec, 'evaluate'>): EvaluationPlan[] {
  return spec.evaluate === undefined ? [{ name: '', set: {} }] : spec.evaluate.map((e) => ({ name: e.name, set: e.set }));
}

/** The configuration one evaluation of a cell uses: the cell's, with the evaluation's partial `eval` section laid on (validated). */
export function evaluationConfig(cellId: string, config: RunConfig, evaluation: EvaluationPlan): RunConfig {
  if (Object.keys(evaluation.set).length === 0) return config;
  const input = { ...config, eval: deepMerge(config.eval, evaluation.set) };
  return resolveCellConfig(`${cellId} (evaluate ${evaluation.name})`, input, Object.keys(evaluation.set).map((k) => `eval.${k}`));
}

/**
 * Expands a sweep into its cells, each with a resolved configuration. `baseInput` is the base
 * configuration as given (a file's parsed value), so a variant that switches a union's kind
 * (`encoder: { kind: convnet }`) does not inherit the other kind's defaults.
 *
 * @example
 * ```ts
 * const cells = expandCells(parseSweepSpec({ name: 't', grid: { 'strategy.temperature': [0.1, 0.5] }, seeds: [0, 1] }), {});
 * cells.map((c) => c.id); // ['temperature=0.1.seed=0', 'temperature=0.1.seed=1', 'temperature=0.5.seed=0', 'temperature=0.5.seed=1']
 * ```
 */
export function expandCells(spec: SweepSpec, baseInput: unknown): CellPlan[] {
  const base = parseConfig(baseInput, 'base configuration');
  const variants = spec.variants ?? [{ name: BASE_VARIANT, set: {} }];
  const named = spec.variants !== undefined;
  const points = expandPoints(spec);
  const seeds = spec.seeds ?? [base.seed];
  const evaluations = evaluationsOf(spec);
  const taken = new Set<string>();
  const cells: CellPlan[] = [];
  for (const variant of variants) {
    for (const point of points) {
      const groupParts = [...(named ? [variant.name] : []), ...point.idParts];
      for (const seed of seeds) {
        let group = sanitizeId(groupParts.length > 0 ? groupParts.join('.') : BASE_VARIANT);
        let id = `${group}.seed=${seed}`;
        for (let n = 2; taken.has(id); n++) {
          group = `${sanitizeId(groupParts.join('.'))}-${n}`;
          id = `${group}.seed=${seed}`;
        }
        taken.add(id);
        const keys = [...Object.keys(variant.set), ...Object.keys(point.values)];
        const config = resolveCellConfig(id, cellInput(baseInput, base, variant.set, point.values, seed), keys);
        for (const evaluation of evaluations) evaluationConfig(id, config, evaluation);
        cells.push({
          id,
          group,
          variant: variant.name,
          seed,
          ...(point.sample === undefined ? {} : { sample: point.sample }),
          values: point.values,
          overrides: { ...flattenLeaves(variant.set), ...point.values, seed },
          config,
        });
      }
    }
  }
  return cells;
}
