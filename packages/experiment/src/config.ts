/**
 * The run configuration of `contrastive train` (and of the main job): one JSON or YAML file,
 * validated with a zod schema. Every key has a default, so `{}` is a valid configuration (a
 * SimCLR run, Chen et al. 2020, with the paper's CIFAR-10 augmentation settings, Appendix
 * B.9). Unknown keys and bad values are reported with their path, e.g.
 * `config.optimizer.lr: expected a number > 0, received -1`, as a {@link ConfigError}.
 */
import { ConfigError, describeValue } from '@contrastive/core';
import { COMPOSITION_TRANSFORMS } from '@contrastive/augment';
import { MIN_TEMPERATURE } from '@contrastive/losses';
import { YAMLParseError } from 'yaml';
import { z } from 'zod';
import { assertKeyCount, parseJsonConfig, parseYamlConfig } from './config-text.js';
import { dataConfigSchema } from './data-config.js';

/** Problems listed in a configuration error; the rest are counted. */
const MAX_LISTED_PROBLEMS = 20;

const positive = () => z.number().gt(0);
const nonNegative = () => z.number().min(0);
const posInt = () => z.int().min(1);
/** A loss temperature: the losses refuse values below MIN_TEMPERATURE (float32 limit); say so at the config key. */
const temperature = () => z.number().min(MIN_TEMPERATURE);
/** The largest base learning rate accepted (a guard against typos such as 1e308, whose update overflows float32). */
export const MAX_LEARNING_RATE = 1000;

/** Keys of an encoder, by kind. */
const resnetEncoder = z.strictObject({
  kind: z.literal('resnet'),
  /** 18 or 34 (basic blocks) or 50 (bottleneck blocks). */
  depth: z.literal([18, 34, 50]).default(18),
  stem: z.enum(['cifar', 'imagenet']).default('cifar'),
  /** Multiplies the widths 64-128-256-512; 0.25 gives 16-32-64-128. */
  widthMultiplier: positive().default(0.25),
  zeroInitResidual: z.boolean().default(false),
});
const convnetEncoder = z.strictObject({
  kind: z.literal('convnet'),
  widths: z.array(posInt()).min(1).default([32, 64, 128]),
  batchNorm: z.boolean().default(true),
});

const mlpEncoder = z.strictObject({
  kind: z.literal('mlp'),
  /** Widths of the hidden layers; the representation h is the last one. */
  hidden: z.array(posInt()).min(1).default([64, 64]),
  batchNorm: z.boolean().default(true),
  activation: z.enum(['relu', 'tanh']).default('relu'),
});

/** The variant a union picks when its discriminator is left out: a ResNet encoder, CIFAR-10 data. */
const DEFAULT_TAGS: Readonly<Record<string, string>> = { kind: 'resnet', dataset: 'cifar10' };

/** Fills in the default `discriminator` (see {@link DEFAULT_TAGS}) when an object names none. */
const withDefaultTag =
  (discriminator: string) =>
  (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || discriminator in value) return value;
    return { [discriminator]: DEFAULT_TAGS[discriminator], ...value };
  };

