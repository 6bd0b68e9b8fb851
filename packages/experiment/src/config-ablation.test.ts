/** The configuration keys of the SimCLR ablations (issue 17): head none, composition, representation, gradient cache. */
import { ConfigError } from '@contrastive/core';
import { COMPOSITION_TRANSFORMS } from '@contrastive/augment';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAugmenter, buildHead } from './build.js';
import { parseConfig, recipeOf } from './config.js';

function configError(value: unknown): ConfigError {
  try {
    parseConfig(value);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(value)}`);
}

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
