/**
 * The command line end to end, as a user runs it: child processes of `contrastive` (from the
 * TypeScript sources) on a tiny configuration over a few hundred real CIFAR-10 images from
 * ../shared/data: train (checkpoints, metrics, preview, encoder), eval, embed, report; Ctrl-C
 * (SIGINT) during training writes a checkpoint and exits with 130, and --resume finishes the run.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadCifar10 } from '@contrastive/data/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseMetrics, readEmbeddings } from '@contrastive/experiment/node';
import { sharedDataDir } from '../../../test/shared-data.js';
import { cli, noStackTrace, type CliResult } from './cli-process.js';

const tiny = (out: string, extra = ''): string => `
name: tiny
outDir: ${out}
data: { trainLimit: 320 }
encoder: { kind: convnet, widths: [8, 16] }
head: { hiddenDim: 32, outputDim: 16 }
strategy: { name: simclr, temperature: 0.5 }
train: { batchSize: 32, maxSteps: 6 }
checkpoint: { everySteps: 3 }
monitor: { everySteps: 3, bankSize: 100, testSize: 60 }
eval: { bankSize: 300, testSize: 200, linear: { epochs: 5 } }
report: { mapPoints: 150, previewImages: 3, previewViews: 3 }
${extra}`;

let dir: string;
let run: string;
let trainResult: CliResult;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cli-e2e-'));
  run = path.join(dir, 'run');
  await writeFile(path.join(dir, 'tiny.yaml'), tiny(run));
  trainResult = await cli(['train', '--config', path.join(dir, 'tiny.yaml')]);
});

describe('contrastive train → eval → embed → report', () => {
  it('train writes checkpoints, the metrics log with kNN records, the preview, the encoder and run.json', async () => {
    expect(trainResult.stderr).toContain('from $CONTRASTIVE_DATA_DIR');
    expect(trainResult.code).toBe(0);
    expect(trainResult.stdout).toMatch(/trained 6 steps in [\d.]+ s/);
    const checkpoints = (await readdir(path.join(run, 'checkpoints'))).sort();
    expect(checkpoints).toEqual(['latest', 'step-000000003', 'step-000000006']);
    expect((await readFile(path.join(run, 'checkpoints', 'latest'), 'utf8')).trim()).toBe('step-000000006');
    const metrics = parseMetrics(await readFile(path.join(run, 'metrics.jsonl'), 'utf8'));
    expect(metrics.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(metrics.steps.every((s) => Number.isFinite(s.loss) && s.batchSize === 32)).toBe(true);
    expect(metrics.knn.map((k) => k.step)).toEqual([0, 3, 6]);
    expect(metrics.knn.every((k) => k.accuracy >= 0 && k.accuracy <= 1 && k.testSize === 60)).toBe(true);
    // the collapse monitors ride along with every kNN reading
    expect(metrics.knn.every((k) => k.embeddingStd > 0 && k.embeddingStd <= 1 && k.effectiveRank >= 1 && k.effectiveRank <= 60)).toBe(true);
    const runInfo = JSON.parse(await readFile(path.join(run, 'run.json'), 'utf8')) as { status: string; steps: number; encoderPrefix: string };
    expect(runInfo).toMatchObject({ status: 'completed', steps: 6 });
    expect(existsSync(path.join(run, 'encoder', 'model.json'))).toBe(true);
    const png = await readFile(path.join(run, 'preview.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('training again into the same directory needs --resume (a complete run has nothing left to do) or --overwrite', async () => {
    const again = await cli(['train', '--config', path.join(dir, 'tiny.yaml')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a run .*pass --resume to continue it, or --overwrite to start over/);
    expect(again.stderr).toContain('argument: --resume');
    noStackTrace(again.stderr);
  });

  it('eval --random prints kNN and linear accuracy for both encoders and saves eval.json and the map', async () => {
    const r = await cli(['eval', run, '--random', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { pretrained: { knn: number; linear: number; bankSize: number; testSize: number }; random: { knn: number } };
    expect(result.pretrained.bankSize).toBe(300);
    expect(result.pretrained.testSize).toBe(200);
    for (const v of [result.pretrained.knn, result.pretrained.linear, result.random.knn]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(JSON.parse(await readFile(path.join(run, 'eval.json'), 'utf8'))).toMatchObject({ format: 'contrastive-eval', pretrained: { bankSize: 300 } });
    expect(existsSync(path.join(run, 'embedding-map.png'))).toBe(true);
  });

  it('embed writes the test representations with their labels; the checkpoint gives the same numbers as the saved encoder', async () => {
    const emb = path.join(dir, 'test.emb');
    const npy = path.join(dir, 'test.npy');
    const a = await cli(['embed', run, '--out', emb, '--limit', '50']);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/wrote 50 × 16 embeddings of cifar10\/test/);
    const b = await cli(['embed', path.join(run, 'checkpoints', 'step-000000006'), '--out', npy, '--limit', '50']);
    expect(b.code).toBe(0);
    const fromEncoder = await readEmbeddings(emb);
    const fromCheckpoint = await readEmbeddings(npy);
    expect(fromEncoder.count).toBe(50);
    expect(fromEncoder.dim).toBe(16);
    expect(fromEncoder.features.every(Number.isFinite)).toBe(true);
    expect(Array.from(fromCheckpoint.features)).toEqual(Array.from(fromEncoder.features));
    const test = await loadCifar10({ dir: sharedDataDir(), split: 'test', limit: 50 });
    expect(Array.from(fromEncoder.labels ?? [])).toEqual(Array.from(test.labels));
    expect(Array.from(fromCheckpoint.labels ?? [])).toEqual(Array.from(test.labels));
  });

  it('report writes one self-contained HTML page with the six charts (four curves, two collapse monitors), the map, the preview and no external resource', async () => {
    const r = await cli(['report', run]);
    expect(r.code).toBe(0);
    const html = await readFile(path.join(run, 'report.html'), 'utf8');
    expect(html.match(/<svg class="chart"/g)).toHaveLength(6);
    for (const title of ['Training loss', 'kNN accuracy during training', 'Learning rate', 'Throughput', 'Collapse monitor: effective rank (RankMe)']) {
      expect(html).toContain(`>${title}<`);
    }
    expect(html).toMatch(/embedding std \d\.\d{4} \(0: collapsed\), effective rank \d+\.\d \(RankMe\)/);
    expect(html.match(/<img [^>]*src="data:image\/png;base64,[A-Za-z0-9+/=]+"/g)).toHaveLength(2);
    expect(html).toContain('Evaluation on CIFAR-10 test images');
    expect(html).toMatch(/<polyline [^>]*points="[\d., -]+"/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/(src|href)="(?!data:)/);
    expect(html).not.toMatch(/<(script|link|iframe|object|embed)\b/);
    expect(html).not.toMatch(/url\(/);
  });
});

describe('Ctrl-C', () => {
  it('SIGINT during training stops after the current step with a checkpoint and status 130; --resume finishes the run', async () => {
    const out = path.join(dir, 'interrupted');
    const config = path.join(dir, 'long.yaml');
    await writeFile(config, tiny(out, '').replace('maxSteps: 6', 'maxSteps: 40, epochs: 2').replace('batchSize: 32', 'batchSize: 16').replace('everySteps: 3 }', 'everySteps: 1000 }').replace('monitor: { everySteps: 3,', 'monitor: { enabled: false,'));
    const metricsFile = path.join(out, 'metrics.jsonl');
    const stopped = await cli(['train', '--config', config], (child) => {
      const poll = setInterval(() => {
        void readFile(metricsFile, 'utf8')
          .then((text) => {
            if (text.includes('"type":"step"')) {
              clearInterval(poll);
              child.kill('SIGINT');
            }
          })
          .catch(() => undefined);
      }, 50);
      child.on('close', () => clearInterval(poll));
    });
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('SIGINT: stopping after the current step');
    expect(stopped.stderr).toMatch(/stopped at step \d+ of 40; checkpoint /);
    noStackTrace(stopped.stderr);
    const steps = parseMetrics(await readFile(metricsFile, 'utf8')).steps.length;
    expect(steps).toBeGreaterThanOrEqual(1);
    expect(steps).toBeLessThan(40);
    // The checkpoint holds exactly the steps that were logged (the step in flight finished first).
    expect((await readFile(path.join(out, 'checkpoints', 'latest'), 'utf8')).trim()).toBe(`step-${String(steps).padStart(9, '0')}`);
    expect(JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8'))).toMatchObject({ status: 'stopped', steps });

    const resumed = await cli(['train', '--config', config, '--resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`(step ${steps} of 40)`);
    const metrics = parseMetrics(await readFile(metricsFile, 'utf8'));
    expect(metrics.steps.map((s) => s.step)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(JSON.parse(await readFile(path.join(out, 'run.json'), 'utf8'))).toMatchObject({ status: 'completed', steps: 40 });
  });
});