const strategySchema = z.discriminatedUnion('name', [
  z.strictObject({
    name: z.literal('simclr'),
    /** NT-Xent τ; 0.5 is SimCLR's CIFAR-10 setting (Appendix B.9). */
    temperature: temperature().default(0.5),
  }),
  z.strictObject({
    name: z.literal('supcon'),
    /** Khosla et al. 2020 use τ = 0.1. */
    temperature: temperature().default(0.1),
    variant: z.enum(['out', 'in']).default('out'),
  }),
  z.strictObject({
    name: z.literal('mocoV2'),
    /** MoCo v2's τ = 0.2 (Chen et al. 2020, "Improved Baselines"). */
    temperature: temperature().default(0.2),
    queueSize: posInt().default(4096),
    momentum: z.number().min(0).max(1).default(0.99),
    /** Raise the momentum from `momentum` to 1 along a cosine over the run (BYOL's schedule). */
    cosineMomentum: z.boolean().default(false),
    /** Split-BatchNorm groups of the key encoder (the one-device stand-in for shuffling BN). */
    shuffleGroups: posInt().default(1),
    symmetric: z.boolean().default(false),
  }),
  z.strictObject({
    name: z.literal('instDisc'),
    /** Wu et al. 2018 use τ = 0.07. */
    temperature: temperature().default(0.07),
    numNegatives: posInt().default(4096),
    /** Memory-bank update momentum (Wu et al. 2018: 0.5). */
    bankMomentum: z.number().min(0).max(1).default(0.5),
  }),
  z.strictObject({
    name: z.literal('byol'),
    /** Base momentum τ_base of the target network (Grill et al. 2020: 0.996). */
    momentum: z.number().min(0).max(1).default(0.99),
    /** Raise the momentum from τ_base to 1 along a cosine over the run (BYOL, Sec. 3.2). */
    cosineMomentum: z.boolean().default(true),
    /** Hidden width of the predictor; default min(4096, 16 x head.outputDim). */
    predictorHiddenDim: posInt().optional(),
  }),
  z.strictObject({
    name: z.literal('simsiam'),
    /** Hidden width of the predictor; default head.outputDim / 4 (SimSiam's bottleneck). */
    predictorHiddenDim: posInt().optional(),
    /** false removes the stop-gradient (the collapsing ablation of Chen & He 2021, Sec. 4.1). */
    stopGradient: z.boolean().default(true),
  }),
  z.strictObject({
    name: z.literal('barlowTwins'),
    /** Weight of the off-diagonal term (Zbontar et al. 2021: 5e-3). */
    lambda: nonNegative().default(5e-3),
  }),
  z.strictObject({
    name: z.literal('vicreg'),
    /** Weights of the invariance, variance and covariance terms (Bardes et al. 2022: 25, 25, 1). */
    invariance: nonNegative().default(25),
    variance: nonNegative().default(25),
    covariance: nonNegative().default(1),
    epsilon: positive().default(1e-4),
  }),
  z.strictObject({
    name: z.literal('nnclr'),
    /** Dwibedi et al. 2021 use τ = 0.1. */
    temperature: positive().default(0.1),
    /** Support-set size (the paper: 98304 on ImageNet). */
    queueSize: posInt().default(4096),
    predictorHiddenDim: posInt().optional(),
  }),
  z.strictObject({
    name: z.literal('dcl'),
    /** Yeh et al. 2022 use τ = 0.1 on CIFAR-10. */
    temperature: positive().default(0.1),
    /** DCLW: weight the positive term by a von Mises-Fisher kernel of width σ. */
    weighted: z.boolean().default(false),
    sigma: positive().default(0.5),
  }),
  z.strictObject({
    name: z.literal('supconQueue'),
    /** Khosla et al. 2020 use τ = 0.1. */
    temperature: positive().default(0.1),
    variant: z.enum(['out', 'in']).default('out'),
    /** Labelled queue of past keys. */
    queueSize: posInt().default(4096),
    momentum: z.number().min(0).max(1).default(0.99),
    cosineMomentum: z.boolean().default(false),
  }),
]);

/** Multi-crop local views (Caron et al. 2020, SwAV, Sec. 3.2), after the two global views. */
const localCropsSchema = z.strictObject({
  /** Number of local crops. */
  count: posInt(),
  /** Their side in pixels (smaller than the 32-pixel global views). */
  size: z.int().min(1).max(32),
  /** Crop area range; SwAV's (0.05, 0.14). */
  scale: z
    .tuple([z.number().gt(0).max(1), z.number().gt(0).max(1)])
    .refine(([lo, hi]) => lo <= hi, 'a pair [min, max] with min <= max')
    .default([0.05, 0.14]),
});

const linearProbeSchema = z.strictObject({
  epochs: posInt().default(100),
  lr: positive().default(1e-3),
  weightDecay: nonNegative().default(1e-4),
  batchSize: posInt().default(256),
  optimizer: z.enum(['adam', 'sgd']).default('adam'),
});

