/**
 * Forward + backward time of the contrastive losses (bench, not a test).
 *
 *   npx tsx --conditions=contrastive-source bench/losses/bench.ts [--backend wasm|cpu]
 *       [--sizes 256,1024,4096] [--dim 128] [--losses ntXent,supCon,infoNce] [--reps 3] [--no-torch]
 *
 * For each loss and batch size N (d = 128): the median wall time of `tf.valueAndGrads` (the
 * loss and its gradient with respect to every differentiated input, read back) on the chosen
 * engine. When Debian's PyTorch is importable by /usr/bin/python3, the same losses run in
 * PyTorch (float32, 2 threads; bench_torch.py beside this file) in the same invocation, and the
 * table shows the ratio tfjs / PyTorch. Workloads: NT-Xent over 2N views; SupCon L_out over
 * 2 views with 10 classes; InfoNCE with a 4096-row queue (MoCo v2).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type EngineName } from '@contrastive/backend/node';
import { infoNce, ntXent, supCon } from '@contrastive/losses';

type LossName = 'ntXent' | 'supCon' | 'infoNce';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}
const sizes = arg('sizes', '256,1024,4096').split(',').map(Number);
const dim = Number(arg('dim', '128'));
const reps = Number(arg('reps', '3'));
const losses = arg('losses', 'ntXent,supCon,infoNce').split(',') as LossName[];
const queue = 4096;
const classes = 10;
const temperature = 0.1;

const report = await initBackend(process.argv.includes('--backend') ? { prefer: arg('backend', 'wasm') as EngineName } : {});
console.log(`engine: ${report.engine} (tfjs backend '${report.tfBackend}'), d = ${dim}, τ = ${temperature}, median of ${reps} (1 for N >= 4096)`);

/** Inputs (created once per size, outside the timing) and the function under test. */
function workload(loss: LossName, n: number): { inputs: tf.Tensor2D[]; run: (...xs: tf.Tensor2D[]) => tf.Scalar; keep: tf.Tensor[] } {
  const rand = (rows: number, seed: number) => tf.randomNormal([rows, dim], 0, 1, 'float32', seed) as tf.Tensor2D;
  if (loss === 'ntXent') return { inputs: [rand(n, 1), rand(n, 2)], run: (a, b) => ntXent(a!, b!, { temperature }), keep: [] };
  if (loss === 'supCon') {
    const labels = tf.tensor1d(Int32Array.from({ length: n }, (_, i) => (i * 7919) % classes), 'int32');
    return { inputs: [rand(n, 1), rand(n, 2)], run: (a, b) => supCon([a!, b!], labels, { temperature }), keep: [labels] };
  }
  const keys = rand(n, 3);
  const negatives = rand(queue, 4);
  return { inputs: [rand(n, 1)], run: (q) => infoNce(q!, keys, negatives, { temperature }), keep: [keys, negatives] };
}

function timeOnce(run: (...xs: tf.Tensor2D[]) => tf.Scalar, inputs: tf.Tensor2D[]): number {
  const start = performance.now();
  const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => run(...(xs as tf.Tensor2D[])))(inputs);
  value.dataSync();
  for (const g of grads) g.dataSync();
  const ms = performance.now() - start;
  tf.dispose([value, ...grads]);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

const tfjs = new Map<string, number>();
for (const loss of losses) {
  // warm-up at the smallest size (kernel set-up, first allocation)
  const warm = workload(loss, Math.min(...sizes));
  timeOnce(warm.run, warm.inputs);
  tf.dispose([...warm.inputs, ...warm.keep]);
  for (const n of sizes) {
    const w = workload(loss, n);
    const times = Array.from({ length: n >= 4096 ? 1 : reps }, () => timeOnce(w.run, w.inputs));
    tfjs.set(`${loss}/${n}`, median(times));
    tf.dispose([...w.inputs, ...w.keep]);
    process.stderr.write(`  ${loss} N=${n}: ${median(times).toFixed(1)} ms\n`);
  }
}

// PyTorch in the same invocation, when Debian's python3-torch is there.
const torch = new Map<string, number>();
const python = '/usr/bin/python3';
const hasTorch = !process.argv.includes('--no-torch') && spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
if (hasTorch) {
  const script = fileURLToPath(new URL('./bench_torch.py', import.meta.url));
  const out = execFileSync(python, [script, '--sizes', sizes.join(','), '--dim', String(dim), '--reps', String(reps), '--losses', losses.join(','), '--queue', String(queue), '--classes', String(classes), '--temperature', String(temperature)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  for (const line of out.trim().split('\n')) {
    const row = JSON.parse(line) as { loss: string; n: number; ms: number };
    torch.set(`${row.loss}/${row.n}`, row.ms);
  }
} else {
  console.log('PyTorch: not available (apt-get install python3-torch for the reference column)');
}

const header = ['loss', 'N', `tfjs ${report.engine} ms`, ...(hasTorch ? ['PyTorch ms', 'tfjs / PyTorch'] : [])];
const rows = [...tfjs.entries()].map(([key, ms]) => {
  const [loss, n] = key.split('/') as [string, string];
  const ref = torch.get(key);
  return [loss, n, ms.toFixed(1), ...(hasTorch && ref !== undefined ? [ref.toFixed(1), (ms / ref).toFixed(2)] : [])];
});
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i] as number)).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
// The threaded wasm engine keeps worker threads alive; the benchmark is done.
process.exit(0);
