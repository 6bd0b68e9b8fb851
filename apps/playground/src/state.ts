/**
 * The page's state logic, free of DOM and worker: the recipe form <-> the CLI's run
 * configuration (the same zod schema, YAML in and out), and the training state the page shows,
 * updated by the worker's messages ({@link reduce}). Unit-tested in test/state.test.ts.
 */
import { parseConfig, parseConfigText, type RunConfig, type RunConfigInput } from '@contrastive/experiment';
import { stringify } from 'yaml';
import type { FromWorker, MonitorPoint, StepPoint } from './protocol.js';

/** Strategies the recipe form offers (every one of the CLI's image strategies). */
export const STRATEGIES = ['simclr', 'supcon', 'mocoV2', 'byol', 'simsiam', 'barlowTwins', 'vicreg', 'nnclr', 'dcl', 'instDisc'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

/** Strategies with a temperature τ. */
export const TEMPERATURE_STRATEGIES: ReadonlySet<string> = new Set(['simclr', 'supcon', 'mocoV2', 'instDisc', 'nnclr', 'dcl']);

/** Encoder sizes of the form, smallest first. */
export const ENCODER_PRESETS = {
  'convnet-tiny': { kind: 'convnet', widths: [16, 32], batchNorm: true },
  'convnet-small': { kind: 'convnet', widths: [32, 64, 128], batchNorm: true },
  'resnet18-x0.125': { kind: 'resnet', depth: 18, stem: 'cifar', widthMultiplier: 0.125, zeroInitResidual: false },
  'resnet18-x0.25': { kind: 'resnet', depth: 18, stem: 'cifar', widthMultiplier: 0.25, zeroInitResidual: false },
} as const satisfies Record<string, RunConfig['encoder']>;
export type EncoderPreset = keyof typeof ENCODER_PRESETS;

/** What the recipe form holds (each field one control). */
export interface RecipeForm {
  readonly strategy: StrategyName;
  /** A preset name, or 'custom' for an imported encoder the presets do not describe. */
  readonly encoderPreset: EncoderPreset | 'custom';
  /** The encoder section itself (kept for 'custom'). */
  readonly encoder: RunConfig['encoder'];
  readonly headKind: 'mlp' | 'mlpV2' | 'linear' | 'none';
  readonly headOutputDim: number;
  readonly augRecipe: 'simclr' | 'mocoV2' | 'byol';
  /** Colour-distortion strength s (simclr recipe). */
  readonly strength: number;
  /** Smallest crop area of the random resized crop. */
  readonly cropMin: number;
  readonly blur: boolean;
  readonly temperature: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly maxSteps: number;
  readonly seed: number;
  /** kNN / collapse monitor every N steps. */
  readonly monitorEvery: number;
  /** Checkpoint to IndexedDB every N steps (and on pause and stop). */
  readonly checkpointEvery: number;
}

/** The form's starting values: a small SimCLR run that trains in a few minutes on wasm. */
export const DEFAULT_FORM: RecipeForm = {
  strategy: 'simclr',
  encoderPreset: 'convnet-tiny',
  encoder: ENCODER_PRESETS['convnet-tiny'],
  headKind: 'mlp',
  headOutputDim: 64,
  augRecipe: 'simclr',
  strength: 0.5,
  cropMin: 0.08,
  blur: false,
  temperature: 0.5,
  batchSize: 32,
  lr: 0.06,
  maxSteps: 500,
  seed: 0,
  monitorEvery: 50,
  checkpointEvery: 25,
};

/** The dataset section the page trains on (the worker loads the pixels; the schema only needs the kind). */
export type PageDataset = { readonly dataset: 'cifar10' } | { readonly dataset: 'fashionMnist' } | { readonly dataset: 'imageFolder'; readonly labelled: boolean };

/**
 * The run configuration of a form (the CLI's schema; validated with {@link parseConfig}, so a bad
 * value fails with its config path).
 */
export function formToConfig(form: RecipeForm, data: PageDataset = { dataset: 'cifar10' }): RunConfig {
  const strategy: Record<string, unknown> = { name: form.strategy };
  if (TEMPERATURE_STRATEGIES.has(form.strategy)) strategy['temperature'] = form.temperature;
  const dataSection = data.dataset === 'imageFolder' ? { dataset: 'imageFolder', dir: 'browser', labelled: data.labelled } : { dataset: data.dataset };
  const input = {
    name: 'playground',
    seed: form.seed,
    data: dataSection,
    encoder: form.encoder,
    head: { kind: form.headKind, outputDim: form.headOutputDim },
    strategy,
    augment: { recipe: form.augRecipe, strength: form.strength, blur: form.blur, cropScale: [form.cropMin, 1] },
    optimizer: { name: 'sgd', lr: form.lr },
    schedule: { kind: 'cosine', warmupSteps: Math.min(10, Math.floor(form.maxSteps / 10)) },
    train: { epochs: 1000, maxSteps: form.maxSteps, batchSize: form.batchSize },
    checkpoint: { everySteps: form.checkpointEvery, keep: 1 },
    monitor: { enabled: data.dataset !== 'imageFolder' || data.labelled, everySteps: form.monitorEvery, bankSize: 500, testSize: 200, k: 20 },
    report: { mapPoints: 300, previewImages: 6, previewViews: 6 },
  } as RunConfigInput;
  return parseConfig(input, 'the recipe form');
}

/** The preset a configuration's encoder matches, or 'custom'. */
export function encoderPresetOf(encoder: RunConfig['encoder']): EncoderPreset | 'custom' {
  const key = JSON.stringify(encoder);
  for (const [name, preset] of Object.entries(ENCODER_PRESETS)) if (JSON.stringify(preset) === key) return name as EncoderPreset;
  return 'custom';
}

/** The form showing a configuration (YAML import). Keys the form has no control for keep the form's defaults. */
export function configToForm(config: RunConfig): RecipeForm {
  const s = config.strategy as { name: string; temperature?: number };
  if (!(STRATEGIES as readonly string[]).includes(s.name)) throw new Error(`strategy '${s.name}' is not one the page trains`);
  const recipe = config.augment.recipe ?? (s.name === 'mocoV2' ? 'mocoV2' : ['byol', 'barlowTwins', 'vicreg'].includes(s.name) ? 'byol' : 'simclr');
  if (recipe === 'noise') throw new Error("augment.recipe 'noise' is for tabular rows; the page trains on images");
  if (recipe === 'composition') throw new Error("augment.recipe 'composition' (the ablation recipe with augment.transforms) has no control in the page; use simclr, mocoV2 or byol");
  if (config.encoder.kind === 'mlp') throw new Error("encoder.kind 'mlp' is for tabular rows; the page trains on images");
  return {
    strategy: s.name as StrategyName,
    encoderPreset: encoderPresetOf(config.encoder),
    encoder: config.encoder,
    headKind: config.head.kind,
    headOutputDim: config.head.outputDim,
    augRecipe: recipe,
    strength: config.augment.strength,
    cropMin: config.augment.cropScale[0],
    blur: config.augment.blur,
    temperature: s.temperature ?? DEFAULT_FORM.temperature,
    batchSize: config.train.batchSize,
    lr: config.optimizer.lr,
    maxSteps: config.train.maxSteps ?? DEFAULT_FORM.maxSteps,
    seed: config.seed,
    monitorEvery: config.monitor.everySteps ?? DEFAULT_FORM.monitorEvery,
    checkpointEvery: config.checkpoint.everySteps,
  };
}

/** The configuration as YAML, for `contrastive train --config` (the data section names the dataset only). */
export function configToYaml(config: RunConfig): string {
  const { outDir: _outDir, ...rest } = config;
  return `# contrastive run configuration, exported by the playground\n${stringify(rest)}`;
}

/** Parses YAML (or JSON) text into a validated configuration; errors name the config key. */
export function yamlToConfig(text: string, file = 'config.yaml'): RunConfig {
  return parseConfig(parseConfigText(text, file), file);
}

/** What the page shows of a training run. */
export interface TrainingState {
  readonly engine: string | null;
  readonly status: 'starting' | 'loading' | 'ready' | 'running' | 'paused' | 'stopped' | 'completed' | 'error';
  readonly step: number;
  readonly totalSteps: number;
  readonly steps: readonly StepPoint[];
  readonly monitors: readonly MonitorPoint[];
  /** Step of the checkpoint in IndexedDB, if any. */
  readonly checkpointStep: number | null;
  readonly resumedFrom: number | null;
  readonly error: string | null;
  readonly images: { readonly train: number; readonly test: number } | null;
}

/** The state before the worker answers. */
export const INITIAL_STATE: TrainingState = {
  engine: null,
  status: 'starting',
  step: 0,
  totalSteps: 0,
  steps: [],
  monitors: [],
  checkpointStep: null,
  resumedFrom: null,
  error: null,
  images: null,
};

/** The state after a worker message (pure; messages that change nothing shown return `state`). */
export function reduce(state: TrainingState, m: FromWorker): TrainingState {
  switch (m.type) {
    case 'ready':
      return { ...state, engine: m.engine, status: state.images === null ? 'loading' : 'ready' };
    case 'loaded':
      return { ...state, status: 'ready', images: { train: m.train, test: m.test } };
    case 'checkpoint':
      return { ...state, checkpointStep: m.step };
    case 'started':
      // A resumed run's curve starts at its checkpoint; earlier points of this page stay if they lead up to it.
      return { ...state, status: 'running', step: m.step, totalSteps: m.totalSteps, resumedFrom: m.resumedFrom, steps: state.steps.filter((p) => p.step <= m.step), monitors: state.monitors.filter((p) => p.step <= m.step), error: null };
    case 'step':
      return { ...state, step: m.point.step, totalSteps: m.totalSteps, steps: [...state.steps, m.point] };
    case 'monitor':
      return { ...state, monitors: [...state.monitors.filter((p) => p.step !== m.point.step), m.point] };
    case 'status':
      return { ...state, status: m.status, step: m.step, checkpointStep: m.status === 'stopped' || m.status === 'paused' || m.status === 'completed' ? m.step : state.checkpointStep };
    case 'error':
      return { ...state, status: state.status === 'running' || state.status === 'paused' ? 'stopped' : state.status === 'starting' || state.status === 'loading' ? 'error' : state.status, error: m.message };
    default:
      return state;
  }
}

/** The page's buttons. */
export type Action = 'train' | 'pause' | 'resume' | 'stop' | 'export' | 'embeddings' | 'map' | 'load';

/** Whether a button is enabled in a state. */
export function canDo(state: TrainingState, action: Action): boolean {
  switch (action) {
    case 'train':
      return state.status === 'ready' || state.status === 'stopped' || state.status === 'completed';
    case 'pause':
      return state.status === 'running';
    case 'resume':
      return state.status === 'paused';
    case 'stop':
      return state.status === 'running' || state.status === 'paused';
    case 'export':
    case 'embeddings':
    case 'map':
      return state.status !== 'starting' && state.status !== 'loading' && state.status !== 'error' && state.images !== null;
    case 'load':
      return state.status !== 'running' && state.status !== 'paused' && state.engine !== null;
  }
}