/** The configuration schema (zod). Parse with {@link parseConfig} for path-named errors. */
export const runConfigSchema = z.strictObject({
  /** Run name; the output directory defaults to `runs/<name>`. */
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" or "-"').default('run'),
  /** Seed of everything random: weights, data order, augmentations, evaluation subsets. */
  seed: z.int().min(0).default(0),
  /** Output directory (relative paths are resolved against the working directory). */
  outDir: z.string().min(1).optional(),
  data: z.preprocess(withDefaultTag('dataset'), dataConfigSchema).prefault({}),
  encoder: z.preprocess(withDefaultTag('kind'), z.discriminatedUnion('kind', [resnetEncoder, convnetEncoder, mlpEncoder])).prefault({}),
  head: z
    .strictObject({
      /** 'none': z = h, no projection (SimCLR Figure 8's ablation). */
      kind: z.enum(['mlp', 'mlpV2', 'linear', 'none']).default('mlp'),
      /** Hidden width; default the encoder's output size (SimCLR). */
      hiddenDim: posInt().optional(),
      outputDim: posInt().default(128),
    })
    .prefault({}),
  strategy: strategySchema.prefault({ name: 'simclr' }),
  augment: z
    .strictObject({
      /** Default: 'noise' for tabular data, 'mocoV2' for mocoV2, 'byol' for byol, barlowTwins and vicreg, else 'simclr'. */
      recipe: z.enum(['simclr', 'mocoV2', 'byol', 'noise', 'composition']).optional(),
      /** The 'composition' recipe's transformations, in order, on every view (SimCLR Figure 5's ablation). */
      transforms: z.array(z.enum(COMPOSITION_TRANSFORMS)).min(1).optional(),
      /** Multi-crop: N local views of a smaller size besides the two global ones (not with instDisc). */
      localCrops: localCropsSchema.optional(),
      /** Standard deviation of the Gaussian noise of the 'noise' recipe (tabular rows, on standardised features). */
      noiseStd: positive().default(0.1),
      /** Colour-distortion strength s of the simclr recipe (CIFAR-10: 0.5). */
      strength: positive().max(2.5).default(0.5),
      /** Gaussian blur in the simclr recipe (SimCLR leaves it out on CIFAR-10). */
      blur: z.boolean().default(false),
      /** Area range of the random resized crop of the simclr recipe. */
      cropScale: z
        .tuple([z.number().gt(0).max(1), z.number().gt(0).max(1)])
        .refine(([lo, hi]) => lo <= hi, 'a pair [min, max] with min <= max')
        .default([0.08, 1]),
    })
    .superRefine((a, ctx) => {
      if (a.recipe === 'composition' && a.transforms === undefined) {
        ctx.addIssue({ code: 'custom', path: ['transforms'], message: "the 'composition' recipe needs a list of transforms, e.g. [crop, color]" });
      }
      if (a.transforms !== undefined && a.recipe !== 'composition') {
        ctx.addIssue({ code: 'custom', path: ['transforms'], message: "transforms belong to recipe: composition (set augment.recipe: composition)" });
      }
    })
    .prefault({}),
  optimizer: z
    .strictObject({
      name: z.enum(['sgd', 'lars', 'adamw']).default('sgd'),
      /** Base learning rate (before `scaling`). */
      lr: positive().max(MAX_LEARNING_RATE).default(0.06),
      /** 'linear': lr × B/256; 'sqrt': lr × √B (SimCLR, Appendix B.1); 'none': lr as given. */
      scaling: z.enum(['none', 'linear', 'sqrt']).default('none'),
      momentum: z.number().min(0).lt(1).default(0.9),
      weightDecay: nonNegative().default(5e-4),
      nesterov: z.boolean().default(false),
      /** LARS trust coefficient η. */
      trustCoefficient: positive().default(0.001),
    })
    .prefault({}),
  schedule: z
    .strictObject({
      kind: z.enum(['cosine', 'constant']).default('cosine'),
      warmupSteps: z.int().min(0).default(0),
      finalLr: nonNegative().default(0),
    })
    .prefault({}),
  train: z
    .strictObject({
      epochs: posInt().default(1),
      /** Stop after this many steps (the schedule spans them). */
      maxSteps: posInt().optional(),
      batchSize: z.int().min(2).default(128),
      clipGradNorm: positive().optional(),
      /** Gradient cache (Gao et al. 2021): embed each view in chunks of `chunkSize` images, so large batches fit in memory. */
      gradientCache: z.strictObject({ chunkSize: posInt() }).optional(),
      onNonFinite: z.enum(['throw', 'skip']).default('throw'),
    })
    .prefault({}),
  checkpoint: z
    .strictObject({
      /** Save every N steps (and at the end, and on Ctrl-C). */
      everySteps: posInt().default(50),
      keep: z.int().min(0).default(2),
    })
    .prefault({}),
  monitor: z
    .strictObject({
      /** kNN accuracy during training (written to the metrics log as `type: 'knn'`). */
      enabled: z.boolean().default(true),
      /** Every N steps; default at the start and at the end of every epoch (and of the run). */
      everySteps: posInt().optional(),
      /** Training images in the monitor's bank (the first N of the training set). */
      bankSize: posInt().default(1000),
      /** Test images the monitor classifies (the first N of the test set). */
      testSize: posInt().default(500),
      k: posInt().default(200),
      temperature: positive().default(0.1),
    })
    .prefault({}),
  eval: z
    .strictObject({
      /** Training images for the kNN bank and the linear probe's training set (a seeded class-balanced subset). */
      bankSize: posInt().default(10000),
      /** Test images (the first N of the test set; 10000 = all). */
      testSize: posInt().default(10000),
      /** kNN neighbours (Wu et al. 2018: 200). */
      k: posInt().default(200),
      /** kNN vote temperature (Wu et al. 2018: 0.1). */
      temperature: positive().default(0.1),
      /** What is evaluated: the encoder's h (default), or the projection z = g(h) (SimCLR Figure 8). */
      representation: z.enum(['encoder', 'projection']).default('encoder'),
      /** Rows per forward pass when embedding. */
      batchSize: posInt().default(256),
      linear: linearProbeSchema.prefault({}),
    })
    .prefault({}),
  report: z
    .strictObject({
      /** Test points in the 2-D embedding map (UMAP). */
      mapPoints: posInt().default(2000),
      /** Source images in the augmentation preview, and views per image. */
      previewImages: posInt().default(8),
      previewViews: posInt().default(6),
    })
    .prefault({}),
});

