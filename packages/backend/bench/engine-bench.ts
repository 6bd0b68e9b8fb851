/**
 * On-demand benchmarks of this package (not part of the test suite):
 *
 *   npm run bench -w @contrastive/backend
 *
 * 1. wasm threads: a small conv-net SGD step with 1 thread vs one per core (each in its own process,
 *    since the wasm engine starts once per process);
 * 2. Conv2DBackpropInput on wasm: tfjs's stock kernel vs this package's convolution-based one;
 * 3. Conv2DBackpropFilter on cpu: tfjs's stock kernel vs this package's (opt-in on cpu);
 * 4. MaxPoolGrad on wasm: the stock (faulty) kernel vs the replacement, i.e. what the fix costs.
 * Every ratio compares numbers measured in the same run on the same machine.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { Rng } from '@contrastive/core';
import { registerTrainingKernels, unregisterTrainingKernels } from '../src/index.js';
import { initBackend } from '../src/node/index.js';
import { makeConv2DBackpropFilter } from '../src/kernels/conv2d-backprop-filter.js';
import { makeConv2DBackpropInput } from '../src/kernels/conv2d-backprop-input.js';
import { makeMaxPoolGrad } from '../src/kernels/max-pool-grad.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function time(fn: () => void, reps: number, warmup = 2): number {
  for (let i = 0; i < warmup; i++) fn();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

/** One SGD step of conv(3→16)-BN-ReLU-conv(16→32, s2)-BN-ReLU-conv(32→64, s2)-BN-ReLU-GAP-dense on [batch, 32, 32, 3]. */
function convNetStep(batch: number): () => void {
  const rng = Rng.fromSeed(1);
  const shapes: Record<string, number[]> = { w1: [3, 3, 3, 16], w2: [3, 3, 16, 32], w3: [3, 3, 32, 64], wd: [64, 10] };
  const v = Object.fromEntries(
    Object.entries(shapes).map(([k, s]) => [k, tf.variable(tf.tensor(rng.normalArray(s.reduce((a, b) => a * b, 1), 0, 0.1), s))]),
  ) as Record<string, tf.Variable>;
  const x = tf.tensor4d(rng.normalArray(batch * 32 * 32 * 3), [batch, 32, 32, 3]);
  const y = tf.oneHot(tf.tensor1d(Int32Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10, 1, 0, 'float32');
  const bnRelu = (h: tf.Tensor4D): tf.Tensor4D => {
    const { mean, variance } = tf.moments(h, [0, 1, 2]);
    return tf.relu(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-3)))) as tf.Tensor4D;
  };
  return () =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        let h = bnRelu(tf.conv2d(x, v['w1'] as tf.Tensor4D, 1, 'same'));
        h = bnRelu(tf.conv2d(h, v['w2'] as tf.Tensor4D, 2, 'same'));
        h = bnRelu(tf.conv2d(h, v['w3'] as tf.Tensor4D, 2, 'same'));
        return tf.losses.softmaxCrossEntropy(y, tf.matMul(tf.mean(h, [1, 2]), v['wd'] as tf.Tensor2D)) as tf.Scalar;
      });
      for (const [name, g] of Object.entries(grads)) {
        const variable = Object.values(v).find((w) => w.name === name) as tf.Variable;
        variable.assign(tf.sub(variable, tf.mul(g, 0.01)));
      }
      (Object.values(grads)[0] as tf.Tensor).dataSync();
    });
}

/** Times a kernel function called directly on a backend (inputs written once). */
function timeKernel(backendName: string, kernel: KernelFunc, inputs: Record<string, { data: Float32Array; shape: number[] }>, attrs: object, reps: number): number {
  const backend = tf.findBackend(backendName) as KernelBackend;
  const infos: Record<string, TensorInfo> = {};
  for (const [k, t] of Object.entries(inputs)) infos[k] = { dataId: backend.write(t.data.slice(), t.shape, 'float32'), shape: t.shape, dtype: 'float32' };
  const ms = time(() => {
    const out = kernel({ inputs: infos, backend, attrs: attrs as tf.NamedAttrMap }) as TensorInfo;
    backend.readSync(out.dataId);
    backend.disposeData(out.dataId);
  }, reps);
  for (const info of Object.values(infos)) backend.disposeData(info.dataId);
  return ms;
}

