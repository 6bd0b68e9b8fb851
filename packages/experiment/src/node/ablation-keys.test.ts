/**
 * The ablation keys end to end (issue 17): a tiny CIFAR-10 run with the composition recipe, a
 * linear head and the gradient cache, then the same run evaluated on h and on z = g(h).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '@contrastive/backend/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDataDir } from '../../../../test/shared-data.js';
import { parseConfig } from '../config.js';
import { evaluateExperiment } from './evaluate-experiment.js';
import { trainExperiment } from './train-experiment.js';

let dir: string;

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
  dir = await mkdtemp(path.join(os.tmpdir(), 'ablation-keys-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ablation keys through train and eval', () => {
  it('composition recipe + linear head + gradient cache train; eval on the projection gives the head size', async () => {
    const config = parseConfig({
      data: { dataset: 'cifar10', dir: path.join(sharedDataDir(), 'cifar10'), trainLimit: 48, download: false },
      encoder: { kind: 'convnet', widths: [4, 8] },
      head: { kind: 'linear', outputDim: 5 },
      augment: { recipe: 'composition', transforms: ['crop', 'color'] },
      train: { maxSteps: 2, batchSize: 16, gradientCache: { chunkSize: 8 } },
      monitor: { enabled: false },
      eval: { bankSize: 40, testSize: 30, k: 5, linear: { epochs: 1 } },
      checkpoint: { everySteps: 1 },
    });
    const runDir = path.join(dir, 'run');
    const { training } = await trainExperiment({ config, runDir, engine: 'cpu' });
    training.parts.dispose();
    const h = await evaluateExperiment({ source: runDir, save: false });
    const z = await evaluateExperiment({ source: runDir, save: false, representation: 'projection' });
    expect(h.dim).toBe(8);
    expect(z.dim).toBe(5);
    expect(z.description).toMatch(/projection z = g\(h\)/);
    for (const r of [h, z]) {
      expect(r.outcome.evaluated).toBe(true);
      if (r.outcome.evaluated) expect(r.outcome.file.pretrained.knn).toBeGreaterThanOrEqual(0);
    }
  }, 120_000);

  it("head 'none' trains the loss on h; the projection then equals the encoder", async () => {
    const config = parseConfig({
      data: { dataset: 'cifar10', dir: path.join(sharedDataDir(), 'cifar10'), trainLimit: 32, download: false },
      encoder: { kind: 'convnet', widths: [4, 8] },
      head: { kind: 'none' },
      train: { maxSteps: 1, batchSize: 16 },
      monitor: { enabled: false },
      eval: { bankSize: 30, testSize: 20, k: 5, linear: { epochs: 1 } },
    });
    const runDir = path.join(dir, 'none');
    const { training } = await trainExperiment({ config, runDir, engine: 'cpu' });
    training.parts.dispose();
    const h = await evaluateExperiment({ source: runDir, save: false });
    const z = await evaluateExperiment({ source: runDir, save: false, representation: 'projection' });
    expect(z.dim).toBe(h.dim);
    if (h.outcome.evaluated && z.outcome.evaluated) expect(z.outcome.file.pretrained.knn).toBe(h.outcome.file.pretrained.knn);
    else throw new Error('both evaluations should run on labelled CIFAR-10');
  }, 120_000);

  it('a bare saved encoder cannot be evaluated on the projection', async () => {
    const bare = path.join(dir, 'bare-encoder');
    await cp(path.join(dir, 'none', 'encoder'), bare, { recursive: true });
    await expect(evaluateExperiment({ source: bare, save: false, representation: 'projection' })).rejects.toThrow(/representation 'projection' needs a run directory/);
  }, 60_000);
});
