import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArgumentError, ConfigError } from '@contrastive/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { prepareSweep, readSweepPlan, sweepHash } from './prepare-sweep.js';
import { SWEEP_FILES } from './sweep-dir.js';

const EXAMPLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../examples/sweep-temperature');

describe('prepareSweep', () => {
  it('writes sweep.yaml (the inputs as given and their hash) and plan.json; reopens the same sweep; refuses another without overwrite', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'sweep-prep-'));
    const base = { train: { maxSteps: 3 } };
    const sweep = { name: 's', grid: { 'strategy.temperature': [0.1, 0.2] } };
    const { sweepDir, plan } = await prepareSweep({ baseConfig: base, sweep, outDir: out });
    expect(sweepDir).toBe(path.join(out, 's'));
    const file = parse(await readFile(path.join(sweepDir, SWEEP_FILES.spec), 'utf8')) as { hash: string; sweep: unknown; base: unknown };
    expect(file).toEqual({ hash: sweepHash(sweep, base), sweep, base });
    expect(plan.hash).toBe(file.hash);
    expect(await readSweepPlan(sweepDir)).toEqual(JSON.parse(JSON.stringify(plan)));
    // Key order does not change the hash.
    expect(sweepHash({ grid: sweep.grid, name: 's' }, base)).toBe(file.hash);
    await expect(prepareSweep({ baseConfig: base, sweep, outDir: out })).resolves.toMatchObject({ sweepDir });
    await writeFile(path.join(sweepDir, 'cells', 'marker'), '');
    const other = { ...sweep, grid: { 'strategy.temperature': [0.3] } };
    const refused = await prepareSweep({ baseConfig: base, sweep: other, outDir: out }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ArgumentError);
    expect((refused as ArgumentError).argument).toBe('--overwrite');
    const again = await prepareSweep({ baseConfig: base, sweep: other, outDir: out, overwrite: true });
    expect(again.plan.cells.map((c) => c.id)).toEqual(['temperature=0.3.seed=0']);
    expect(existsSync(path.join(sweepDir, 'cells', 'marker'))).toBe(false);
  });

  it('reads YAML files; a missing file or a bad sweep is a ConfigError naming it; a non-sweep directory is refused', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'sweep-prep-'));
    const missing = await prepareSweep({ baseConfigPath: path.join(out, 'nope.yaml'), sweep: { name: 's' }, outDir: out }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as ConfigError).message).toContain('nope.yaml: no such file');
    const bad = path.join(out, 'bad.yaml');
    await writeFile(bad, 'name: s\nseeds: [a]\n');
    const e = await prepareSweep({ baseConfig: {}, sweepPath: bad, outDir: out }).catch((x: unknown) => x);
    expect((e as ConfigError).message).toContain(`invalid sweep file ${bad}`);
    expect((e as ConfigError).message).toContain('sweep.seeds[0]: expected an integer, received "a"');
    await expect(readSweepPlan(out)).rejects.toThrow('is not a sweep directory');
  });

  it('the example sweep (examples/sweep-temperature) plans 16 valid cells', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'sweep-prep-'));
    const { plan } = await prepareSweep({ baseConfigPath: path.join(EXAMPLE, 'base.yaml'), sweepPath: path.join(EXAMPLE, 'sweep.yaml'), outDir: out });
    expect(plan.cells).toHaveLength(16);
    expect(plan.cells[0]?.id).toBe('mlp-head.temperature=0.05.seed=0');
    expect(plan.cells[15]?.config).toMatchObject({ seed: 1, head: { kind: 'linear' }, strategy: { name: 'simclr', temperature: 1 } });
  });

  it.each([
    ['composition', 16],
    ['colour-strength', 8],
    ['head', 6],
    ['temperature', 8],
    ['batch-size', 4],
    ['loss', 8],
  ])('the ablation sweep examples/ablations/%s.yaml plans %i valid cells', async (name, cells) => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'sweep-prep-'));
    const ablations = path.join(EXAMPLE, '..', 'ablations');
    const { plan } = await prepareSweep({ baseConfigPath: path.join(ablations, 'base.yaml'), sweepPath: path.join(ablations, `${name}.yaml`), outDir: out });
    expect(plan.cells).toHaveLength(cells);
    expect(plan.name).toBe(name);
  });
});
