import { ConfigError } from '@contrastive/core';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { COMPOSITION_TRANSFORMS } from '@contrastive/augment';
import { buildAugmenter, buildHead } from './build.js';
import { parseConfig, parseConfigText, recipeOf } from './config.js';
import { DATASET_KINDS, inputShapeOf } from './data-config.js';

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
    expect(c.augment).toEqual({ strength: 0.5, blur: false, cropScale: [0.08, 1], noiseStd: 0.1 });
    expect(c.eval).toMatchObject({ bankSize: 10000, testSize: 10000, k: 200, temperature: 0.1 });
    expect(c.train).toMatchObject({ epochs: 1, batchSize: 128, onNonFinite: 'throw' });
    expect(recipeOf(c)).toBe('simclr');
    expect(c.data).toEqual({ dataset: 'cifar10', download: true });
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
    expect(configError({ strategy: { name: 'swav' } }).message).toContain(
      'config.strategy.name: expected one of "simclr" | "supcon" | "mocoV2" | "instDisc" | "byol" | "simsiam" | "barlowTwins" | "vicreg" | "nnclr" | "dcl" | "supconQueue", received "swav"',
    );
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

describe('parseConfig: the data section', () => {
  it('each dataset kind gets its own keys and defaults; no dataset means cifar10', () => {
    expect(parseConfig({ data: { trainLimit: 5 } }).data).toEqual({ dataset: 'cifar10', download: true, trainLimit: 5 });
    expect(parseConfig({ data: { dataset: 'fashionMnist', dir: '/d' } }).data).toEqual({ dataset: 'fashionMnist', dir: '/d' });
    expect(parseConfig({ data: { dataset: 'mnist' } }).data).toEqual({ dataset: 'mnist' });
    expect(parseConfig({ data: { dataset: 'imageFolder', dir: 'photos' } }).data).toEqual({ dataset: 'imageFolder', dir: 'photos', labelled: true, size: [32, 32], resize: 'bilinear' });
    const folder = parseConfig({ data: { dataset: 'imageFolder', dir: 'p', testDir: 'q', labelled: false, size: [24, 40], resize: 'nearest' } }).data;
    expect(folder).toMatchObject({ testDir: 'q', labelled: false, size: [24, 40], resize: 'nearest' });
    expect(parseConfig({ data: { dataset: 'tabular', file: 'iris.csv', labelColumn: 'species' } }).data).toEqual({ dataset: 'tabular', file: 'iris.csv', labelColumn: 'species', standardize: true });
    const rows = parseConfig({ data: { dataset: 'tabular', file: 'x.json' }, encoder: { kind: 'mlp' } });
    expect(rows.encoder).toEqual({ kind: 'mlp', hidden: [64, 64], batchNorm: true, activation: 'relu' });
    expect(recipeOf(rows)).toBe('noise');
  });

  it('the encoder input shape follows the data: CIFAR-10 32x32x3, (Fashion-)MNIST 28x28x3, a folder its size', () => {
    expect(inputShapeOf(parseConfig({}).data)).toEqual([32, 32, 3]);
    expect(inputShapeOf(parseConfig({ data: { dataset: 'fashionMnist' } }).data)).toEqual([28, 28, 3]);
    expect(inputShapeOf(parseConfig({ data: { dataset: 'imageFolder', dir: 'p', size: [24, 40] } }).data)).toEqual([24, 40, 3]);
    expect(inputShapeOf(parseConfig({ data: { dataset: 'tabular', file: 'x.csv' } }).data)).toBeUndefined(); // known from the file
  });

  it('errors name the key, the expected and the received value; keys of another dataset are unknown', () => {
    expect(configError({ data: { dataset: 'imagenet' } }).message).toContain(`config.data.dataset: expected one of ${DATASET_KINDS.map((k) => `"${k}"`).join(' | ')}, received "imagenet"`);
    expect(configError({ data: { dataset: 'imageFolder' } }).message).toContain('config.data.dir: expected a string, received nothing');
    expect(configError({ data: { dataset: 'imageFolder', dir: 'p', testFraction: 1 } }).message).toContain('config.data.testFraction: expected a number < 1, received 1');
    expect(configError({ data: { dataset: 'tabular', file: 'x.csv', testFile: 'y.csv', testFraction: 0.5 } }).message).toContain('config.data.testFraction: expected either testFile or testFraction, not both');
    const both = configError({ data: { dataset: 'imageFolder', dir: 'p', testDir: 'q', testFraction: 0.5 } });
    expect(both.message).toContain('config.data.testFraction: expected either testDir or testFraction, not both, received 0.5');
    expect(both.argument).toBe('config.data.testFraction');
    const unknown = configError({ data: { dataset: 'fashionMnist', download: true } });
    expect(unknown.message).toContain('config.data.download: unknown key; allowed keys here: dataset, dir, trainLimit, testLimit');
    expect(configError({ data: { dataset: 'imageFolder', dir: 'p', labeled: false } }).message).toContain("config.data.labeled: unknown key (did you mean 'labelled'?)");
    expect(configError({ data: { dataset: 'imageFolder', dir: 'p', size: [32, 0] } }).message).toContain('config.data.size[1]: expected an integer >= 1, received 0');
  });
});