/** A validated configuration with every default filled in. */
export type RunConfig = z.output<typeof runConfigSchema>;
/** What a configuration file may hold (every key optional). */
export type RunConfigInput = z.input<typeof runConfigSchema>;

type Issue = z.core.$ZodIssue;

function valueAt(input: unknown, pathParts: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of pathParts) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function formatPath(pathParts: readonly PropertyKey[]): string {
  let out = 'config';
  for (const key of pathParts) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return out;
}

const KIND_WORDS: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'a boolean (true or false)',
  object: 'a mapping of keys to values',
  array: 'a list',
  tuple: 'a list',
};

function typeWord(expected: string): string {
  return KIND_WORDS[expected] ?? expected;
}

type AnySchema = z.core.$ZodType;

/** The schema at `pathParts` (unwrapping defaults, preprocessing, and unions by the input's discriminator). */
function schemaAt(schema: AnySchema, pathParts: readonly PropertyKey[], input: unknown): AnySchema | undefined {
  const unwrap = (x: AnySchema, value: unknown): AnySchema | undefined => {
    let cur: AnySchema | undefined = x;
    for (let i = 0; i < 10 && cur !== undefined; i++) {
      const def = cur._zod.def as unknown as Record<string, unknown> & { type: string };
      if (def.type === 'default' || def.type === 'prefault' || def.type === 'optional' || def.type === 'nullable') cur = def['innerType'] as AnySchema;
      else if (def.type === 'pipe') cur = def['out'] as AnySchema;
      else if (def.type === 'union') {
        const discriminator = def['discriminator'];
        const options = def['options'] as AnySchema[];
        if (typeof discriminator !== 'string') return undefined;
        const given = (value as Record<string, unknown> | undefined)?.[discriminator];
        const tag = given ?? DEFAULT_TAGS[discriminator];
        cur = options.find((o) => {
          const shape = (o as unknown as { shape?: Record<string, AnySchema> }).shape;
          const lit = shape?.[discriminator]?._zod.def as unknown as { values?: unknown[] } | undefined;
          return lit?.values?.includes(tag) === true;
        });
      } else return cur;
    }
    return cur;
  };
  let s = unwrap(schema, input);
  let v: unknown = input;
  for (const key of pathParts) {
    if (s === undefined) return undefined;
    const def = s._zod.def as unknown as Record<string, unknown> & { type: string };
    v = typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[key] : undefined;
    if (def.type === 'object') {
      const shape = (s as unknown as { shape: Record<string, AnySchema> }).shape;
      if (typeof key !== 'string' || shape[key] === undefined) return undefined;
      s = unwrap(shape[key], v);
    } else if (def.type === 'array' && typeof key === 'number') s = unwrap(def['element'] as AnySchema, v);
    else if (def.type === 'tuple' && typeof key === 'number') s = unwrap((def['items'] as AnySchema[])[key] as AnySchema, v);
    else return undefined;
  }
  return s;
}

