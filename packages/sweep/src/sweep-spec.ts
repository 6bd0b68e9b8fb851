/**
 * The sweep file (`sweep.yaml`): what varies between the cells of a sweep and what is measured
 * after training each one. Validated with a closed zod schema: an unknown key, a value of the
 * wrong type or an empty list is a {@link ConfigError} naming the key (`sweep.grid`), what was
 * expected and what was received, before anything runs.
 *
 * ```yaml
 * name: temperature
 * seeds: [0, 1]
 * grid: { strategy.temperature: [0.05, 0.1, 0.5, 1.0] }
 * variants: [{ name: linear-head, set: { head: { kind: linear } } }]
 * random: { samples: 6, seed: 0, space: { optimizer.lr: { logUniform: [1.0e-4, 1.0e-2] } } }
 * measure: [knn, linear, alignment, uniformity]
 * evaluate: [{ name: h, set: { k: 20 } }]
 * ```
 */
import { ConfigError, closestKey, describeValue } from '@contrastive/core';
import { z } from 'zod';

/** What can be measured after training a cell. */
export const MEASURES = ['knn', 'linear', 'alignment', 'uniformity'] as const;
/** One of {@link MEASURES}. */
export type Measure = (typeof MEASURES)[number];

/** Letters, digits, `.`, `_`, `-`: a name that is safe in a directory name. */
const NAME = /^[A-Za-z0-9._-]+$/;
/** A dotted configuration key, e.g. `strategy.temperature`. */
const DOTTED = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;

