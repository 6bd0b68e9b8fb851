import { ConfigError } from '@contrastive/core';
import fc from 'fast-check';
import { parseConfig } from '@contrastive/experiment';
import { describe, expect, it } from 'vitest';
import { evaluationConfig, expandCells, sanitizeId, shortLabels } from './expand-cells.js';
import { planSweep } from './plan-sweep.js';
import { parseSweepSpec } from './sweep-spec.js';

const BASE = { data: { dataset: 'tabular', file: 'x.csv' }, encoder: { kind: 'mlp' }, train: { maxSteps: 3 } };

describe('expandCells', () => {
  it('variants × grid × seeds, with readable ids and resolved configurations', () => {
    const spec = parseSweepSpec({
      name: 't',
      seeds: [0, 1],
      grid: { 'strategy.temperature': [0.1, 0.5], 'train.batchSize': [32] },
      variants: [{ name: 'mlp-head', set: {} }, { name: 'linear-head', set: { head: { kind: 'linear' } } }],
    });
    const cells = expandCells(spec, BASE);
    expect(cells.map((c) => c.id)).toEqual([
      'mlp-head.temperature=0.1.batchSize=32.seed=0',
      'mlp-head.temperature=0.1.batchSize=32.seed=1',
      'mlp-head.temperature=0.5.batchSize=32.seed=0',
      'mlp-head.temperature=0.5.batchSize=32.seed=1',
      'linear-head.temperature=0.1.batchSize=32.seed=0',
      'linear-head.temperature=0.1.batchSize=32.seed=1',
      'linear-head.temperature=0.5.batchSize=32.seed=0',
      'linear-head.temperature=0.5.batchSize=32.seed=1',
    ]);
    const last = cells[7]!;
    expect(last.group).toBe('linear-head.temperature=0.5.batchSize=32');
    expect(last.config.head.kind).toBe('linear');
    expect(last.config.strategy).toEqual({ name: 'simclr', temperature: 0.5 });
    expect(last.config.seed).toBe(1);
    expect(last.config.encoder).toMatchObject({ kind: 'mlp' });
    expect(last.overrides).toEqual({ seed: 1, 'head.kind': 'linear', 'strategy.temperature': 0.5, 'train.batchSize': 32 });
    expect(cells[0]?.overrides).toEqual({ seed: 0, 'strategy.temperature': 0.1, 'train.batchSize': 32 });
    expect(last.values).toEqual({ 'strategy.temperature': 0.5, 'train.batchSize': 32 });
  });

  it('one base cell per seed without grid or variants; the base seed by default', () => {
    expect(expandCells(parseSweepSpec({ name: 't' }), { ...BASE, seed: 7 }).map((c) => c.id)).toEqual(['base.seed=7']);
  });

  it('a variant that switches a union kind does not inherit the other kind\'s keys', () => {
    const cells = expandCells(parseSweepSpec({ name: 't', variants: [{ name: 'supcon', set: { strategy: { name: 'supcon' } } }, { name: 'conv', set: { encoder: { kind: 'convnet' }, data: { dataset: 'cifar10' } } }] }), {});
    expect(cells[0]?.config.strategy).toEqual({ name: 'supcon', temperature: 0.1, variant: 'out' });
    expect(cells[1]?.config.encoder).toEqual({ kind: 'convnet', widths: [32, 64, 128], batchNorm: true });
  });

  it('names the cell and the sweep key of an invalid value or unknown key, before anything runs', () => {
    const bad = (sweep: unknown): ConfigError => {
      try {
        expandCells(parseSweepSpec(sweep), BASE);
      } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
      }
      throw new Error('expected a ConfigError');
    };
    const e = bad({ name: 't', grid: { 'strategy.temperature': [0.1, -1] } });
    expect(e.message).toContain('sweep cell temperature=-1.seed=0 (set by the sweep key strategy.temperature)');
    expect(e.argument).toBe('config.strategy.temperature');
    expect(e.received).toBe(-1);
    const k = bad({ name: 't', grid: { 'optimizer.lrr': [0.1] } });
    expect(k.message).toContain("config.optimizer.lrr: unknown key (did you mean 'lr'?)");
    const v = bad({ name: 't', variants: [{ name: 'v', set: { head: { kind: 'huge' } } }] });
    expect(v.message).toContain('sweep cell v.seed=0 (set by the sweep key head)');
    // An evaluate entry is a partial eval section, validated for every cell.
    const ev = bad({ name: 't', evaluate: [{ name: 'h', set: { k: 0 } }] });
    expect(ev.message).toContain('base.seed=0 (evaluate h) (set by the sweep key eval.k)');
    expect(ev.message).toContain('config.eval.k: expected an integer >= 1, received 0');
  });

  it('evaluate entries lay a partial eval section onto the cell configuration', () => {
    const plan = planSweep({ name: 't', evaluate: [{ name: 'h', set: { k: 3 } }, { name: 'z', set: { bankSize: 50, linear: { epochs: 2 } } }], measure: ['knn', 'linear'] }, BASE, 'hash');
    const cell = plan.cells[0]!;
    expect(evaluationConfig(cell.id, cell.config, plan.evaluations[0]!).eval.k).toBe(3);
    const z = evaluationConfig(cell.id, cell.config, plan.evaluations[1]!);
    expect(z.eval).toMatchObject({ bankSize: 50, k: 200, linear: { epochs: 2, lr: 1e-3 } });
  });

  it('random samples are seeded: the same seed gives the same cells, another seed others', () => {
    const sweep = (seed: number) => parseSweepSpec({
      name: 'r',
      random: { samples: 6, seed, space: { 'optimizer.lr': { logUniform: [1e-4, 1e-2] }, 'strategy.temperature': { uniform: [0.05, 1] }, 'train.batchSize': { choice: [32, 64] } } },
    });
    const a = expandCells(sweep(0), BASE);
    const b = expandCells(sweep(0), BASE);
    expect(a.map((c) => c.values)).toEqual(b.map((c) => c.values));
    expect(a.map((c) => c.id)).toEqual(['sample=0.seed=0', 'sample=1.seed=0', 'sample=2.seed=0', 'sample=3.seed=0', 'sample=4.seed=0', 'sample=5.seed=0']);
    expect(expandCells(sweep(1), BASE).map((c) => c.values)).not.toEqual(a.map((c) => c.values));
    for (const c of a) {
      expect(c.config.optimizer.lr).toBeGreaterThanOrEqual(1e-4);
      expect(c.config.optimizer.lr).toBeLessThanOrEqual(1e-2);
      expect([32, 64]).toContain(c.config.train.batchSize);
      expect(c.sample).toBeTypeOf('number');
    }
  });

  it('property: count = variants × grid product × seeds, ids unique and directory-safe, every configuration valid', () => {
    const values = {
      'strategy.temperature': fc.uniqueArray(fc.double({ min: 0.01, max: 2, noNaN: true }), { minLength: 1, maxLength: 3 }),
      'train.batchSize': fc.uniqueArray(fc.integer({ min: 2, max: 512 }), { minLength: 1, maxLength: 3 }),
      'optimizer.name': fc.uniqueArray(fc.constantFrom('sgd', 'lars', 'adamw'), { minLength: 1, maxLength: 3 }),
      'head.outputDim': fc.uniqueArray(fc.integer({ min: 1, max: 256 }), { minLength: 1, maxLength: 2 }),
    };
    fc.assert(
      fc.property(
        fc.record(values, { requiredKeys: [] }),
        fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 3 }),
        (grid, seeds, variantCount) => {
          const variants = Array.from({ length: variantCount }, (_, i) => ({ name: `v${i}`, set: { head: { hiddenDim: 8 + i } } }));
          const spec = parseSweepSpec({ name: 'p', seeds, grid, ...(variantCount > 0 ? { variants } : {}) });
          const cells = expandCells(spec, BASE);
          const product = Object.values(grid).reduce((n, v) => n * (v as unknown[]).length, 1);
          expect(cells).toHaveLength(Math.max(1, variantCount) * product * seeds.length);
          expect(new Set(cells.map((c) => c.id)).size).toBe(cells.length);
          for (const c of cells) {
            expect(c.id).toMatch(/^[A-Za-z0-9._=-]+$/);
            expect(parseConfig(c.config)).toEqual(c.config);
            for (const [key, value] of Object.entries(c.values)) {
              const [section, leaf] = key.split('.') as [string, string];
              expect((c.config as unknown as Record<string, Record<string, unknown>>)[section]?.[leaf]).toEqual(value);
            }
          }
        },
      ),
    );
  });

  it('sanitizes ids and shortens keys only while they stay unique', () => {
    expect(sanitizeId('a b/c:d')).toBe('a_b_c_d');
    expect(sanitizeId('..x')).toBe('_x');
    expect(shortLabels(['strategy.temperature', 'monitor.temperature', 'optimizer.lr'])).toEqual({
      'strategy.temperature': 'strategy.temperature',
      'monitor.temperature': 'monitor.temperature',
      'optimizer.lr': 'lr',
    });
  });
});
