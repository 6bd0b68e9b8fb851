import { ConfigError } from '@contrastive/core';
import { describe, expect, it } from 'vitest';
import { buildAugmenter, buildEncoder, describeEncoder } from './build.js';
import { parseConfig } from './config.js';

/** The ConfigError `f` throws. */
function configError(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('buildEncoder and buildAugmenter against the data', () => {
  it('an encoder that does not fit the data is a ConfigError naming config.encoder.kind', () => {
    const mlpOnImages = configError(() => buildEncoder(parseConfig({ encoder: { kind: 'mlp' } })));
    expect(mlpOnImages.argument).toBe('config.encoder.kind');
    expect(mlpOnImages.message).toContain('mlp does not fit images (cifar10); use resnet or convnet');
    const convOnRows = configError(() => buildEncoder(parseConfig({ data: { dataset: 'tabular', file: 'x.csv' }, encoder: { kind: 'convnet' } }), [4]));
    expect(convOnRows.message).toContain('convnet does not fit tabular rows (tabular); use kind: mlp');
  });

  it('tabular rows need their input shape (from the file); image recipes are refused on rows', () => {
    const rows = parseConfig({ data: { dataset: 'tabular', file: 'x.csv' }, encoder: { kind: 'mlp', hidden: [8, 6] } });
    expect(configError(() => buildEncoder(rows)).argument).toBe('inputShape');
    expect(describeEncoder(rows.encoder)).toBe('MLP 8-6 (relu)');
    expect(buildAugmenter(rows).name).toBe('gaussian-noise(0.1)');
    const imageRecipe = configError(() => buildAugmenter({ ...rows, augment: { ...rows.augment, recipe: 'simclr' } }));
    expect(imageRecipe.message).toContain("config.augment.recipe: simclr augments images; tabular rows take the 'noise' recipe");
  });
});
