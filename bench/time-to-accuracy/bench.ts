/**
 * Time to accuracy (issue 14, item 4): the same SimCLR recipe trained by this project and by a
 * PyTorch script (`simclr_torch.py`, same architecture, initialisation, augmentation recipe,
 * loss, optimizer and schedule) on the same CIFAR-10 files, for one epoch by default. For both it
 * prints the kNN accuracy (Wu et al. 2018: k 200, tau 0.1, bank = the train images, queries = the
 * test images, un-augmented, encoder output h in inference mode) at random initialisation and
 * after training, the training wall time and images/s; then the kNN difference and the wall-time
 * ratio, and the engine `initBackend()` reported.
 *
 * Recipe (Chen et al. 2020, SimCLR, Appendix B.9): small CIFAR ResNet-18 (widths 16-32-64-128,
 * @contrastive/encoders `resnet({ depth: 18, stem: 'cifar', widthMultiplier: 0.25 })`), MLP head
 * 128 -> 512 -> 128, batch 256 (195 steps per epoch, the last short batch dropped), two views of
 * SimCLR's augmentation (crop scale 0.08-1, flip, colour jitter strength 0.5 with p 0.8, grayscale
 * p 0.2, no blur, no mean/std normalisation), NT-Xent tau 0.5, SGD lr 0.06, momentum 0.9, weight
 * decay 5e-4 on every parameter, cosine decay to 0 over the run, stepped per update.
 *
 * Each side runs in its own process, one after the other (never at the same time): `contrastive`
 * (this file as a child, on the engine `initBackend()` picks) and `pytorch` (`/usr/bin/python3
 * simclr_torch.py`, `torch.set_num_threads(--torch-threads)`, skipped when torch does not import).
 * Training wall time counts data loading, augmentation and the updates of the `--steps` (or
 * `--epochs`) training steps; the kNN evaluations are timed apart.
 *
 * Run from the repository root (no build needed):
 *   npx tsx --conditions=contrastive-source bench/time-to-accuracy/bench.ts
 *     [--epochs 1] [--steps N] [--seed 0] [--engines contrastive,pytorch] [--data-dir DIR]
 *     [--eval-train N] [--eval-test M] [--threads T] [--torch-threads 2] [--log-every 20]
 *     [--torch-args "--schedule epoch"]
 * Data: `--data-dir`, else `$CONTRASTIVE_DATA_DIR`, else `../shared/data` beside the repository;
 * the directory holds `cifar10/train.bin` and `cifar10/test.bin` (CIFAR-10 binary version).
 * `--eval-train N` / `--eval-test M` evaluate on the first N train / M test images (default: all,
 * 50,000 and 10,000) for quick runs. `--torch-args` passes ablation switches to the PyTorch script
 * (see its `--help`).
 */
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild } from '../run-child.js';

const ENGINES = ['contrastive', 'pytorch'] as const;
type Engine = (typeof ENGINES)[number];

/** What each side reports (the PyTorch script prints the same fields as JSON). */
interface Result {
  readonly engine: string;
  readonly version?: string;
  readonly threads?: number | null;
  readonly steps: number;
  readonly batch?: number;
  readonly knnInit: number;
  readonly knnFinal: number;
  readonly trainSeconds: number;
  readonly imagesPerSecond: number;
  readonly evalSeconds: number;
  readonly bank?: number;
  readonly queries?: number;
  readonly losses?: readonly number[];
  readonly params?: number;
  readonly peakRssBytes?: number;
  readonly error?: string;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}