/** The keys allowed in the object at `pathParts`. */
function objectKeysAt(pathParts: readonly PropertyKey[], input: unknown): string[] | undefined {
  const s = schemaAt(runConfigSchema, pathParts, input);
  const shape = (s as unknown as { shape?: Record<string, AnySchema> } | undefined)?.shape;
  return shape === undefined ? undefined : Object.keys(shape);
}

/** True when the schema at `pathParts` is an integer (z.int()). */
function isIntegerAt(pathParts: readonly PropertyKey[], input: unknown): boolean {
  const def = schemaAt(runConfigSchema, pathParts, input)?._zod.def as unknown as { format?: string } | undefined;
  return def?.format === 'safeint' || def?.format === 'int32';
}

/** Edit distance with transpositions (optimal string alignment), for "did you mean" hints. */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min((d[i - 1] as number[])[j]! + 1, (d[i] as number[])[j - 1]! + 1, (d[i - 1] as number[])[j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) best = Math.min(best, (d[i - 2] as number[])[j - 2]! + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return (d[x.length] as number[])[y.length] as number;
}

function comparison(inclusive: boolean | undefined, below: boolean): string {
  if (below) return inclusive === false ? '>' : '>=';
  return inclusive === false ? '<' : '<=';
}

/** One human-readable line per zod issue: `config.<path>: expected ..., received ...`. */
function describeIssue(issue: Issue, input: unknown): { path: string; message: string; received: unknown; expected: string }[] {
  const received = valueAt(input, issue.path);
  const where = formatPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = objectKeysAt(issue.path, input) ?? [];
      return issue.keys.map((key) => {
        const close = allowed.filter((k) => editDistance(k, key) <= (key.length <= 3 ? 1 : 2));
        const hint = close.length > 0 ? ` (did you mean '${close[0]}'?)` : '';
        const expected = allowed.length > 0 ? `one of the keys ${allowed.join(', ')}` : 'a known key';
        return {
          path: formatPath([...issue.path, key]),
          message: `unknown key${hint}; allowed keys here: ${allowed.join(', ')}`,
          received: key,
          expected,
        };
      });
    }
    case 'too_small':
    case 'too_big': {
      const below = issue.code === 'too_small';
      const bound = below ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum;
      const origin = issue.origin;
      let expected: string;
      if (origin === 'array' || origin === 'set') expected = `a list of ${comparison(issue.inclusive, below)} ${bound} items`;
      else if (origin === 'string') expected = `a string of ${comparison(issue.inclusive, below)} ${bound} characters`;
      else {
        const isInt = origin === 'int' || isIntegerAt(issue.path, input);
        expected = `${isInt ? 'an integer' : 'a number'} ${comparison(issue.inclusive, below)} ${bound}`;
      }
      return [{ path: where, message: `expected ${expected}, received ${describeValue(received)}`, received, expected }];
    }
    case 'invalid_type': {
      const expectedType = issue.expected as string;
      const expected = expectedType === 'int' || (expectedType === 'number' && isIntegerAt(issue.path, input)) ? 'an integer' : typeWord(expectedType);
      const got = received === undefined ? 'nothing' : describeValue(received);
      return [{ path: where, message: `expected ${expected}, received ${got}`, received, expected }];
    }
    case 'invalid_value': {
      const expected = issue.values.length === 1 ? describeValue(issue.values[0]) : `one of ${issue.values.map((x) => describeValue(x)).join(' | ')}`;
      return [{ path: where, message: `expected ${expected}, received ${describeValue(received)}`, received, expected }];
    }
    case 'invalid_union': {
      const options = (issue as unknown as { options?: unknown[] }).options;
      if (options !== undefined) {
        const expected = `one of ${options.map((x) => describeValue(x)).join(' | ')}`;
        const got = received === undefined ? 'nothing' : describeValue(received);
        return [{ path: where, message: `expected ${expected}, received ${got}`, received, expected }];
      }
      // A plain union (e.g. the ResNet depth): report its first branch's expectation.
      const inner = (issue.errors[0] ?? [])[0];
      if (inner !== undefined) return describeIssue({ ...inner, path: [...issue.path, ...inner.path] } as Issue, input);
      return [{ path: where, message: `invalid value ${describeValue(received)}`, received, expected: 'a valid value' }];
    }
    case 'invalid_format': {
      const expected = issue.format === 'regex' ? `a value made of ${issue.message}` : `a ${issue.format}`;
      return [{ path: where, message: `expected ${expected}, received ${describeValue(received)}`, received, expected }];
    }
    case 'custom':
      return [{ path: where, message: `expected ${issue.message}, received ${describeValue(received)}`, received, expected: issue.message }];
    default:
      return [{ path: where, message: `${issue.message}, received ${describeValue(received)}`, received, expected: issue.message }];
  }
}

