import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ArgumentError, ConfigError } from '@contrastive/core';
import type { ImageDataset, TabularDataset } from '@contrastive/data';
import { loadCifar10 } from '@contrastive/data/node';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedDataDir } from '../../../../test/shared-data.js';
import { parseConfig } from '../config.js';
import { loadExperimentData } from './datasets.js';

/** A 4x4 PNG filled with `value`. */
const png = (value: number): Buffer => {
  const p = new PNG({ width: 4, height: 4 });
  p.data.fill(value);
  for (let i = 3; i < p.data.length; i += 4) p.data[i] = 255;
  return PNG.sync.write(p);
};

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'experiment-data-'));
  for (const [folder, classes] of [['train', ['cat', 'dog']], ['test', ['cat', 'dog']], ['other', ['cat', 'eel']]] as const) {
    for (const c of classes) {
      await mkdir(path.join(dir, folder, c), { recursive: true });
      for (let i = 0; i < 5; i++) await writeFile(path.join(dir, folder, c, `${i}.png`), png(c === 'cat' ? 10 + i : 200 + i));
    }
  }
  await writeFile(path.join(dir, 'rows.csv'), 'a,b,y\n' + Array.from({ length: 20 }, (_, i) => `${i},${2 * i},${i % 2 === 0 ? 'even' : 'odd'}`).join('\n'));
  await writeFile(path.join(dir, 'rows-test.csv'), 'a,b,y\n1,2,odd\n4,8,even\n');
});

const data = (value: unknown) => parseConfig({ data: value }).data;

describe('loadExperimentData', () => {
  it('cifar10: the first N images of the official splits, from the configured directory', async () => {
    const d = await loadExperimentData(data({ dir: sharedDataDir(), trainLimit: 30 }), { seed: 0, testLimit: 20 });
    const test = await loadCifar10({ dir: sharedDataDir(), split: 'test', limit: 20 });
    expect([d.train?.length, d.test.length, d.labelled, d.source]).toEqual([30, 20, true, 'data.dir']);
    expect(Array.from(d.test.labels)).toEqual(Array.from(test.labels));
    expect((await loadExperimentData(data({ dir: sharedDataDir() }), { seed: 0, testOnly: true, testLimit: 5 })).train).toBeNull();
  });

  it('imageFolder with testDir: classes by sub-directory, resized to size; a testDir with other classes is a ConfigError', async () => {
    const d = await loadExperimentData(data({ dataset: 'imageFolder', dir: path.join(dir, 'train'), testDir: path.join(dir, 'test'), size: [8, 8] }), { seed: 0 });
    const test = d.test as ImageDataset;
    expect([d.train?.length, test.length, test.height, test.width, test.channels]).toEqual([10, 10, 8, 8, 3]);
    expect(test.classNames).toEqual(['cat', 'dog']);
    const bad = loadExperimentData(data({ dataset: 'imageFolder', dir: path.join(dir, 'train'), testDir: path.join(dir, 'other') }), { seed: 0 });
    await expect(bad).rejects.toBeInstanceOf(ConfigError);
    await expect(bad).rejects.toMatchObject({ argument: 'config.data.testDir' });
  });

  it('imageFolder without testDir: a seeded per-class split, the same for the same seed; --data-dir overrides data.dir', async () => {
    const config = data({ dataset: 'imageFolder', dir: '/nonexistent', testFraction: 0.4 });
    const a = await loadExperimentData(config, { seed: 3, dirOverride: path.join(dir, 'train') });
    const b = await loadExperimentData(config, { seed: 3, dirOverride: path.join(dir, 'train') });
    expect([a.train?.length, a.test.length, a.source]).toEqual([6, 4, '--data-dir']);
    expect(Array.from(a.test.labels).sort()).toEqual([0, 0, 1, 1]);
    expect(Array.from((a.test as ImageDataset).images)).toEqual(Array.from((b.test as ImageDataset).images));
  });

  it('an unlabelled folder: every image of the tree, one class, labelled false', async () => {
    const d = await loadExperimentData(data({ dataset: 'imageFolder', dir: path.join(dir, 'train'), labelled: false, testFraction: 0.2, size: [4, 4] }), { seed: 0 });
    expect([d.train?.length, d.test.length, d.labelled]).toEqual([8, 2, false]);
    expect(d.description).toContain('imageFolder (unlabelled): 8 training and 2 test images');
  });

  it('tabular: standardised with the training statistics; a test file reads its labels against the training classes', async () => {
    const d = await loadExperimentData(data({ dataset: 'tabular', file: path.join(dir, 'rows.csv'), testFile: path.join(dir, 'rows-test.csv') }), { seed: 0 });
    const train = d.train as TabularDataset;
    const test = d.test as TabularDataset;
    expect([train.length, train.numFeatures, test.length]).toEqual([20, 2, 2]);
    const column = (j: number) => Array.from({ length: train.length }, (_, r) => train.features[r * 2 + j] as number);
    const mean = column(0).reduce((s, v) => s + v, 0) / train.length;
    const variance = column(0).reduce((s, v) => s + (v - mean) ** 2, 0) / train.length;
    expect(mean).toBeCloseTo(0, 5);
    expect(variance).toBeCloseTo(1, 4);
    // Row a=1 of the test file with the training mean 9.5 and deviation sqrt(33.25).
    expect(test.features[0]).toBeCloseTo((1 - 9.5) / Math.sqrt(33.25), 5);
    expect(train.classNames).toEqual(test.classNames);
    expect(test.classNames[test.labels[0] as number]).toBe('odd');
    const raw = await loadExperimentData(data({ dataset: 'tabular', file: path.join(dir, 'rows.csv'), standardize: false, testFraction: 0.5 }), { seed: 0 });
    expect([raw.train?.length, raw.test.length]).toEqual([10, 10]);
    expect(Array.from((raw.test as TabularDataset).features).every(Number.isInteger)).toBe(true);
  });

  it('a missing directory or file fails naming it', async () => {
    await expect(loadExperimentData(data({ dataset: 'imageFolder', dir: path.join(dir, 'none') }), { seed: 0 })).rejects.toBeInstanceOf(ArgumentError);
    await expect(loadExperimentData(data({ dataset: 'tabular', file: path.join(dir, 'none.csv') }), { seed: 0 })).rejects.toThrow('none.csv');
  });
});
