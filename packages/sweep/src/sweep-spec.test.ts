import { ConfigError } from '@contrastive/core';
import { describe, expect, it } from 'vitest';
import { parseSweepSpec } from './sweep-spec.js';

function problem(value: unknown): ConfigError {
  try {
    parseSweepSpec(value);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('parseSweepSpec', () => {
  it('fills in the defaults: measure [knn], random seed 0', () => {
    expect(parseSweepSpec({ name: 's' })).toEqual({ name: 's', measure: ['knn'] });
    expect(parseSweepSpec({ name: 's', random: { samples: 2, space: { 'optimizer.lr': { logUniform: [1e-4, 1e-2] } } } }).random?.seed).toBe(0);
  });

  it('names an unknown key, with the closest known one', () => {
    const e = problem({ name: 's', mesure: ['knn'] });
    expect(e.message).toContain("sweep.mesure: unknown key (did you mean 'measure'?)");
    expect(e.argument).toBe('sweep.mesure');
    expect(e.received).toBe('mesure');
    expect(problem({ name: 's', random: { samples: 1, space: {}, sed: 1 } }).message).toContain("sweep.random.sed: unknown key (did you mean 'seed'?)");
    expect(problem({ name: 's', variants: [{ name: 'v', sett: {} }] }).message).toContain('sweep.variants[0].sett: unknown key');
    expect(problem({ name: 's', random: { samples: 1, space: { 'optimizer.lr': { loguniform: [1, 2] } } } }).message).toContain("sweep.random.space.optimizer.lr");
  });

  it('names bad values: expected and received', () => {
    const e = problem({ name: 's', measure: ['knn', 'top5'] });
    expect(e.message).toContain('sweep.measure[1]: expected one of "knn" | "linear" | "alignment" | "uniformity", received "top5"');
    expect(problem({ name: 'a b' }).message).toContain("sweep.name: expected letters, digits");
    expect(problem({ name: 's', seeds: [] }).message).toContain('sweep.seeds: expected a list of at least 1 items, received []');
    expect(problem({ name: 's', seeds: [0.5] }).message).toContain('sweep.seeds[0]');
    expect(problem({ name: 's', grid: { 'strategy.temperature': [] } }).message).toContain('sweep.grid.strategy.temperature: expected a list of at least 1 items');
    expect(problem({ name: 's', grid: { 'strategy..x': [1] } }).message).toContain('expected a dotted configuration key');
    expect(problem({ name: 's', random: { samples: 1, space: { 'optimizer.lr': { logUniform: [0, 1] } } } }).message).toContain('0 < min <= max');
    expect(problem({}).message).toContain('sweep.name: expected a string, received nothing');
  });

  it('refuses grid and random together', () => {
    expect(problem({ name: 's', grid: { seed: [1] }, random: { samples: 1, space: {} } }).message).toContain('sweep.random: expected either grid or random, not both');
    expect(problem({ name: 's', grid: { seed: [1, 2] } }).message).toContain("sweep.grid.seed: expected the seeds of a sweep in 'seeds', not in the grid");
  });
});
