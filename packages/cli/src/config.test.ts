import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '@contrastive/core';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { MAIN_CONFIG } from './commands/main.js';
import { parseConfig, recipeOf } from './config.js';
import { loadConfigFile, runDirOf } from './config-file.js';
import { repositoryRoot } from './data-dir.js';

function configError(value: unknown): ConfigError {
  try {
    parseConfig(value);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(value)}`);
}

describe('parseConfig: defaults', () => {
  it('an empty configuration is a SimCLR run with the CIFAR-10 settings', () => {
    const c = parseConfig({});
    expect(c.strategy).toEqual({ name: 'simclr', temperature: 0.5 });
    expect(c.encoder).toEqual({ kind: 'resnet', depth: 18, stem: 'cifar', widthMultiplier: 0.25, zeroInitResidual: false });
    expect(c.augment).toEqual({ strength: 0.5, blur: false, cropScale: [0.08, 1] });
    expect(c.eval).toMatchObject({ bankSize: 10000, testSize: 10000, k: 200, temperature: 0.1 });
    expect(c.train).toMatchObject({ epochs: 1, batchSize: 128, onNonFinite: 'throw' });
    expect(recipeOf(c)).toBe('simclr');
    expect(runDirOf(c, '/work')).toBe(path.resolve('/work/runs/run'));
    expect(parseConfig(null)).toEqual(c);
  });

  it('each strategy gets its own defaults; mocoV2 defaults to its own augmentation recipe', () => {
    expect(parseConfig({ strategy: { name: 'supcon' } }).strategy).toEqual({ name: 'supcon', temperature: 0.1, variant: 'out' });
    const moco = parseConfig({ strategy: { name: 'mocoV2' } });
    expect(moco.strategy).toMatchObject({ name: 'mocoV2', temperature: 0.2, queueSize: 4096, momentum: 0.99 });
    expect(recipeOf(moco)).toBe('mocoV2');
    expect(parseConfig({ strategy: { name: 'instDisc' } }).strategy).toMatchObject({ temperature: 0.07, numNegatives: 4096, bankMomentum: 0.5 });
  });

  it('an encoder without kind is a ResNet; a convnet gets its own defaults', () => {
    expect(parseConfig({ encoder: { widthMultiplier: 0.5 } }).encoder).toMatchObject({ kind: 'resnet', widthMultiplier: 0.5, depth: 18 });
    expect(parseConfig({ encoder: { kind: 'convnet' } }).encoder).toEqual({ kind: 'convnet', widths: [32, 64, 128], batchNorm: true });
  });
});

describe('parseConfig: errors name the path, the expectation and the value', () => {
  it('a bad value: config.optimizer.lr: expected a number > 0, received -1', () => {
    const e = configError({ optimizer: { lr: -1 } });
    expect(e.message).toContain('config.optimizer.lr: expected a number > 0, received -1');
    expect(e.argument).toBe('config.optimizer.lr');
    expect(e.received).toBe(-1);
    expect(e.expected).toBe('a number > 0');
    expect(e.code).toBe('CONFIG');
  });

  it('an unknown key, with the allowed keys and a spelling hint', () => {
    const e = configError({ optimizer: { lrr: 0.1 } });
    expect(e.message).toMatch(/config\.optimizer\.lrr: unknown key \(did you mean 'lr'\?\); allowed keys here: name, lr, /);
    expect(e.argument).toBe('config.optimizer.lrr');
    expect(configError({ trian: {} }).message).toMatch(/config\.trian: unknown key \(did you mean 'train'\?\)/);
  });

  it('keys of another variant are unknown (a convnet has no depth, simclr has no variant)', () => {
    expect(configError({ encoder: { kind: 'convnet', depth: 18 } }).message).toContain('config.encoder.depth: unknown key; allowed keys here: kind, widths, batchNorm');
    expect(configError({ strategy: { name: 'simclr', variant: 'in' } }).message).toContain('config.strategy.variant: unknown key');
  });

  it('enumerations, integers, types and nested lists', () => {
    expect(configError({ strategy: { name: 'byol' } }).message).toContain('config.strategy.name: expected one of "simclr" | "supcon" | "mocoV2" | "instDisc", received "byol"');
    expect(configError({ encoder: { depth: 20 } }).message).toContain('config.encoder.depth: expected one of 18 | 34 | 50, received 20');
    expect(configError({ train: { epochs: 1.5 } }).message).toContain('config.train.epochs: expected an integer, received 1.5');
    expect(configError({ train: { batchSize: 1 } }).message).toContain('config.train.batchSize: expected an integer >= 2, received 1');
    expect(configError({ data: { download: 'yes' } }).message).toContain('config.data.download: expected a boolean (true or false), received "yes"');
    expect(configError({ encoder: { kind: 'convnet', widths: [8, 0] } }).message).toContain('config.encoder.widths[1]: expected an integer >= 1, received 0');
    expect(configError({ augment: { cropScale: [0.9, 0.2] } }).message).toContain('config.augment.cropScale: expected a pair [min, max] with min <= max, received [0.9, 0.2]');
    expect(configError({ optimizer: { momentum: 1 } }).message).toContain('config.optimizer.momentum: expected a number < 1, received 1');
    expect(configError({ name: 'a b' }).message).toContain('config.name: expected a value made of letters, digits');
    expect(configError([1, 2]).message).toContain('config: expected a mapping of keys to values, received [1, 2]');
  });

  it('every problem is listed, one per line', () => {
    const e = configError({ optimizer: { lr: 0 }, train: { batchSize: 'big' }, monitor: { bnkSize: 3 } });
    const lines = e.message.split('\n').slice(1);
    expect(lines).toHaveLength(3);
    expect(lines.some((l) => l.includes('config.optimizer.lr'))).toBe(true);
    expect(lines.some((l) => l.includes('config.train.batchSize'))).toBe(true);
    expect(lines.some((l) => l.includes("config.monitor.bnkSize: unknown key (did you mean 'bankSize'?)"))).toBe(true);
  });

  it('property: a positive lr is accepted as given, a non-positive one is refused with its path and value', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 1e3, noNaN: true }), (lr) => {
        expect(parseConfig({ optimizer: { lr } }).optimizer.lr).toBe(lr);
      }),
      { numRuns: 30 },
    );
    fc.assert(
      fc.property(fc.double({ min: -1e3, max: 0, noNaN: true }), (lr) => {
        const e = configError({ optimizer: { lr } });
        expect(e.argument).toBe('config.optimizer.lr');
        expect(Object.is(e.received, lr)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('property: any key that is not in the schema is reported under its own path', () => {
    const known = new Set(Object.keys(parseConfig({})).concat(['outDir']));
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !known.has(k) && k !== '__proto__'),
        (key) => {
          const e = configError({ [key]: 1 });
          expect(e.argument).toBe(`config.${key}`);
          expect(e.message).toContain(`config.${key}: unknown key`);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('loadConfigFile', () => {
  it('reads YAML and JSON; reports syntax errors with the line, and a missing file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cli-config-'));
    const yamlFile = path.join(dir, 'a.yaml');
    await writeFile(yamlFile, 'strategy:\n  name: supcon\ntrain:\n  batchSize: 64\n');
    expect((await loadConfigFile(yamlFile)).train.batchSize).toBe(64);
    const jsonFile = path.join(dir, 'a.json');
    await writeFile(jsonFile, JSON.stringify({ optimizer: { name: 'lars' } }));
    expect((await loadConfigFile(jsonFile)).optimizer.name).toBe('lars');

    const broken = path.join(dir, 'broken.yaml');
    await writeFile(broken, 'train:\n  batchSize: [1, 2\nseed: 3\n');
    await expect(loadConfigFile(broken)).rejects.toThrow(/cannot parse .*broken\.yaml as YAML at line \d+, column \d+/);
    const dup = path.join(dir, 'dup.yaml');
    await writeFile(dup, 'seed: 1\nseed: 2\n');
    await expect(loadConfigFile(dup)).rejects.toBeInstanceOf(ConfigError);
    const bad = path.join(dir, 'bad.yml');
    await writeFile(bad, 'optimizer:\n  lr: -1\n');
    await expect(loadConfigFile(bad)).rejects.toThrow(/invalid config file .*bad\.yml:\n {2}config\.optimizer\.lr: expected a number > 0, received -1/);
    await expect(loadConfigFile(path.join(dir, 'none.yaml'))).rejects.toThrow(/cannot read the config file .*none\.yaml: no such file/);
  });
});

describe('the examples', () => {
  const root = repositoryRoot() as string;
  it.each(['simclr-cifar10', 'supcon-cifar10', 'moco-cifar10'])('examples/%s/config.yaml is a valid configuration', async (name) => {
    const config = await loadConfigFile(path.join(root, 'examples', name, 'config.yaml'));
    expect(config.strategy.name).toBe({ 'simclr-cifar10': 'simclr', 'supcon-cifar10': 'supcon', 'moco-cifar10': 'mocoV2' }[name]);
  });

  it('examples/simclr-cifar10/config.yaml is the main job configuration', async () => {
    const text = await readFile(path.join(root, 'examples', 'simclr-cifar10', 'config.yaml'), 'utf8');
    expect(parseConfig(parseYaml(text))).toEqual(parseConfig(MAIN_CONFIG));
  });
});
