import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseConfig } from '@contrastive/experiment';
import { loadConfigFile, repositoryRoot } from '@contrastive/experiment/node';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { MAIN_CONFIG } from './main.js';

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
