import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { initBackend } from '@contrastive/backend';
import { buildAugmenter, buildRunParts, parseConfig } from '@contrastive/experiment';
import { loadConfigFile, repositoryRoot } from '@contrastive/experiment/node';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAIN_CONFIG } from './main.js';

describe('the examples', () => {
  const root = repositoryRoot() as string;
  beforeAll(async () => {
    await initBackend({ prefer: 'cpu' });
  });
  it.each(['simclr-cifar10', 'supcon-cifar10', 'moco-cifar10'])('examples/%s/config.yaml is a valid configuration', async (name) => {
    const config = await loadConfigFile(path.join(root, 'examples', name, 'config.yaml'));
    expect(config.strategy.name).toBe({ 'simclr-cifar10': 'simclr', 'supcon-cifar10': 'supcon', 'moco-cifar10': 'mocoV2' }[name]);
  });

  it.each([
    ['byol', 'byol'],
    ['simsiam', 'simsiam'],
    ['barlow-twins', 'barlowTwins'],
    ['vicreg', 'vicreg'],
    ['nnclr', 'nnclr'],
    ['dcl', 'dcl'],
    ['supcon-queue', 'supconQueue'],
  ])('examples/strategies-cifar10/%s.yaml is a valid configuration that builds its strategy', async (file, strategy) => {
    const config = await loadConfigFile(path.join(root, 'examples', 'strategies-cifar10', `${file}.yaml`));
    expect(config.strategy.name).toBe(strategy);
    const parts = buildRunParts(config, 100, 10);
    try {
      expect(parts.strategy.trainableVariables.length).toBeGreaterThan(parts.encoder.trainableVariables.length);
      expect(parts.augment.numViews).toBe(file === 'supcon-queue' ? 6 : 2);
    } finally {
      parts.dispose();
    }
  });

  it('unknown strategy options and a multi-crop instDisc are errors naming the key', async () => {
    expect(() => parseConfig({ strategy: { name: 'byol', temperature: 0.1 } })).toThrow(/config\.strategy\.temperature/);
    expect(() => parseConfig({ augment: { localCrops: { count: 2, size: 40 } } })).toThrow(/config\.augment\.localCrops\.size/);
    const config = parseConfig({ strategy: { name: 'instDisc' }, augment: { localCrops: { count: 2, size: 16 } } });
    expect(() => buildAugmenter(config)).toThrow(/config.augment.localCrops/);
  });

  it('examples/simclr-cifar10/config.yaml is the main job configuration', async () => {
    const text = await readFile(path.join(root, 'examples', 'simclr-cifar10', 'config.yaml'), 'utf8');
    expect(parseConfig(parseYaml(text))).toEqual(parseConfig(MAIN_CONFIG));
  });
});
