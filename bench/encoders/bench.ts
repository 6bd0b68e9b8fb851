/**
 * Inference throughput of the encoders (img/s): ResNet-18 and ResNet-50 (CIFAR stem) and the
 * small ConvNet, batch 256 of 32x32x3 images, on the wasm engine. Each model runs as built
 * (BatchNorm with `training: false`) and BatchNorm-folded (`foldBatchNorm`), interleaved, and the
 * table gives the folded/unfolded speed-up measured in the same run.
 *
 * Run from the repository root (no build needed):
 *   npx tsx --conditions=contrastive-source bench/encoders/bench.ts [--batch 256] [--reps 3]
 *     [--models resnet18,resnet50,convnet] [--engine wasm|cpu]
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type EngineName } from '@contrastive/backend/node';
import { convNet, countParameters, foldBatchNorm, resnet18, resnet50, type GraphEncoder } from '@contrastive/encoders';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}

const batch = Number(arg('batch', '256'));
const reps = Number(arg('reps', '3'));
const models = arg('models', 'resnet18,resnet50,convnet').split(',');
const engine = arg('engine', 'wasm') as EngineName;

const builders: Record<string, () => GraphEncoder> = {
  resnet18: () => resnet18({ stem: 'cifar', inputShape: [32, 32, 3] }),
  resnet50: () => resnet50({ stem: 'cifar', inputShape: [32, 32, 3] }),
  convnet: () => convNet({ inputShape: [32, 32, 3] }),
};

/** Milliseconds of one inference pass over the batch. */
function once(encoder: GraphEncoder, x: tf.Tensor): number {
  const t0 = performance.now();
  const h = encoder.apply(x, { training: false });
  h.dataSync();
  h.dispose();
  return performance.now() - t0;
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;

/**
 * One warm-up pass each, then `reps` rounds that run the plain and the folded encoder back to
 * back, so that both see the same machine load (the CPU is shared); the speed-up is the median
 * of the per-round ratios.
 */
function timePair(plain: GraphEncoder, folded: GraphEncoder, x: tf.Tensor): { plainMs: number; foldedMs: number; ratio: number } {
  once(plain, x);
  once(folded, x);
  const p: number[] = [];
  const f: number[] = [];
  for (let i = 0; i < reps; i++) {
    p.push(once(plain, x));
    f.push(once(folded, x));
  }
  return { plainMs: median(p), foldedMs: median(f), ratio: median(p.map((v, i) => v / (f[i] as number))) };
}

function wasmHeapMiB(): number | null {
  const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8;
  return heap === undefined ? null : heap.byteLength / 2 ** 20;
}

const report = await initBackend({ prefer: engine });
console.log(`engine ${report.engine} (tf backend ${report.tfBackend}), threads ${report.threads ?? '?'}, simd ${report.simd ?? '?'}, tfjs ${report.tfjsVersion}`);
console.log(`batch ${batch} x 32x32x3, 1 warm-up then ${reps} rounds of (plain, folded) back to back; medians\n`);

const x = tf.randomUniform([batch, 32, 32, 3], 0, 1, 'float32', 1);
const rows: string[][] = [];
for (const name of models) {
  const build = builders[name];
  if (build === undefined) throw new Error(`unknown model ${name}; choose from ${Object.keys(builders).join(', ')}`);
  const encoder = build();
  const folded = foldBatchNorm(encoder);
  const { plainMs, foldedMs, ratio } = timePair(encoder, folded, x);
  // Same function: report the largest difference as a sanity check.
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(encoder.apply(x, { training: false }), folded.apply(x, { training: false })))).dataSync()[0] as number);
  rows.push([
    encoder.name,
    (countParameters(encoder) / 1e6).toFixed(2) + 'M',
    plainMs.toFixed(0),
    ((batch / plainMs) * 1000).toFixed(1),
    foldedMs.toFixed(0),
    ((batch / foldedMs) * 1000).toFixed(1),
    ratio.toFixed(2) + 'x',
    diff.toExponential(1),
    wasmHeapMiB()?.toFixed(0) ?? '-',
  ]);
  folded.dispose();
  encoder.dispose();
}
x.dispose();

const header = ['model', 'params', 'ms/batch', 'img/s', 'folded ms', 'folded img/s', 'folded/plain', 'max |diff|', 'wasm heap MiB'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padStart(widths[i] as number)).join(' | ') + ' |';
console.log(line(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));
// The threaded wasm engine keeps worker threads alive; end the process explicitly.
process.exit(0);
