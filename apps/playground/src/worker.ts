/**
 * The training worker: the engine (webgpu > webgl > wasm > cpu), the images, the run's parts
 * built from the CLI's configuration, the Trainer with its IndexedDB checkpoint, pause / resume /
 * stop, the kNN and collapse monitors, the 2-D map, the augmentation preview, export and import
 * of the encoder. The page only draws what this worker posts (protocol.ts), so training never
 * blocks the page.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import { initWebBackend, type WebEngineName } from '@contrastive/backend';
import { Rng, type Encoder } from '@contrastive/core';
import { batchFromIndices, createImageDataset, disposeBatch, type ImageDataset } from '@contrastive/data';
import { loadEncoder, saveEncoder } from '@contrastive/encoders';
import { embedding2d } from '@contrastive/eval';
import { previewGrid } from '@contrastive/augment';
import {
  buildAugmenter,
  buildOptimizer,
  buildRunParts,
  buildSchedule,
  createKnnMonitor,
  embedDataset,
  parseConfig,
  prefixDataset,
  samplesEpoch,
  toRgb,
  type RunConfig,
  type RunConfigInput,
  type RunParts,
} from '@contrastive/experiment';
import { Trainer, indexedDbCheckpointStore, readCheckpoint, type CheckpointStore, type StepInfo } from '@contrastive/train';
import { folderClasses, parseCifar10, parseFashionMnist, shuffledOrder } from './datasets.js';
import { encodeNpy } from './npy.js';
import type { DataSource, FromWorker, ToWorker } from './protocol.js';

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;
const post = (m: FromWorker, transfer: Transferable[] = []): void => scope.postMessage(m, transfer);

/** Test images in the map and in the exported embeddings. */
const MAP_POINTS = 300;

let store: CheckpointStore | null = null;
let data: { train: ImageDataset; test: ImageDataset; labelled: boolean; source: string } | null = null;
let parts: RunParts | null = null;
let imported: Encoder | null = null;
let trainer: Trainer<unknown> | null = null;
let trainedOnce = false;
let paused = false;
let stopRequested = false;
let wake: (() => void) | null = null;
let mapRequested = false;

/** Fetches a URL's bytes, with the URL in the error. */
async function fetchBytes(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`cannot fetch ${url}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!res.ok) throw new Error(`cannot fetch ${url}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (/\.gz$/i.test(url) || (bytes[0] === 0x1f && bytes[1] === 0x8b)) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }
  return bytes;
}

/** Decodes the user's images to 32x32 RGB (centre square, bilinear), in this worker. */
async function decodeFiles(files: readonly File[], paths: readonly string[]): Promise<{ train: ImageDataset; test: ImageDataset; labelled: boolean }> {
  const { keep, labels, classNames } = folderClasses(paths);
  if (keep.length < 20) throw new Error(`found ${keep.length} images (PNG, JPEG, GIF, WebP, BMP, AVIF) among ${files.length} files; the page needs at least 20`);
  const side = 32;
  const canvas = new OffscreenCanvas(side, side);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (ctx === null) throw new Error('this browser has no 2-D OffscreenCanvas in workers');
  const pixels: number[] = [];
  const kept: number[] = [];
  const skipped: string[] = [];
  for (let k = 0; k < keep.length; k++) {
    const file = files[keep[k] as number] as File;
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch {
      skipped.push(paths[keep[k] as number] as string);
      continue;
    }
    const s = Math.min(bitmap.width, bitmap.height);
    ctx.clearRect(0, 0, side, side);
    ctx.drawImage(bitmap, (bitmap.width - s) / 2, (bitmap.height - s) / 2, s, s, 0, 0, side, side);
    bitmap.close();
    const rgba = ctx.getImageData(0, 0, side, side).data;
    for (let p = 0; p < side * side; p++) pixels.push(rgba[p * 4] as number, rgba[p * 4 + 1] as number, rgba[p * 4 + 2] as number);
    kept.push(labels[k] as number);
    if (k % 50 === 0) post({ type: 'log', line: `decoded ${k + 1} of ${keep.length} images` });
  }
  if (skipped.length > 0) post({ type: 'log', line: `could not decode ${skipped.length} files (first: ${skipped[0]})` });
  const all = createImageDataset({ name: 'your images', images: Uint8Array.from(pixels), labels: Uint8Array.from(kept), height: side, width: side, channels: 3, classNames });
  const order = shuffledOrder(all.length, 7);
  const testCount = Math.max(5, Math.min(MAP_POINTS, Math.round(all.length * 0.2)));
  const pick = (idx: number[], name: string): ImageDataset => {
    const images = new Uint8Array(idx.length * side * side * 3);
    idx.forEach((i, j) => images.set(all.images.subarray(i * 3072, (i + 1) * 3072), j * 3072));
    return createImageDataset({ name, images, labels: Uint8Array.from(idx.map((i) => all.labels[i] as number)), height: side, width: side, channels: 3, classNames });
  };
  return { train: pick(order.slice(testCount), 'your images (train)'), test: pick(order.slice(0, testCount), 'your images (held out)'), labelled: classNames.length > 1 };
}

