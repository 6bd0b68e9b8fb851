import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '@contrastive/core';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config.js';
import { loadConfigFile, runDirOf } from './config-file.js';

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

describe('runDirOf', () => {
  it('outDir, else runs/<name>, resolved against the working directory', () => {
    expect(runDirOf(parseConfig({}), '/work')).toBe(path.resolve('/work/runs/run'));
    expect(runDirOf(parseConfig({ name: 'x', outDir: 'out/y' }), '/work')).toBe(path.resolve('/work/out/y'));
  });
});