function intArg(name: string, fallback: string, min: number): number {
  const v = Number(arg(name, fallback));
  if (!Number.isSafeInteger(v) || v < min) throw new Error(`--${name} must be an integer >= ${min}, received ${arg(name, fallback)}`);
  return v;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const epochs = intArg('epochs', '1', 1);
const steps = intArg('steps', '0', 0); // 0: every step of the epochs
const seed = intArg('seed', '0', 0);
const batchSize = intArg('batch', '256', 2);
const evalTrain = intArg('eval-train', '0', 0); // 0: all 50,000
const evalTest = intArg('eval-test', '0', 0); // 0: all 10,000
const logEvery = intArg('log-every', '20', 1);
const torchThreads = intArg('torch-threads', '2', 1);
const dataDir = path.resolve(arg('data-dir', process.env['CONTRASTIVE_DATA_DIR'] ?? path.join(repoRoot, '..', 'shared', 'data')));
const LR = 0.06;
const MOMENTUM = 0.9;
const WEIGHT_DECAY = 5e-4;
const TAU = 0.5;
const KNN_K = 200;
const KNN_TAU = 0.1;

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
const la = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

// ---------------------------------------------------------------------------------------------
// Child: this project's side.
// ---------------------------------------------------------------------------------------------
async function runContrastive(): Promise<Result & { engineReport: string }> {
  const tf = await import('@tensorflow/tfjs-core');
  const { initBackend } = await import('@contrastive/backend');
  const { Rng } = await import('@contrastive/core');
  const { simclr: simclrAugment } = await import('@contrastive/augment');
  const { batchFromIndices, disposeBatch } = await import('@contrastive/data');
  const { readCifar10Binary } = await import('@contrastive/data/node');
  const { resnet, countParameters } = await import('@contrastive/encoders');
  const { mlpHead } = await import('@contrastive/heads');
  const { simclr } = await import('@contrastive/strategies');
  const { Trainer, sgd, warmupCosine } = await import('@contrastive/train');
  const { embed, knnAccuracy } = await import('@contrastive/eval');
  type Dataset = Awaited<ReturnType<typeof readCifar10Binary>>;
  const log = (s: string): void => void process.stderr.write(`contrastive: ${s}\n`);

  const threadsArg = arg('threads', '');
  const report = await initBackend(threadsArg === '' ? {} : { threads: Number(threadsArg) });
  const engineReport = `${report.engine} (${report.tfBackend}, ${report.threads ?? '?'} threads${report.simd === true ? ', SIMD' : ''})${report.notes.length > 0 ? `; ${report.notes.join('; ')}` : ''}`;
  log(`engine ${engineReport}`);

  const train = await readCifar10Binary(path.join(dataDir, 'cifar10', 'train.bin'));
  const test = await readCifar10Binary(path.join(dataDir, 'cifar10', 'test.bin'), evalTest > 0 ? { limit: evalTest } : {});
  const bankSize = evalTrain > 0 ? Math.min(evalTrain, train.length) : train.length;

  const encoder = resnet({ depth: 18, stem: 'cifar', widthMultiplier: 0.25, inputShape: [32, 32, 3], seed });
  const head = mlpHead({ inputDim: encoder.outputDim, hiddenDim: 512, outputDim: 128, seed: seed + 1 });
  const augment = simclrAugment({ size: 32, strength: 0.5, blur: false, scale: [0.08, 1] });
  const strategy = simclr({ encoder, head, augment, temperature: TAU });

  /** Features of the first `count` images of `data`, `chunk` images per tensor batch. */
  const features = (data: Dataset, count: number): import('@tensorflow/tfjs-core').Tensor2D => {
    const parts: import('@tensorflow/tfjs-core').Tensor2D[] = [];
    const chunk = 1000;
    for (let s = 0; s < count; s += chunk) {
      const batch = batchFromIndices(data, Int32Array.from({ length: Math.min(chunk, count - s) }, (_, i) => s + i));
      parts.push(embed(encoder, batch.images, { batchSize: 500 }));
      disposeBatch(batch);
    }
    const out = tf.concat2d(parts, 0);
    tf.dispose(parts);
    return out;
  };
  const knn = (): { accuracy: number; seconds: number } => {
    const t0 = performance.now();
    const bank = features(train, bankSize);
    const queries = features(test, test.length);
    const accuracy = knnAccuracy({
      trainFeatures: bank,
      trainLabels: Int32Array.from(train.labels.subarray(0, bankSize)),
      testFeatures: queries,
      testLabels: Int32Array.from(test.labels),
      k: Math.min(KNN_K, bankSize),
      temperature: KNN_TAU,
      numClasses: 10,
    });
    tf.dispose([bank, queries]);
    return { accuracy, seconds: (performance.now() - t0) / 1000 };
  };

  const init = knn();
  log(`kNN at init ${pct(init.accuracy)} (${bankSize} bank, ${test.length} queries, ${init.seconds.toFixed(1)} s)`);

  const perEpoch = Math.floor(train.length / batchSize);
  const total = steps > 0 ? Math.min(steps, epochs * perEpoch) : epochs * perEpoch;
  const shuffle = Rng.fromSeed(seed + 2);
  function* epochBatches(epoch: number): Generator<ReturnType<typeof batchFromIndices>> {
    const order = shuffle.permutation(train.length);
    const n = Math.min(perEpoch, total - epoch * perEpoch);
    for (let b = 0; b < n; b++) yield batchFromIndices(train, order.subarray(b * batchSize, (b + 1) * batchSize));
  }
  const losses: number[] = [];
  const trainer = new Trainer({
    strategy,
    data: (epoch) => epochBatches(epoch),
    epochs: Math.ceil(total / perEpoch),
    optimizer: sgd({ momentum: MOMENTUM, weightDecay: WEIGHT_DECAY }),
    learningRate: warmupCosine({ baseLr: LR, totalSteps: total }),
    seed,
    progress: false,
    callbacks: {
      onStepEnd: (info) => {
        losses.push(info.loss);
        if (info.step % logEvery === 0 || info.step === total) {
          const el = (performance.now() - t0) / 1000;
          log(`step ${info.step}/${total} loss ${info.loss.toFixed(4)} (${el.toFixed(0)} s, ${((info.step * batchSize) / el).toFixed(1)} img/s)`);
        }
      },
    },
  });
  const t0 = performance.now();
  const summary = await trainer.run();
  const trainSeconds = (performance.now() - t0) / 1000;
  trainer.dispose();

  const final = knn();
  log(`kNN after ${summary.steps} steps ${pct(final.accuracy)} (${final.seconds.toFixed(1)} s)`);
  return {
    engine: 'contrastive',
    engineReport,
    version: `tfjs ${report.tfjsVersion}`,
    threads: report.threads,
    steps: summary.steps,
    batch: batchSize,
    knnInit: init.accuracy,
    knnFinal: final.accuracy,
    trainSeconds,
    imagesPerSecond: (summary.steps * batchSize) / trainSeconds,
    evalSeconds: init.seconds + final.seconds,
    bank: bankSize,
    queries: test.length,
    losses,
    params: countParameters(encoder) + head.parameterCount,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

// ---------------------------------------------------------------------------------------------
// Parent: one child per side, one after the other; then the table.
// ---------------------------------------------------------------------------------------------

const failed = (engine: string, error: string): Result => ({
  engine,
  steps: 0,
  knnInit: Number.NaN,
  knnFinal: Number.NaN,
  trainSeconds: Number.NaN,
  imagesPerSecond: Number.NaN,
  evalSeconds: Number.NaN,
  error,
});

async function runSide(engine: Engine): Promise<Result & { engineReport?: string }> {
  const common = ['--epochs', String(epochs), '--steps', String(steps), '--seed', String(seed), '--batch', String(batchSize), '--eval-train', String(evalTrain), '--eval-test', String(evalTest), '--log-every', String(logEvery), '--data-dir', dataDir];
  let r: { code: number; out: string; err: string };
  if (engine === 'pytorch') {
    const extra = arg('torch-args', '').split(' ').filter((s) => s !== '');
    r = await runChild('/usr/bin/python3', [path.join(here, 'simclr_torch.py'), ...common, '--threads', String(torchThreads), ...extra], { liveStderr: true });
  } else {
    const threads = arg('threads', '');
    r = await runChild(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', ...common, ...(threads === '' ? [] : ['--threads', threads])], { liveStderr: true });
  }
  const line = r.out
    .trim()
    .split('\n')
    .map((l) => l.replace(/^RESULT /, ''))
    .reverse()
    .find((l) => l.startsWith('{'));
  if (r.code !== 0 || line === undefined) return failed(engine, (r.err.trim().split('\n').slice(-3).join(' | ') || `exit code ${r.code}`).slice(0, 400));
  return JSON.parse(line) as Result;
}

async function parent(): Promise<void> {
  const requested = arg('engines', 'contrastive,pytorch')
    .split(',')
    .map((s) => s.trim());
  for (const e of requested) if (!(ENGINES as readonly string[]).includes(e)) throw new Error(`--engines: unknown side ${e}; known: ${ENGINES.join(', ')}`);
  if (!existsSync(path.join(dataDir, 'cifar10', 'train.bin')) || !existsSync(path.join(dataDir, 'cifar10', 'test.bin'))) {
    throw new Error(`no CIFAR-10 binary files in ${dataDir}/cifar10 (train.bin, test.bin); pass --data-dir or set CONTRASTIVE_DATA_DIR`);
  }
  const torchOk = requested.includes('pytorch') ? (await runChild('/usr/bin/python3', ['-c', 'import torch, torchvision'], { liveStderr: true })).code === 0 : false;
  const engines = requested.filter((e) => e !== 'pytorch' || torchOk) as Engine[];
  console.log(`# time-to-accuracy bench — Node ${process.version}, ${availableParallelism()} cores, load average ${la()}`);
  console.log(
    `# SimCLR: small CIFAR ResNet-18 (16-32-64-128) + MLP 128-512-128, batch ${batchSize}, ${steps > 0 ? `${steps} steps (of ${epochs} epoch(s))` : `${epochs} epoch(s)`}, ` +
      `SGD lr ${LR} momentum ${MOMENTUM} wd ${WEIGHT_DECAY}, cosine per step, NT-Xent tau ${TAU}, crop 0.08-1, jitter s 0.5 p 0.8, grayscale 0.2, no blur; seed ${seed}`,
  );
  console.log(`# kNN k ${KNN_K} tau ${KNN_TAU}: bank ${evalTrain > 0 ? `first ${evalTrain}` : 'all 50,000'} train images, queries ${evalTest > 0 ? `first ${evalTest}` : 'all 10,000'} test images; data ${dataDir}`);
  if (requested.includes('pytorch') && !torchOk) console.log('# pytorch: /usr/bin/python3 cannot import torch and torchvision; skipped');
  const results = new Map<Engine, Result & { engineReport?: string }>();
  for (const e of engines) {
    const res = await runSide(e);
    results.set(e, res);
    console.log(`# ${e} done (load average ${la()})${res.error === undefined ? '' : `: failed: ${res.error}`}`);
  }

  console.log('\n| side | steps | kNN at init | kNN after | train wall s | img/s | eval s (both kNN) | mean loss first/last 10 steps |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const e of engines) {
    const r = results.get(e) as Result;
    if (r.error !== undefined) {
      console.log(`| ${e} | failed: ${r.error.replace(/\|/g, '/')} | | | | | | |`);
      continue;
    }
    const l = r.losses ?? [];
    console.log(
      `| ${e} | ${r.steps} | ${pct(r.knnInit)} | ${pct(r.knnFinal)} | ${r.trainSeconds.toFixed(1)} | ${r.imagesPerSecond.toFixed(1)} | ${r.evalSeconds.toFixed(1)} | ${mean(l.slice(0, 10)).toFixed(4)} / ${mean(l.slice(-10)).toFixed(4)} |`,
    );
  }
  for (const e of engines) {
    const r = results.get(e);
    if (r !== undefined && r.error === undefined) console.log(`config ${e}: ${r.engineReport ?? ''}${r.engineReport === undefined ? '' : '; '}${r.version ?? ''}, ${r.threads ?? '?'} threads, ${r.params ?? '?'} parameters, peak RSS ${((r.peakRssBytes ?? 0) / 2 ** 20).toFixed(0)} MiB`);
  }
  const c = results.get('contrastive');
  const p = results.get('pytorch');
  console.log(`# load average at the end ${la()}`);
  if (c !== undefined && p !== undefined && c.error === undefined && p.error === undefined) {
    console.log(`engine (initBackend): ${c.engineReport ?? '?'}`);
    console.log(`kNN difference contrastive - pytorch: at init ${(100 * (c.knnInit - p.knnInit)).toFixed(2)} points, after training ${(100 * (c.knnFinal - p.knnFinal)).toFixed(2)} points`);
    console.log(`wall-time ratio contrastive/pytorch (training): ${(c.trainSeconds / p.trainSeconds).toFixed(2)}`);
  } else {
    console.log('kNN difference / wall-time ratio: n/a (a side did not run)');
  }
}

if (process.argv.includes('--child')) {
  try {
    const res = await runContrastive();
    console.log(`RESULT ${JSON.stringify(res)}`);
  } catch (e) {
    console.log(`RESULT ${JSON.stringify(failed('contrastive', String(e instanceof Error ? (e.stack ?? e.message) : e).slice(0, 600)))}`);
  }
  process.exit(0);
} else {
  await parent();
}