async function loadData(source: DataSource): Promise<void> {
  if (source.kind === 'cifar10') {
    const [trainBytes, testBytes] = await Promise.all([fetchBytes(source.trainUrl), fetchBytes(source.testUrl)]);
    data = { train: parseCifar10(trainBytes, source.trainLimit, 'cifar10/train'), test: parseCifar10(testBytes, source.testLimit, 'cifar10/test'), labelled: true, source: `cifar10 ${source.trainUrl} ${source.trainLimit}` };
  } else if (source.kind === 'fashionMnist') {
    const [a, b, c, d] = await Promise.all([source.trainImagesUrl, source.trainLabelsUrl, source.testImagesUrl, source.testLabelsUrl].map(fetchBytes));
    data = {
      train: toRgb(parseFashionMnist(a as Uint8Array, b as Uint8Array, source.trainLimit, 'fashion-mnist/train')),
      test: toRgb(parseFashionMnist(c as Uint8Array, d as Uint8Array, source.testLimit, 'fashion-mnist/test')),
      labelled: true,
      source: `fashionMnist ${source.trainImagesUrl} ${source.trainLimit}`,
    };
  } else {
    const d = await decodeFiles(source.files, source.paths);
    data = { ...d, source: `files ${source.files.length} ${d.train.length}` };
  }
  const { train, test } = data;
  const n = Math.min(MAP_POINTS, test.length);
  const thumbs = test.images.slice(0, n * test.height * test.width * test.channels);
  const thumbLabels = test.labels.slice(0, n);
  post({ type: 'loaded', train: train.length, test: test.length, classNames: train.classNames, thumbs, thumbLabels, side: test.height, channels: test.channels }, [thumbs.buffer, thumbLabels.buffer]);
}

function needData(): { train: ImageDataset; test: ImageDataset; labelled: boolean; source: string } {
  if (data === null) throw new Error('no images loaded yet');
  return data;
}

/** The step of the checkpoint in the store, if any. */
async function checkpointStep(): Promise<number | null> {
  if (store === null || (await store.readLatest()) === null) return null;
  const loaded = await readCheckpoint(store);
  try {
    return loaded.manifest.step;
  } finally {
    loaded.dispose();
  }
}

async function clearStore(): Promise<void> {
  if (store === null) return;
  for (const name of await store.list()) await store.remove(name);
}

function runLength(config: RunConfig, trainImages: number): { stepsPerEpoch: number; totalSteps: number; epochs: number } {
  const stepsPerEpoch = Math.floor(trainImages / config.train.batchSize);
  if (stepsPerEpoch < 1) throw new Error(`batch size ${config.train.batchSize} is larger than the ${trainImages} training images`);
  const full = config.train.epochs * stepsPerEpoch;
  const totalSteps = Math.min(full, config.train.maxSteps ?? full);
  return { stepsPerEpoch, totalSteps, epochs: Math.ceil(totalSteps / stepsPerEpoch) };
}

/** The shuffling stream of an epoch (the same batches for the same epoch: a resume sees them again). */
function epochRng(seed: number, epoch: number): Rng {
  const root = Rng.fromSeed(seed).split().split();
  let child = root.split();
  for (let e = 0; e < epoch; e++) child = root.split();
  return child;
}

function mapSet(): ImageDataset {
  const d = needData();
  return prefixDataset(d.test, MAP_POINTS) as ImageDataset;
}

function currentEncoder(): Encoder {
  const e = imported ?? parts?.encoder ?? null;
  if (e === null) throw new Error('no encoder yet: train (or resume) first, or import a model');
  return e;
}