/**
 * Validates a configuration value (already parsed from JSON/YAML) and fills in defaults.
 * Throws a {@link ConfigError} listing every problem, one per line, each with its path; the
 * error's `argument` is the first problem's path, `received` its value.
 *
 * @example
 * ```ts
 * parseConfig({ optimizer: { lr: -1 } });
 * // ConfigError: invalid configuration:
 * //   config.optimizer.lr: expected a number > 0, received -1
 * ```
 */
export function parseConfig(value: unknown, source = 'configuration'): RunConfig {
  const input = value === null || value === undefined ? {} : value;
  assertKeyCount(input, source);
  const result = runConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => describeIssue(issue, input));
  const lines = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `  ${p.path}: ${p.message}`);
  if (problems.length > MAX_LISTED_PROBLEMS) lines.push(`  ... and ${problems.length - MAX_LISTED_PROBLEMS} more`);
  const first = problems[0];
  throw new ConfigError(`invalid ${source}:\n${lines.join('\n')}`, {
    argument: first?.path ?? 'config',
    received: first?.received,
    expected: first?.expected ?? 'a valid configuration',
  });
}

/**
 * Parses the text of a JSON or YAML configuration file (by extension; YAML otherwise): an empty
 * file, a duplicate key or a file over 1 MiB is a {@link ConfigError} (see `config-text.ts`).
 */
export function parseConfigText(text: string, file: string): unknown {
  const ext = /\.[^./\\]*$/.exec(file)?.[0].toLowerCase() ?? '';
  try {
    return ext === '.json' ? parseJsonConfig(text, file) : parseYamlConfig(text, file);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const where = e instanceof YAMLParseError && e.linePos !== undefined ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
    const detail = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new ConfigError(`cannot parse ${file} as ${ext === '.json' ? 'JSON' : 'YAML'}${where}: ${detail}`, {
      argument: '--config',
      received: file,
      expected: ext === '.json' ? 'valid JSON' : 'valid YAML',
      cause: e,
    });
  }
}

/** The augmentation recipe a configuration uses (its own, or the strategy's default). */
export function recipeOf(config: RunConfig): 'simclr' | 'mocoV2' | 'byol' | 'noise' | 'composition' {
  if (config.augment.recipe !== undefined) return config.augment.recipe;
  if (config.data.dataset === 'tabular') return 'noise';
  const name = config.strategy.name;
  if (name === 'mocoV2') return 'mocoV2';
  return name === 'byol' || name === 'barlowTwins' || name === 'vicreg' ? 'byol' : 'simclr';
}
