/**
 * The command line end to end on Fashion-MNIST (Xiao et al. 2017; Debian's
 * `dataset-fashion-mnist` package): a tiny SimCLR run on 256 training images, then eval, embed
 * and report on the official test split, grey images repeated into three channels.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadFashionMnist } from '@contrastive/data/node';
import { readEmbeddings } from '@contrastive/experiment/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, expectExit, type CliResult } from './cli-process.js';

let dir: string;
let run: string;
let train: CliResult;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cli-fmnist-'));
  run = path.join(dir, 'run');
  await writeFile(
    path.join(dir, 'fm.yaml'),
    `
name: fm
outDir: ${run}
data: { dataset: fashionMnist, trainLimit: 256, testLimit: 200 }
encoder: { kind: convnet, widths: [8, 16] }
head: { hiddenDim: 32, outputDim: 16 }
train: { batchSize: 32, maxSteps: 4 }
checkpoint: { everySteps: 4 }
monitor: { everySteps: 4, bankSize: 100, testSize: 60 }
eval: { bankSize: 256, testSize: 200, linear: { epochs: 5 } }
report: { mapPoints: 100, previewImages: 3, previewViews: 3 }
`,
  );
  train = await cli(['train', '--config', path.join(dir, 'fm.yaml')]);
});

describe('contrastive on Fashion-MNIST', () => {
  it('train reads 256 training images of 28x28 and records the dataset in run.json', async () => {
    expectExit(train, 0);
    expect(train.stderr).toMatch(/data: fashionMnist: 256 training and 60 test images \(28x28\) from \S+ \(from (dataset-fashion-mnist|\$CONTRASTIVE_DATA_DIR)\)/);
    expect(train.stdout).toMatch(/trained 4 steps in [\d.]+ s/);
    expect(JSON.parse(await readFile(path.join(run, 'run.json'), 'utf8'))).toMatchObject({ status: 'completed', steps: 4, data: { trainImages: 256 } });
  });

  it('eval: kNN and linear accuracy on the test split, well above chance (10 classes)', async () => {
    const r = await cli(['eval', run, '--json']);
    expectExit(r, 0);
    const result = JSON.parse(r.stdout) as { pretrained: { knn: number; linear: number; bankSize: number; testSize: number; dim: number } };
    expect(result.pretrained).toMatchObject({ bankSize: 256, testSize: 200, dim: 16 });
    // Labels that did not belong to their images would give about 10% (the linear probe trains 5 epochs only).
    expect(result.pretrained.knn).toBeGreaterThan(0.3);
    expect(result.pretrained.linear).toBeGreaterThan(0.2);
  });

  it('embed writes the representations with the official test labels, and report names the dataset', async () => {
    const out = path.join(dir, 'fm.emb');
    const r = await cli(['embed', run, '--out', out, '--limit', '40']);
    expectExit(r, 0);
    expect(r.stdout).toMatch(/wrote 40 × 16 embeddings of fashionMnist\/test\[0:40\]/);
    const emb = await readEmbeddings(out);
    const test = await loadFashionMnist({ split: 'test', limit: 40 });
    expect(Array.from(emb.labels ?? [])).toEqual(Array.from(test.labels));
    expect(emb.classNames).toEqual(test.classNames);
    const report = await cli(['report', run]);
    expectExit(report, 0);
    const html = await readFile(path.join(run, 'report.html'), 'utf8');
    expect(html).toContain('Evaluation on Fashion-MNIST test images');
    expect(html.match(/<img [^>]*src="data:image\/png;base64,/g)).toHaveLength(2); // the map and the preview
  });
});