async function sendMap(step: number): Promise<void> {
  const encoder = currentEncoder();
  const set = mapSet();
  const { features } = await embedDataset(encoder, set, { batchSize: 100 });
  try {
    const points = embedding2d(features, { method: 'umap', nEpochs: 150, nNeighbors: Math.min(15, set.length - 1), rng: Rng.fromSeed(11) });
    const flat = Float32Array.from(points.flat());
    const labels = set.labels.slice();
    post({ type: 'map', step, points: flat, labels, method: 'UMAP' }, [flat.buffer, labels.buffer]);
  } finally {
    features.dispose();
  }
}

const nextTask = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

async function train(input: RunConfigInput, mapEvery: number): Promise<void> {
  if (trainedOnce) throw new Error('this worker has trained already; the page starts a fresh worker for each run');
  trainedOnce = true;
  const d = needData();
  if (store === null) throw new Error('init first');
  const config = parseConfig(input, 'the recipe');
  const { stepsPerEpoch, totalSteps, epochs } = runLength(config, d.train.length);
  parts = buildRunParts(config, d.train.length, totalSteps, [d.train.height, d.train.width, 3]);
  imported?.dispose();
  imported = null;
  const identity = { seed: config.seed, data: d.source, encoder: config.encoder, head: config.head, strategy: config.strategy, augment: config.augment, optimizer: config.optimizer, schedule: config.schedule, train: config.train };
  const monitor = createKnnMonitor({ config, train: d.train, test: d.test, encoder: parts.encoder, log: (line) => post({ type: 'log', line }), tty: false, enabled: d.labelled, metrics: () => null });
  const sendMonitor = async (step: number, epoch: number): Promise<void> => {
    const before = monitor.results.length;
    await monitor.run(step, epoch);
    const r = monitor.results[monitor.results.length - 1];
    if (r !== undefined && monitor.results.length > before) post({ type: 'monitor', point: { ...r, dim: parts?.encoder.outputDim ?? 1 } });
  };
  const mapNow = async (step: number): Promise<void> => {
    mapRequested = false;
    await sendMap(step);
  };
  paused = false;
  stopRequested = false;
  const t = new Trainer<unknown>({
    strategy: parts.strategy,
    data: (epoch) => samplesEpoch(d.train, config.train.batchSize, epochRng(config.seed, epoch)),
    epochs,
    optimizer: buildOptimizer(config),
    learningRate: buildSchedule(config, totalSteps),
    seed: config.seed,
    onNonFinite: config.train.onNonFinite,
    checkpoint: { dir: store, everySteps: config.checkpoint.everySteps, keep: Math.max(1, config.checkpoint.keep) },
    stepsPerEpoch,
    config: identity,
    callbacks: {
      onStepEnd: async (s: StepInfo, running) => {
        post({ type: 'step', point: { step: s.step, loss: s.loss, lr: s.learningRate, imagesPerSecond: s.imagesPerSecond }, totalSteps });
        const every = config.monitor.everySteps;
        if (every !== undefined && s.step % every === 0) await sendMonitor(s.step, s.epoch);
        if ((mapEvery > 0 && s.step % mapEvery === 0) || mapRequested) await mapNow(s.step);
        await nextTask(); // let pause / stop / preview messages in
        if (paused && !stopRequested) {
          await running.saveCheckpoint();
          post({ type: 'status', status: 'paused', step: s.step });
          while (paused && !stopRequested) {
            await new Promise<void>((r) => (wake = r));
            wake = null;
            if (mapRequested) await mapNow(s.step);
          }
          if (!stopRequested) post({ type: 'status', status: 'running', step: s.step });
        }
      },
      shouldStop: (s) => stopRequested || s.step >= totalSteps,
    },
  });
  trainer = t;
  let resumedFrom: number | null = null;
  if ((await store.readLatest()) !== null) {
    try {
      await t.restore(store);
      resumedFrom = t.step;
      post({ type: 'log', line: `resumed from the IndexedDB checkpoint at step ${t.step}` });
    } catch (e) {
      post({ type: 'log', line: `the checkpoint in IndexedDB is from another recipe or data, starting fresh (${e instanceof Error ? e.message.slice(0, 160) : String(e)})` });
      await clearStore();
    }
  }
  post({ type: 'started', step: t.step, totalSteps, resumedFrom });
  if (t.step === 0) await sendMonitor(0, 0);
  if (t.step >= totalSteps) {
    post({ type: 'status', status: 'completed', step: t.step });
    return;
  }
  await t.run();
  const step = t.step;
  await sendMonitor(step, t.epoch);
  await sendMap(step);
  post({ type: 'status', status: step >= totalSteps ? 'completed' : 'stopped', step });
}

