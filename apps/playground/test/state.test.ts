import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseConfig } from '@contrastive/experiment';
import { DEFAULT_FORM, ENCODER_PRESETS, INITIAL_STATE, STRATEGIES, canDo, configToForm, configToYaml, formToConfig, reduce, yamlToConfig, type RecipeForm, type TrainingState } from '../src/state.js';
import type { FromWorker } from '../src/protocol.js';

const presets = Object.keys(ENCODER_PRESETS) as (keyof typeof ENCODER_PRESETS)[];
const formArb: fc.Arbitrary<RecipeForm> = fc
  .record({
    strategy: fc.constantFrom(...STRATEGIES),
    preset: fc.constantFrom(...presets),
    headKind: fc.constantFrom('mlp', 'mlpV2', 'linear', 'none' as const),
    headOutputDim: fc.integer({ min: 2, max: 256 }),
    augRecipe: fc.constantFrom('simclr', 'mocoV2', 'byol' as const),
    strength: fc.integer({ min: 1, max: 25 }).map((x) => x / 10),
    cropMin: fc.integer({ min: 5, max: 100 }).map((x) => x / 100),
    blur: fc.boolean(),
    temperature: fc.integer({ min: 1, max: 100 }).map((x) => x / 100),
    batchSize: fc.integer({ min: 1, max: 64 }).map((x) => 2 * x),
    lr: fc.integer({ min: 1, max: 1000 }).map((x) => x / 1000),
    maxSteps: fc.integer({ min: 1, max: 5000 }),
    seed: fc.nat(1000),
    monitorEvery: fc.integer({ min: 1, max: 500 }),
    checkpointEvery: fc.integer({ min: 1, max: 500 }),
  })
  .map(({ preset, ...f }) => ({ ...f, encoderPreset: preset, encoder: ENCODER_PRESETS[preset] }));

