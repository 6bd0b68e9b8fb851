/**
 * Convolution throughput per layer shape: the wasm engine (tfjs 4.22, SIMD, XNNPACK threads, this
 * repository's gradient kernels) against PyTorch on the same machine, in the same invocation.
 * For each layer shape of the CIFAR-stem ResNet-18 training step (`--views` images, `--width`
 * multiplier), it times the forward convolution, the filter gradient (Conv2DBackpropFilter) and
 * the input gradient (Conv2DBackpropInput), best of `--repeats`, and prints GFLOP/s
 * (2·N·OH·OW·CO·CI·KH·KW per operation) and the wasm/PyTorch time ratio. It shows how much of the
 * training-step gap is raw convolution speed, which no JavaScript-level change can remove.
 *
 * Run from the repository root:
 *   npx tsx --conditions=contrastive-source bench/conv-throughput/bench.ts [--views 128] [--width 0.25] [--repeats 3] [--torch-threads 2]
 *     [--engine wasm|wasm+onednn]   (the columns say 'wasm' for either; the header names the engine)
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@contrastive/backend/node';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
};
const views = Number(arg('views', '128'));
const width = Number(arg('width', '0.25'));
const repeats = Number(arg('repeats', '3'));
const torchThreads = Number(arg('torch-threads', '2'));
const engineArg = arg('engine', 'wasm') as 'wasm' | 'wasm+onednn';

interface Shape { readonly n: number; readonly hw: number; readonly ci: number; readonly co: number; readonly k: number; readonly s: number }
const widths = [64, 128, 256, 512].map((w) => Math.round(w * width));
const shapes: Shape[] = [{ n: views, hw: 32, ci: widths[0]!, co: widths[0]!, k: 3, s: 1 }];
for (let i = 1; i < 4; i++) {
  const hw = 32 >> (i - 1);
  shapes.push({ n: views, hw, ci: widths[i - 1]!, co: widths[i]!, k: 3, s: 2 }, { n: views, hw, ci: widths[i - 1]!, co: widths[i]!, k: 1, s: 2 }, { n: views, hw: hw / 2, ci: widths[i]!, co: widths[i]!, k: 3, s: 1 });
}
const gflop = (s: Shape): number => (2 * s.n * Math.ceil(s.hw / s.s) ** 2 * s.co * s.ci * s.k * s.k) / 1e9;

function best(f: () => tf.Tensor): number {
  tf.dispose(f());
  let t = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const o = f();
    o.dataSync();
    t = Math.min(t, performance.now() - t0);
    o.dispose();
  }
  return t;
}

const report = await initBackend({ prefer: engineArg });
console.log(`# conv throughput — ${views} views, width x${width}, best of ${repeats}; engine ${report.engine}, ${report.threads} thread(s), SIMD ${report.simd}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const wasm = shapes.map((s) => {
  const x = tf.randomNormal([s.n, s.hw, s.hw, s.ci]) as tf.Tensor4D;
  const oh = Math.ceil(s.hw / s.s);
  const dy = tf.randomNormal([s.n, oh, oh, s.co]) as tf.Tensor4D;
  const w = tf.randomNormal([s.k, s.k, s.ci, s.co]) as tf.Tensor4D;
  // A fresh weight tensor per call, as in training (XNNPACK repacks the weights of a new tensor).
  const withFreshW = (f: (ww: tf.Tensor4D) => tf.Tensor) => () => tf.tidy(() => f(tf.add(w, 0) as tf.Tensor4D));
  const r = {
    forward: best(withFreshW((ww) => tf.conv2d(x, ww, s.s, 'same'))),
    filter: best(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [s.s, s.s], pad: 'same', dataFormat: 'NHWC', filterShape: [s.k, s.k, s.ci, s.co] }) as tf.Tensor),
    input: best(withFreshW((ww) => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: ww }, { strides: [s.s, s.s], pad: 'same', dataFormat: 'NHWC', inputShape: x.shape }) as tf.Tensor)),
  };
  tf.dispose([x, dy, w]);
  return r;
});

const script = fileURLToPath(new URL('./bench_torch.py', import.meta.url));
const py = spawnSync('/usr/bin/python3', [script, JSON.stringify(shapes), '--threads', String(torchThreads), '--repeats', String(repeats)], { encoding: 'utf8' });
const torch = py.status === 0 ? (JSON.parse(py.stdout.trim().split('\n').pop() as string) as { threads: number; results: { forward: number; filter: number; input: number }[] }) : undefined;
if (torch === undefined) console.log(`# pytorch did not run: ${(py.stderr || String(py.error)).trim().split('\n').pop()}`);
else console.log(`# pytorch ${torch.threads} thread(s)`);

console.log('| layer (NHWC in, k, stride, out ch) | GFLOP | op | wasm ms | wasm GFLOP/s | torch ms | torch GFLOP/s | wasm/torch |');
console.log('|---|---:|---|---:|---:|---:|---:|---:|');
const totals = { wasm: 0, torch: 0 };
shapes.forEach((s, i) => {
  for (const op of ['forward', 'filter', 'input'] as const) {
    const wm = wasm[i]![op];
    const tm = torch?.results[i]?.[op];
    totals.wasm += wm;
    totals.torch += tm ?? 0;
    const g = gflop(s);
    console.log(`| [${s.n},${s.hw},${s.hw},${s.ci}] k${s.k} s${s.s} -> ${s.co} | ${g.toFixed(2)} | ${op} | ${wm.toFixed(1)} | ${(g / wm * 1e3).toFixed(1)} | ${tm?.toFixed(1) ?? '-'} | ${tm === undefined ? '-' : (g / tm * 1e3).toFixed(1)} | ${tm === undefined ? '-' : (wm / tm).toFixed(2)} |`);
  }
});
console.log(`total: wasm ${totals.wasm.toFixed(0)} ms, torch ${torch ? totals.torch.toFixed(0) : '-'} ms${torch ? `, ratio wasm/torch: ${(totals.wasm / totals.torch).toFixed(2)}` : ''}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
process.exit(0);