const nameSchema = () => z.string().regex(NAME, 'letters, digits, ".", "_" or "-"');
const dottedKey = z.string().regex(DOTTED, 'a dotted configuration key such as strategy.temperature');
const plainObject = z.record(z.string(), z.unknown());
const range = z
  .tuple([z.number(), z.number()])
  .refine(([lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi, 'a pair [min, max] of finite numbers with min <= max');
const positiveRange = range.refine(([lo]) => lo > 0, 'a pair [min, max] with 0 < min <= max');

/** One dimension of a random search space. */
const dimensionSchema = z.union([
  z.strictObject({ uniform: range }),
  z.strictObject({ logUniform: positiveRange }),
  z.strictObject({ choice: z.array(z.unknown()).min(1) }),
]);

/** The sweep file schema (zod). Parse with {@link parseSweepSpec} for key-named errors. */
export const sweepSpecSchema = z
  .strictObject({
    /** The sweep's name; its directory is `<out>/<name>`. */
    name: nameSchema(),
    /** Every cell runs once per seed (the configuration's `seed`); default: the base configuration's seed. */
    seeds: z.array(z.int().min(0)).min(1).optional(),
    /** Cartesian product over dotted configuration keys. */
    grid: z.record(dottedKey, z.array(z.unknown()).min(1)).optional(),
    /** Named variants, each a partial configuration deep-merged onto the base (arrays replace). */
    variants: z.array(z.strictObject({ name: nameSchema(), set: plainObject })).min(1).optional(),
    /** Seeded random samples of a search space (exclusive with `grid`). */
    random: z
      .strictObject({
        samples: z.int().min(1).max(10000),
        seed: z.int().min(0).default(0),
        space: z.record(dottedKey, dimensionSchema),
      })
      .optional(),
    /** What to evaluate after training each cell (with the cell configuration's `eval` section). */
    measure: z.array(z.enum(MEASURES)).min(1).default(['knn']),
    /** Several evaluations of the same trained encoder, each a named partial `eval` section. */
    evaluate: z.array(z.strictObject({ name: nameSchema(), set: plainObject })).min(1).optional(),
  })
  .refine((s) => s.grid === undefined || s.random === undefined, { message: 'either grid or random, not both', path: ['random'] })
  .refine((s) => !('seed' in (s.grid ?? {})), { message: "the seeds of a sweep in 'seeds', not in the grid", path: ['grid', 'seed'] })
  .refine((s) => !('seed' in (s.random?.space ?? {})), { message: "the seeds of a sweep in 'seeds', not in the random space", path: ['random', 'space', 'seed'] });

/** A validated sweep file with its defaults filled in. */
export type SweepSpec = z.output<typeof sweepSpecSchema>;
/** What a sweep file may hold. */
export type SweepSpecInput = z.input<typeof sweepSpecSchema>;
/** One dimension of a random search space. */
export type RandomDimension = z.output<typeof dimensionSchema>;

type Issue = z.core.$ZodIssue;

function valueAt(input: unknown, parts: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of parts) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function formatPath(parts: readonly PropertyKey[]): string {
  let out = 'sweep';
  for (const key of parts) out += typeof key === 'number' ? `[${key}]` : typeof key === 'string' && !DOTTED.test(key) ? `[${JSON.stringify(key)}]` : `.${String(key)}`;
  return out;
}

/** The keys allowed in the object at `parts` of a sweep file. */
function allowedKeysAt(parts: readonly PropertyKey[]): readonly string[] {
  if (parts.length === 0) return ['name', 'seeds', 'grid', 'variants', 'random', 'measure', 'evaluate'];
  if (parts[0] === 'random') return parts.length === 1 ? ['samples', 'seed', 'space'] : ['uniform', 'logUniform', 'choice'];
  return ['name', 'set'];
}

interface Problem {
  readonly path: string;
  readonly message: string;
  readonly received: unknown;
  readonly expected: string;
}

function describeIssue(issue: Issue, input: unknown): Problem[] {
  const received = valueAt(input, issue.path);
  const where = formatPath(issue.path);
  const got = received === undefined ? 'nothing' : describeValue(received);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(issue.path);
      return issue.keys.map((key) => {
        const close = closestKey(key, allowed);
        return {
          path: formatPath([...issue.path, key]),
          message: `unknown key${close === undefined ? '' : ` (did you mean '${close}'?)`}; allowed keys here: ${allowed.join(', ')}`,
          received: key,
          expected: `one of the keys ${allowed.join(', ')}`,
        };
      });
    }
    case 'invalid_type': {
      // zod reports an integer field's wrong type as 'number': the integer fields are named here.
      const integer = issue.expected === 'int' || (issue.expected === 'number' && issue.path.some((p) => p === 'seeds' || p === 'samples' || p === 'seed'));
      const expected = integer ? 'an integer' : issue.expected === 'object' ? 'a mapping of keys to values' : issue.expected === 'array' ? 'a list' : `a ${String(issue.expected)}`;
      return [{ path: where, message: `expected ${expected}, received ${got}`, received, expected }];
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const expected = issue.origin === 'array' ? `a list of ${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} items` : `a number ${issue.code === 'too_small' ? '>=' : '<='} ${bound}`;
      return [{ path: where, message: `expected ${expected}, received ${got}`, received, expected }];
    }
    case 'invalid_value': {
      const expected = `one of ${issue.values.map((x) => describeValue(x)).join(' | ')}`;
      return [{ path: where, message: `expected ${expected}, received ${got}`, received, expected }];
    }
    case 'invalid_key': {
      const key = (issue as unknown as { input?: unknown }).input;
      const expected = 'a dotted configuration key such as strategy.temperature';
      return [{ path: formatPath([...issue.path, String(key)]), message: `expected ${expected}, received ${describeValue(key)}`, received: key, expected }];
    }
    case 'invalid_union': {
      const expected = issue.path[0] === 'random' ? 'one of { uniform: [min, max] }, { logUniform: [min, max] }, { choice: [values...] }' : 'a valid value';
      return [{ path: where, message: `expected ${expected}, received ${got}`, received, expected }];
    }
    case 'invalid_format':
      return [{ path: where, message: `expected ${issue.message}, received ${got}`, received, expected: issue.message }];
    case 'custom':
      return [{ path: where, message: `expected ${issue.message}, received ${got}`, received, expected: issue.message }];
    default:
      return [{ path: where, message: `${issue.message}, received ${got}`, received, expected: issue.message }];
  }
}

/**
 * Validates a sweep file's value (parsed from YAML or JSON) and fills in its defaults. Throws a
 * {@link ConfigError} listing every problem with its key (`sweep.random.space.optimizer.lr`).
 *
 * @example
 * ```ts
 * const spec = parseSweepSpec({ name: 't', grid: { 'strategy.temperature': [0.1, 0.5] } });
 * spec.measure; // ['knn']
 * ```
 */
export function parseSweepSpec(value: unknown, source = 'sweep file'): SweepSpec {
  const input = value ?? {};
  const result = sweepSpecSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => describeIssue(issue, input));
  const first = problems[0];
  throw new ConfigError(`invalid ${source}:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`, {
    argument: first?.path ?? 'sweep',
    received: first?.received,
    expected: first?.expected ?? 'a valid sweep file',
  });
}