describe('parseConfigText without Node.js globals (browsers, web workers)', () => {
  it('parses YAML when Buffer does not exist', () => {
    vi.stubGlobal('Buffer', undefined);
    try {
      expect(parseConfig(parseConfigText('strategy:\n  name: dcl\n', 'in-browser.yaml')).strategy.name).toBe('dcl');
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

// The configuration keys of the SimCLR ablations (issue 17): head none, composition, representation, gradient cache.
describe('ablation keys', () => {
  it("head kind 'none' builds the identity head (z = h, no variables)", () => {
    const c = parseConfig({ head: { kind: 'none' } });
    const g = buildHead(c.head, 64, 1);
    expect(g.outputDim).toBe(64);
    expect(g.trainableVariables).toHaveLength(0);
    g.dispose();
  });

  it('property: recipe composition takes any non-empty list of the known transforms', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...COMPOSITION_TRANSFORMS), { minLength: 1, maxLength: 3 }), (transforms) => {
        const c = parseConfig({ augment: { recipe: 'composition', transforms } });
        expect(recipeOf(c)).toBe('composition');
        expect(c.augment.transforms).toEqual(transforms);
        const aug = buildAugmenter(c);
        expect(aug.numViews).toBe(2);
      }),
      { numRuns: 20 },
    );
  });

  it('composition without transforms, transforms without composition and unknown transforms are errors naming the key', () => {
    expect(configError({ augment: { recipe: 'composition' } }).message).toMatch(/config\.augment\.transforms: .*composition/);
    expect(configError({ augment: { transforms: ['crop'] } }).message).toMatch(/config\.augment\.transforms: .*recipe: composition/);
    expect(configError({ augment: { recipe: 'composition', transforms: ['rotate'] } }).message).toMatch(/config\.augment\.transforms\[0\]: .*rotate/);
  });

  it('eval.representation defaults to the encoder; projection is accepted; anything else is refused', () => {
    expect(parseConfig({}).eval.representation).toBe('encoder');
    expect(parseConfig({ eval: { representation: 'projection' } }).eval.representation).toBe('projection');
    expect(configError({ eval: { representation: 'z' } }).message).toMatch(/config\.eval\.representation/);
  });

  it('train.gradientCache takes a positive integer chunkSize and nothing else', () => {
    expect(parseConfig({ train: { gradientCache: { chunkSize: 32 } } }).train.gradientCache).toEqual({ chunkSize: 32 });
    expect(configError({ train: { gradientCache: { chunkSize: 0 } } }).message).toMatch(/config\.train\.gradientCache\.chunkSize/);
    expect(configError({ train: { gradientCache: { chunk: 8 } } }).message).toMatch(/config\.train\.gradientCache\.chunk: unknown key/);
  });
});
