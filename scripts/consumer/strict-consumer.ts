// (c) A strict TypeScript consumer of every package's platform-neutral entry, checked with
// `tsc --strict --noEmit`, `skipLibCheck: false` and no @types/node.
import * as tf from '@tensorflow/tfjs-core';
import { Rng, ArgumentError, isNodeRuntime, type Strategy } from '@contrastive/core';
import { l2Normalize } from '@contrastive/nn';
import { initWebBackend, initBackend, type WebBackendReport } from '@contrastive/backend';
import { simclr as simclrAugment, previewGrid } from '@contrastive/augment';
import { convNet, saveEncoder } from '@contrastive/encoders';
import { mlpHead } from '@contrastive/heads';
import { ntXent } from '@contrastive/losses';
import { memoryBank } from '@contrastive/negatives';
import { simclr } from '@contrastive/strategies';
import { Trainer, sgd, memoryCheckpointStore, indexedDbCheckpointStore, readCheckpoint, type CheckpointStore } from '@contrastive/train';
import { createImageDataset, createDataLoader, parseIdx, CIFAR10_CLASSES } from '@contrastive/data';
import { alignment, uniformity, renderScatterSvg } from '@contrastive/eval';
import { parseConfig, MAIN_CONFIG, type RunConfig } from '@contrastive/cli';
import { lineChartSvg, recipeOf } from '@contrastive/experiment';

export async function consumer(): Promise<number> {
  const report: WebBackendReport = await initWebBackend({ prefer: ['webgl', 'wasm', 'cpu'] });
  void initBackend;
  const rng = Rng.fromSeed(1);
  const images = tf.tensor4d(rng.uniformArray(2 * 16 * 16 * 3), [2, 16, 16, 3]);
  const views = simclrAugment({ size: 16 }).apply(images, rng);
  const encoder = convNet({ widths: [8], inputShape: [16, 16, 3] });
  const head = mlpHead({ inputDim: encoder.outputDim, outputDim: 8 });
  const strategy: Strategy<unknown> = simclr({ encoder, head }) as Strategy<unknown>;
  const store: CheckpointStore = isNodeRuntime() ? memoryCheckpointStore() : indexedDbCheckpointStore('strict');
  const trainer = new Trainer({ strategy, data: [{ images }], epochs: 1, optimizer: sgd(), learningRate: 0.1, checkpoint: { dir: store } });
  const summary = await trainer.run();
  const loaded = await readCheckpoint(store);
  const z = l2Normalize(tf.ones([2, 4]));
  const loss = ntXent(z, z, { temperature: 0.5 });
  const bank = memoryBank({ size: 4, dim: 4, numNegatives: 2 });
  const dataset = createImageDataset({ images: new Uint8Array(12), labels: Uint8Array.of(0), height: 2, width: 2, channels: 3, classNames: [CIFAR10_CLASSES[0]] });
  const loader = createDataLoader(dataset, { batchSize: 1, epochs: 1 });
  const idx = parseIdx(Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 1, 7));
  const svg: string = renderScatterSvg([[0, 0]], [0]) + lineChartSvg({ title: 'loss', xLabel: 'step', yLabel: 'loss', series: [{ name: 'loss', points: [[0, 1]], color: 'red' }] });
  const config: RunConfig = parseConfig({ name: 'x' });
  const grid = previewGrid({ images, recipe: simclrAugment({ size: 16 }), rng, views: 2 });
  await saveEncoder(encoder, tf.io.withSaveHandler(async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  const e: unknown = new ArgumentError('x', { argument: 'y' });
  return (
    report.kernelsAdded.length + views.length + summary.steps + loaded.manifest.step + loss.size + bank.dim + loader.batchesPerEpoch +
    idx.dims.length + svg.length + config.name.length + (MAIN_CONFIG.name ?? '').length + String(recipeOf).length + grid.width + alignment(z, z) + uniformity(z) + (e instanceof Error ? 1 : 0)
  );
}