async function preview(input: RunConfigInput, seed: number): Promise<void> {
  const d = needData();
  const config = parseConfig(input, 'the recipe');
  const recipe = buildAugmenter(config);
  const n = Math.min(6, d.train.length);
  const batch = batchFromIndices(d.train, Int32Array.from({ length: n }, (_, i) => i));
  try {
    tf.engine().startScope();
    let grid: { width: number; height: number; data: Uint8Array };
    try {
      grid = previewGrid({ images: batch.images, recipe, rng: Rng.fromSeed(seed), views: 6, scale: 2 });
    } finally {
      tf.engine().endScope();
    }
    const rgba = grid.data;
    post({ type: 'preview', width: grid.width, height: grid.height, rgba }, [rgba.buffer]);
  } finally {
    disposeBatch(batch);
  }
}

async function exportModel(): Promise<void> {
  let captured: tf.io.ModelArtifacts | null = null;
  await saveEncoder(
    currentEncoder(),
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = captured as tf.io.ModelArtifacts | null;
  if (a === null || a.weightData === undefined || a.weightSpecs === undefined) throw new Error('the encoder produced no weights');
  const weights = tf.io.CompositeArrayBuffer.join(a.weightData);
  const modelJson = JSON.stringify({
    modelTopology: a.modelTopology,
    format: a.format,
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
    userDefinedMetadata: a.userDefinedMetadata,
  });
  post({ type: 'exported', modelJson, weights }, [weights]);
}

async function exportEmbeddings(): Promise<void> {
  const { features } = await embedDataset(currentEncoder(), mapSet(), { batchSize: 100 });
  try {
    const [rows, dim] = features.shape;
    const npy = encodeNpy((await features.data()) as Float32Array, [rows, dim]);
    post({ type: 'embeddings', npy, rows, dim }, [npy.buffer]);
  } finally {
    features.dispose();
  }
}

async function importModel(modelJson: string, weights: readonly { name: string; bytes: ArrayBuffer }[]): Promise<void> {
  const json = JSON.parse(modelJson) as tf.io.ModelJSON;
  const byName = new Map(weights.map((w) => [w.name.split('/').pop() ?? w.name, w.bytes]));
  const encoder = await loadEncoder({
    load: () =>
      tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const b = byName.get(p.split('/').pop() ?? p);
            if (b === undefined) throw new Error(`model.json names the weights file ${p}; pick it together with model.json`);
            buffers.push(b);
          }
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      }),
  });
  imported?.dispose();
  imported = encoder;
  post({ type: 'imported', name: encoder.name, outputDim: encoder.outputDim });
}

let initialised: Promise<void> = Promise.resolve();

async function initEngine(m: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  const prefer = m.engine === 'auto' ? undefined : (m.engine as WebEngineName);
  const report = await initWebBackend({ ...(prefer === undefined ? {} : { prefer }), wasmPaths: m.wasmPaths });
  store = indexedDbCheckpointStore(m.store);
  post({ type: 'ready', engine: report.engine, attempts: report.attempts });
  post({ type: 'checkpoint', step: await checkpointStep().catch(() => null) });
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.type) {
    case 'init': {
      let done = (): void => {};
      initialised = new Promise<void>((r) => (done = r));
      try {
        await initEngine(m);
      } finally {
        done();
      }
      return;
    }
    case 'load':
      await initialised; // the engine first: the page shows it before the images
      return loadData(m.data);
    case 'preview':
      return preview(m.config, m.seed);
    case 'train':
      return train(m.config, m.mapEvery);
    case 'pause':
      paused = true;
      return;
    case 'resume':
      paused = false;
      wake?.();
      return;
    case 'stop':
      stopRequested = true;
      paused = false;
      wake?.();
      return;
    case 'map':
      if (trainer !== null && (paused || !stopRequestedOrDone())) {
        mapRequested = true;
        wake?.();
        return;
      }
      return sendMap(trainer?.step ?? 0);
    case 'export':
      return exportModel();
    case 'embeddings':
      return exportEmbeddings();
    case 'import':
      return importModel(m.modelJson, m.weights);
    case 'clearCheckpoint':
      await clearStore();
      post({ type: 'checkpoint', step: null });
      return;
  }
}

let running = false;
function stopRequestedOrDone(): boolean {
  return stopRequested || !running;
}

scope.onmessage = (e) => {
  const m = e.data;
  const isTrain = m.type === 'train';
  if (isTrain) running = true;
  handle(m)
    .catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }))
    .finally(() => {
      if (isTrain) running = false;
    });
};