describe('recipe form <-> run configuration', () => {
  it('the default form is a valid configuration of the CLI schema', () => {
    const config = formToConfig(DEFAULT_FORM);
    expect(config.strategy).toEqual({ name: 'simclr', temperature: 0.5 });
    expect(config.encoder).toEqual(ENCODER_PRESETS['convnet-tiny']);
    expect(config.train.batchSize).toBe(32);
    expect(config.augment.cropScale).toEqual([0.08, 1]);
  });

  it('form -> config -> YAML -> config -> form is the identity (law)', () => {
    fc.assert(
      fc.property(formArb, (form) => {
        const config = formToConfig(form);
        const again = yamlToConfig(configToYaml(config));
        expect(again).toEqual(config);
        const back = configToForm(again);
        // The temperature survives only for strategies that have one.
        const expected = 'temperature' in config.strategy ? form : { ...form, temperature: DEFAULT_FORM.temperature };
        expect(back).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('the exported YAML is what the CLI parses (same schema, comment header)', () => {
    const yaml = configToYaml(formToConfig({ ...DEFAULT_FORM, strategy: 'byol', augRecipe: 'byol' }));
    expect(yaml.startsWith('# contrastive run configuration')).toBe(true);
    expect(yaml).toContain('name: byol');
    expect(parseConfig(yamlToConfig(yaml)).strategy.name).toBe('byol');
  });

  it('rejects out-of-range values with the config key', () => {
    expect(() => formToConfig({ ...DEFAULT_FORM, batchSize: 1 })).toThrow(/config\.train\.batchSize/);
    expect(() => formToConfig({ ...DEFAULT_FORM, strength: 9 })).toThrow(/config\.augment\.strength/);
    expect(() => yamlToConfig('optimizer:\n  lr: -1\n')).toThrow(/config\.optimizer\.lr/);
  });

  it('imports a YAML the presets do not describe as a custom encoder, and refuses tabular recipes', () => {
    const form = configToForm(yamlToConfig('encoder:\n  kind: convnet\n  widths: [8, 8]\n'));
    expect(form.encoderPreset).toBe('custom');
    expect(formToConfig(form).encoder).toEqual({ kind: 'convnet', widths: [8, 8], batchNorm: true });
    expect(() => configToForm(yamlToConfig('encoder:\n  kind: mlp\n'))).toThrow(/tabular/);
    expect(() => configToForm(yamlToConfig('augment:\n  recipe: noise\n'))).toThrow(/tabular/);
    expect(() => configToForm(yamlToConfig('augment:\n  recipe: composition\n  transforms: [crop, color]\n'))).toThrow(/no control in the page/);
  });

  it('unlabelled folders switch the kNN monitor off', () => {
    expect(formToConfig(DEFAULT_FORM, { dataset: 'imageFolder', labelled: false }).monitor.enabled).toBe(false);
    expect(formToConfig(DEFAULT_FORM, { dataset: 'imageFolder', labelled: true }).monitor.enabled).toBe(true);
  });
});

describe('training state', () => {
  const run = (messages: FromWorker[], from: TrainingState = INITIAL_STATE): TrainingState => messages.reduce(reduce, from);
  const step = (n: number): FromWorker => ({ type: 'step', point: { step: n, loss: 4 - n / 10, lr: 0.1, imagesPerSecond: 100 }, totalSteps: 20 });
  const loaded: FromWorker = { type: 'loaded', train: 256, test: 100, classNames: ['a', 'b'], thumbs: new Uint8Array(0), thumbLabels: new Uint8Array(0), side: 32, channels: 3 };

  it('is ready once the engine and the images are there, in either order', () => {
    const ready: FromWorker = { type: 'ready', engine: 'wasm', attempts: [] };
    expect(run([ready, loaded])).toMatchObject({ status: 'ready', engine: 'wasm' });
    expect(run([loaded, ready])).toMatchObject({ status: 'ready', engine: 'wasm' });
    expect(run([ready])).toMatchObject({ status: 'loading' });
  });

  it('collects steps and monitors; pause, resume and stop move the status and the checkpoint', () => {
    let s = run([{ type: 'ready', engine: 'cpu', attempts: [] }, loaded, { type: 'started', step: 0, totalSteps: 20, resumedFrom: null }, step(1), step(2)]);
    expect(s.status).toBe('running');
    expect(s.steps.map((p) => p.step)).toEqual([1, 2]);
    expect(canDo(s, 'pause') && canDo(s, 'stop') && !canDo(s, 'train') && !canDo(s, 'resume')).toBe(true);
    s = run([{ type: 'status', status: 'paused', step: 2 }], s);
    expect(s).toMatchObject({ status: 'paused', checkpointStep: 2 });
    expect(canDo(s, 'resume') && !canDo(s, 'pause')).toBe(true);
    s = run([{ type: 'status', status: 'running', step: 2 }, step(3), { type: 'monitor', point: { step: 3, accuracy: 0.3, embeddingStd: 0.1, effectiveRank: 4, dim: 32 } }, { type: 'status', status: 'stopped', step: 3 }], s);
    expect(s).toMatchObject({ status: 'stopped', step: 3, checkpointStep: 3 });
    expect(s.monitors).toHaveLength(1);
    expect(canDo(s, 'train') && canDo(s, 'export')).toBe(true);
  });

  it('a resumed run keeps the points up to its checkpoint and drops later ones', () => {
    const s0 = run([{ type: 'ready', engine: 'cpu', attempts: [] }, loaded, { type: 'started', step: 0, totalSteps: 20, resumedFrom: null }, step(1), step(2), step(3)]);
    const s = run([{ type: 'started', step: 2, totalSteps: 20, resumedFrom: 2 }, step(3)], s0);
    expect(s.steps.map((p) => p.step)).toEqual([1, 2, 3]);
    expect(s.resumedFrom).toBe(2);
  });

  it('a worker error during training stops the run and is shown; before loading it is fatal', () => {
    const running = run([{ type: 'ready', engine: 'cpu', attempts: [] }, loaded, { type: 'started', step: 0, totalSteps: 20, resumedFrom: null }]);
    expect(run([{ type: 'error', message: 'boom' }], running)).toMatchObject({ status: 'stopped', error: 'boom' });
    expect(run([{ type: 'error', message: 'no engine' }])).toMatchObject({ status: 'error', error: 'no engine' });
  });
});
