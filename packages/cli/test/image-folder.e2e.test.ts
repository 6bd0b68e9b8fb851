/**
 * The command line end to end on image folders of PNG files written at test time from real
 * CIFAR-10 images: a labelled folder (a sub-directory per class, `testDir` in the same layout,
 * images resized to 28x28) and an unlabelled one (images directly in the folder, a seeded
 * `testFraction` split): train, eval (skipped with a note when unlabelled), embed, report.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadCifar10 } from '@contrastive/data/node';
import { readEmbeddings } from '@contrastive/experiment/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedDataDir } from '../../../test/shared-data.js';
import { cli, expectExit, noStackTrace } from './cli-process.js';
import { writePngFolder } from './png-folder.js';

const CLASSES = [0, 1, 6]; // airplane, automobile, frog: sub-directories sort in this order
const common = `
encoder: { kind: convnet, widths: [8, 16] }
head: { hiddenDim: 32, outputDim: 16 }
train: { batchSize: 30, maxSteps: 3 }
checkpoint: { everySteps: 3 }
eval: { bankSize: 120, testSize: 45, linear: { epochs: 5 } }
report: { mapPoints: 45, previewImages: 3, previewViews: 3 }
`;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cli-folder-'));
  const cifar = sharedDataDir();
  const train = await loadCifar10({ dir: cifar, split: 'train', limit: 1000 });
  const test = await loadCifar10({ dir: cifar, split: 'test', limit: 500 });
  await writePngFolder(train, path.join(dir, 'train'), CLASSES, 40, 'classes');
  await writePngFolder(test, path.join(dir, 'test'), CLASSES, 15, 'classes');
  await writePngFolder(train, path.join(dir, 'photos'), CLASSES, 40, 'flat');
});

describe('contrastive on a labelled image folder (testDir given)', () => {
  let run: string;
  beforeAll(() => {
    run = path.join(dir, 'labelled-run');
  });

  it('train reads 120 images of 3 classes resized to 28x28 and trains', async () => {
    const config = path.join(dir, 'labelled.yaml');
    await writeFile(config, `name: folder\noutDir: ${run}\ndata: { dataset: imageFolder, dir: ${path.join(dir, 'train')}, testDir: ${path.join(dir, 'test')}, size: [28, 28] }\nmonitor: { everySteps: 3, bankSize: 60, testSize: 30 }\n${common}`);
    const r = await cli(['train', '--config', config]);
    expectExit(r, 0);
    expect(r.stderr).toContain(`data: imageFolder: 120 training and 30 test images (28x28) from ${path.join(dir, 'train')} (from data.dir)`);
    expect(r.stdout).toMatch(/trained 3 steps .*kNN monitor [\d.]+%/);
  });

  it('eval measures kNN and linear accuracy on the testDir images; embed writes their class labels; report names the dataset', async () => {
    const e = await cli(['eval', run, '--json']);
    expectExit(e, 0);
    const result = JSON.parse(e.stdout) as { pretrained: { knn: number; bankSize: number; testSize: number } };
    expect(result.pretrained).toMatchObject({ bankSize: 120, testSize: 45 });
    expect(result.pretrained.knn).toBeGreaterThanOrEqual(0);
    expect(result.pretrained.knn).toBeLessThanOrEqual(1);
    const out = path.join(dir, 'folder.npy');
    const m = await cli(['embed', run, '--out', out]);
    expectExit(m, 0);
    expect(m.stdout).toMatch(/wrote 45 × 16 embeddings of imageFolder\/test\[0:45\]/);
    const emb = await readEmbeddings(out);
    // Classes are the sorted sub-directory names; files sort by class, then name.
    expect(Array.from(emb.labels ?? [])).toEqual([...Array<number>(15).fill(0), ...Array<number>(15).fill(1), ...Array<number>(15).fill(2)]);
    const report = await cli(['report', run]);
    expectExit(report, 0);
    expect(await readFile(path.join(run, 'report.html'), 'utf8')).toContain('Evaluation on image-folder test images');
  });
});

describe('contrastive on an unlabelled image folder (seeded testFraction split)', () => {
  let run: string;
  let config: string;
  beforeAll(async () => {
    run = path.join(dir, 'unlabelled-run');
    config = path.join(dir, 'unlabelled.yaml');
    await writeFile(config, `name: photos\noutDir: ${run}\ndata: { dataset: imageFolder, dir: ${path.join(dir, 'photos')}, labelled: false, testFraction: 0.25 }\n${common}`);
  });

  it('train learns from the 90 images of the training split with the kNN monitor off', async () => {
    const r = await cli(['train', '--config', config]);
    expectExit(r, 0);
    expect(r.stderr).toContain(`data: imageFolder (unlabelled): 90 training and 30 test images (32x32) from ${path.join(dir, 'photos')} (from data.dir)`);
    expect(r.stderr).toContain('kNN monitor: off (the images are unlabelled)');
    expect(r.stdout).toMatch(/trained 3 steps in [\d.]+ s/);
    expect(await readFile(path.join(run, 'metrics.jsonl'), 'utf8')).not.toContain('"type":"knn"');
  });

  it('eval is skipped with a note; embed writes representations without labels; the report says why it has no evaluation', async () => {
    const e = await cli(['eval', run]);
    expectExit(e, 0);
    expect(e.stdout).toContain('evaluation skipped: the images are unlabelled');
    expect(existsSync(path.join(run, 'eval.json'))).toBe(false);
    const out = path.join(dir, 'photos.emb');
    const m = await cli(['embed', run, '--out', out, '--split', 'train']);
    expectExit(m, 0);
    expect(m.stdout).toContain('wrote 90 × 16 embeddings of imageFolder/train[0:90] (unlabelled: no labels)');
    const emb = await readEmbeddings(out);
    expect([emb.count, emb.dim, emb.labels]).toEqual([90, 16, null]);
    expect(emb.features.every(Number.isFinite)).toBe(true);
    const report = await cli(['report', run]);
    expectExit(report, 0);
    expect(report.stderr).toContain('embedding map: skipped (the images are unlabelled)');
    expect(await readFile(path.join(run, 'report.html'), 'utf8')).toContain('Skipped: the images are unlabelled');
  });

  it('supcon needs labels: a configuration error naming config.strategy.name, status 2', async () => {
    const bad = path.join(dir, 'unlabelled-supcon.yaml');
    await writeFile(bad, (await readFile(config, 'utf8')).replace('name: photos', 'name: photos\nstrategy: { name: supcon }'));
    const s = await cli(['train', '--config', bad, '--out', path.join(dir, 'supcon-run')]);
    expectExit(s, 2);
    expect(s.stderr).toContain('config.strategy.name: supcon learns from class labels');
    expect(s.stderr).toContain('argument: config.strategy.name');
    noStackTrace(s.stderr);
  });
});