function stockOf(kernelName: string, backendName: 'wasm' | 'cpu'): KernelFunc {
  unregisterTrainingKernels(backendName);
  const k = tf.getKernel(kernelName, backendName);
  if (k === undefined) throw new Error(`no stock ${kernelName} on ${backendName}`);
  return k.kernelFunc;
}

async function child(threads: number, batch: number): Promise<void> {
  const report = await initBackend({ prefer: 'wasm', threads });
  const step = convNetStep(batch);
  const ms = time(step, 5);
  // One large convolution, where XNNPACK's thread pool does all the work.
  const x = tf.randomNormal<tf.Rank.R4>([32, 32, 32, 64]);
  const w = tf.randomNormal<tf.Rank.R4>([3, 3, 64, 64]);
  const convMs = time(() => {
    const y = tf.conv2d(x, w, 1, 'same');
    y.dataSync(); // (not returned from a tidy: tidy would walk the 2M-element array looking for tensors)
    y.dispose();
  }, 5);
  console.log(JSON.stringify({ threads: report.threads, simd: report.simd, batch, stepMs: ms, convMs }));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await child(Number(args[1]), Number(args[2]));
    return;
  }
  const cores = availableParallelism();
  const batch = 32;
  const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`# contrastive backend bench — Node ${process.version}, ${cores} cores, load average ${load()}`);
  console.log(`\n## 1. wasm threads: conv-net SGD step, batch ${batch}, 32x32x3 (3 alternating runs each; each run the median of 5 steps)`);
  const byThreads = new Map<number, number[]>();
  const convByThreads = new Map<number, number[]>();
  for (let round = 0; round < 3; round++) {
    for (const threads of [...new Set([1, cores])]) {
      const run = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', String(threads), String(batch)], { encoding: 'utf8' });
      const line = run.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
      if (line === undefined) throw new Error(`child failed: ${run.stderr}`);
      const r = JSON.parse(line) as { threads: number; stepMs: number; convMs: number };
      byThreads.set(r.threads, [...(byThreads.get(r.threads) ?? []), r.stepMs]);
      convByThreads.set(r.threads, [...(convByThreads.get(r.threads) ?? []), r.convMs]);
    }
  }
  for (const [threads, ms] of byThreads) {
    console.log(`threads ${threads}: best ${Math.min(...ms).toFixed(1)} ms/step (${((batch * 1000) / Math.min(...ms)).toFixed(1)} img/s), runs ${ms.map((m) => m.toFixed(0)).join(' / ')} ms`);
  }
  const counts = [...byThreads.keys()];
  if (counts.length === 2) {
    const [one, many] = counts.map((t) => Math.min(...(byThreads.get(t) as number[]))) as [number, number];
    console.log(`ratio best 1-thread / best ${counts[1]}-thread step time: ${(one / many).toFixed(2)}x (load average now ${load()})`);
    const [c1, cn] = counts.map((t) => Math.min(...(convByThreads.get(t) as number[]))) as [number, number];
    console.log(`one conv x[32,32,32,64] w[3,3,64,64]: best ${c1.toFixed(1)} ms with 1 thread, ${cn.toFixed(1)} ms with ${counts[1]}: ratio ${(c1 / cn).toFixed(2)}x`);
  }

  await initBackend({ prefer: 'cpu' });
  await initBackend({ prefer: 'wasm' });
  const rng = Rng.fromSeed(3);
  const conv = (x: number[], f: number[], s: number) => {
    const info = tf.backend_util.computeConv2DInfo(x as [number, number, number, number], f as [number, number, number, number], s, 1, 'same');
    return {
      x: { data: rng.normalArray(x.reduce((a, b) => a * b, 1)), shape: x },
      dy: { data: rng.normalArray(info.outShape.reduce((a, b) => a * b, 1)), shape: info.outShape },
      filter: { data: rng.normalArray(f.reduce((a, b) => a * b, 1)), shape: f },
      attrs: { strides: s, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: x, filterShape: f },
    };
  };

  console.log('\n## 2. Conv2DBackpropInput on wasm: stock vs convolution-based (median of 5)');
  const stockInput = stockOf('Conv2DBackpropInput', 'wasm');
  const oursInput = makeConv2DBackpropInput('wasm');
  for (const [x, f, s] of [
    [[32, 32, 32, 16], [3, 3, 16, 16], 1],
    [[32, 32, 32, 16], [3, 3, 16, 32], 2],
    [[32, 16, 16, 32], [3, 3, 32, 32], 1],
    [[32, 8, 8, 64], [3, 3, 64, 64], 1],
  ] as Array<[number[], number[], number]>) {
    const c = conv(x, f, s);
    const a = timeKernel('wasm', stockInput, { dy: c.dy, filter: c.filter }, c.attrs, 5);
    const b = timeKernel('wasm', oursInput, { dy: c.dy, filter: c.filter }, c.attrs, 5);
    console.log(`x[${x}] w[${f}] s${s}: stock ${a.toFixed(1)} ms, ours ${b.toFixed(1)} ms, ratio ${(a / b).toFixed(1)}x`);
  }

  console.log('\n## 3. Conv2DBackpropFilter on cpu: stock vs convolution-based (median of 3)');
  const stockFilter = stockOf('Conv2DBackpropFilter', 'cpu');
  const oursFilter = makeConv2DBackpropFilter('cpu');
  for (const [x, f, s] of [
    [[8, 16, 16, 16], [3, 3, 16, 16], 1],
    [[8, 16, 16, 32], [3, 3, 32, 32], 2],
  ] as Array<[number[], number[], number]>) {
    const c = conv(x, f, s);
    const a = timeKernel('cpu', stockFilter, { x: c.x, dy: c.dy }, c.attrs, 3);
    const b = timeKernel('cpu', oursFilter, { x: c.x, dy: c.dy }, c.attrs, 3);
    console.log(`x[${x}] w[${f}] s${s}: stock ${a.toFixed(1)} ms, ours ${b.toFixed(1)} ms, ratio ${(a / b).toFixed(1)}x`);
  }

  console.log('\n## 4. MaxPoolGrad on wasm: stock (faulty on negative windows) vs replacement (median of 5)');
  const stockPool = stockOf('MaxPoolGrad', 'wasm');
  const oursPool = makeMaxPoolGrad('wasm');
  for (const [x, k, s] of [
    [[32, 32, 32, 16], 3, 2],
    [[32, 16, 16, 32], 2, 2],
  ] as Array<[number[], number, number]>) {
    const info = tf.backend_util.computePool2DInfo(x as [number, number, number, number], k, s, 1, 'same');
    const input = { data: rng.normalArray(x.reduce((a, b) => a * b, 1)), shape: x };
    const wasmBackend = tf.findBackend('wasm') as KernelBackend;
    const xi = { dataId: wasmBackend.write(input.data.slice(), x, 'float32'), shape: x, dtype: 'float32' as const };
    const yInfo = (tf.getKernel('MaxPool', 'wasm')!.kernelFunc({ inputs: { x: xi }, backend: wasmBackend, attrs: { filterSize: k, strides: s, pad: 'same' } }) as TensorInfo);
    const output = { data: Float32Array.from(wasmBackend.readSync(yInfo.dataId) as Float32Array), shape: info.outShape };
    wasmBackend.disposeData(yInfo.dataId);
    wasmBackend.disposeData(xi.dataId);
    const dy = { data: rng.normalArray(info.outShape.reduce((a, b) => a * b, 1)), shape: info.outShape };
    const attrs = { filterSize: k, strides: s, pad: 'same', dimRoundingMode: undefined };
    const a = timeKernel('wasm', stockPool, { dy, input, output }, attrs, 5);
    const b = timeKernel('wasm', oursPool, { dy, input, output }, attrs, 5);
    console.log(`x[${x}] ${k}x${k} s${s}: stock ${a.toFixed(1)} ms, ours ${b.toFixed(1)} ms, ratio ours/stock ${(b / a).toFixed(1)}x`);
  }
  registerTrainingKernels('wasm');
}

await main();
