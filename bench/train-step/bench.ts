/**
 * SimCLR training-step benchmark across engines (issue 8, item 1).
 *
 * Workload (Chen et al. 2020, SimCLR, Algorithm 1, augmentation excluded): N source images of
 * 32x32x3 drawn at random -> 2N views; the CIFAR-stem ResNet-18 of @contrastive/encoders
 * (`--model small`: widthMultiplier 0.25, widths 16-32-64-128; `--model resnet18`: full widths)
 * + MLP head C -> C -> 128 (@contrastive/heads); NT-Xent with tau = 0.5 (@contrastive/losses);
 * SGD with momentum 0.9 over every trainable variable. One step = forward of both views,
 * backward, update, and reading the loss back.
 *
 * Each engine runs in its own child process (an engine is started once per process, and peak RSS
 * must be per engine); with `--rounds R` the engines are run R times in interleaved order, so load
 * changes on a shared machine hit every engine alike. Per engine it prints the median step time,
 * img/s (source images per second, N / step time), peak RSS and, on wasm, the wasm heap
 * (`wasmHeapStats()`: heap size and peak of live tensor bytes). When `/usr/bin/python3` imports
 * torch, `pytorch` runs `bench_torch.py` (same workload, torch.set_num_threads(--torch-threads)).
 *
 * Engines: `wasm` (with @contrastive/backend's training kernels), `cpu` (pure JS, tfjs's own
 * kernels; ~100x slower, run it at small batch only),
 * `tensorflow` / `tensorflow-gpu` (tfjs-node / tfjs-node-gpu when installed: the same code path,
 * `initBackend({ prefer })` picks them; not installable here, so untested), `pytorch`.
 *
 * The last line is `ratio wasm/pytorch: X` (median wasm step time over median PyTorch step time),
 * or `ratio wasm/pytorch: n/a (...)` when either did not run.
 *
 * `--profile` adds, per tfjs engine, one profiled step: kernel time aggregated by kernel name
 * (`tf.profile`; nested kernels of composite kernels are listed under their own names too), and
 * for PyTorch torch.profiler's table.
 *
 * Run from the repository root:
 *   npm run bench:train-step -- --model small --batch 64 --engines wasm,pytorch [--steps 3]
 *     [--warmup 1] [--rounds 1] [--profile] [--threads 2] [--torch-threads 2]
 */
import type { Scalar, Tensor2D } from '@tensorflow/tfjs-core';
import { loadavg, availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runChild } from '../run-child.js';

const MIB = 1024 ** 2;
const TFJS_ENGINES = ['wasm+onednn', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'] as const;
type TfjsEngine = (typeof TFJS_ENGINES)[number];
type Engine = TfjsEngine | 'pytorch';
type Model = 'small' | 'resnet18';

interface Result {
  readonly engine: string;
  readonly stepMs: readonly number[];
  readonly peakRssBytes: number;
  readonly params?: number;
  readonly threads?: number;
  readonly wasmHeapBytes?: number;
  readonly wasmPeakTensorBytes?: number;
  readonly config?: string;
  readonly numTensorsLeaked?: number;
  readonly error?: string;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

function positiveInt(name: string, fallback: string): number {
  const v = Number(arg(name, fallback));
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer, received ${arg(name, fallback)}`);
  return v;
}

const model = arg('model', 'small') as Model;
if (model !== 'small' && model !== 'resnet18') throw new Error(`--model must be small or resnet18, received ${model}`);
const batch = positiveInt('batch', '64');
const steps = positiveInt('steps', '3');
const warmup = Number(arg('warmup', '1'));
const rounds = positiveInt('rounds', '1');
const torchThreads = positiveInt('torch-threads', '2');
const profile = flag('profile');
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

// ---------------------------------------------------------------------------------------------
// Child: one tfjs engine.
// ---------------------------------------------------------------------------------------------
async function runTfjs(engine: TfjsEngine): Promise<Result> {
  const tf = await import('@tensorflow/tfjs-core');
  const backend = await import('@contrastive/backend');
  const { resnet, countParameters } = await import('@contrastive/encoders');
  const { mlpHead } = await import('@contrastive/heads');
  const { ntXent } = await import('@contrastive/losses');
  const threadsArg = arg('threads', '');
  const report = await backend.initBackend({
    prefer: engine,
    ...(threadsArg === '' ? {} : { threads: Number(threadsArg) }),
  });
  const encoder = resnet({
    depth: 18,
    stem: 'cifar',
    widthMultiplier: model === 'small' ? 0.25 : 1,
    inputShape: [32, 32, 3],
    seed: 0,
  });
  const head = mlpHead({ inputDim: encoder.outputDim, hiddenDim: encoder.outputDim, outputDim: 128, seed: 1 });
  const variables = [...encoder.trainableVariables, ...head.trainableVariables];
  const params = countParameters(encoder) + head.trainableVariables.reduce((a, v) => a + v.size, 0);
  const views = [tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 1), tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 2)] as const;
  const optimizer = tf.train.momentum(0.1, 0.9);
  const lossOf = (): Scalar => {
    const x = tf.concat([views[0], views[1]], 0);
    const z = head.apply(encoder.apply(x, { training: true }), { training: true });
    const [z1, z2] = tf.split(z, 2, 0) as [Tensor2D, Tensor2D];
    return ntXent(z1, z2, { temperature: 0.5, checkValues: false }); // as the strategies run it (no per-step value read-back)
  };
  const step = (): number => {
    const loss = optimizer.minimize(lossOf, true, variables) as Scalar;
    const v = loss.dataSync()[0] as number;
    loss.dispose();
    return v;
  };
  const stepMs: number[] = [];
  let tensorsAfterWarmup = -1;
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    const loss = step();
    const dt = performance.now() - t0;
    if (!Number.isFinite(loss)) throw new Error(`non-finite loss ${loss} at step ${i}`);
    if (i === warmup - 1 || (warmup === 0 && i === 0)) tensorsAfterWarmup = tf.memory().numTensors;
    if (i >= warmup) stepMs.push(dt);
  }
  const numTensorsLeaked = tf.memory().numTensors - tensorsAfterWarmup;
  if (profile) {
    const info = await tf.profile(() => {
      step();
    });
    const agg = new Map<string, { n: number; ms: number }>();
    for (const k of info.kernels) {
      const a = agg.get(k.name) ?? { n: 0, ms: 0 };
      a.n += 1;
      a.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      agg.set(k.name, a);
    }
    const rows = [...agg.entries()].sort((a, b) => b[1].ms - a[1].ms);
    const total = rows.reduce((s, [, a]) => s + a.ms, 0);
    const lines = [`profile ${engine} (one step; ${info.kernels.length} kernel calls, ${total.toFixed(0)} ms of kernel time, nested calls counted too)`];
    lines.push(`  ${'kernel'.padEnd(32)} ${'calls'.padStart(6)} ${'ms'.padStart(9)} ${'share'.padStart(6)}`);
    for (const [name, a] of rows.slice(0, 25)) {
      lines.push(`  ${name.padEnd(32)} ${String(a.n).padStart(6)} ${a.ms.toFixed(1).padStart(9)} ${((100 * a.ms) / total).toFixed(1).padStart(5)}%`);
    }
    console.log(lines.join('\n'));
  }
  const heap = report.tfBackend === 'wasm' ? backend.wasmHeapStats() : undefined;
  return {
    engine,
    stepMs,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    params,
    threads: report.threads ?? 0,
    ...(heap === undefined ? {} : { wasmHeapBytes: heap.heapBytes, wasmPeakTensorBytes: heap.peakBytes }),
    config: `${report.engine}${report.simd === true ? ' SIMD' : ''}; kernels added: ${report.kernelsAdded.length}${report.notes.length > 0 ? `; ${report.notes.join('; ')}` : ''}`,
    numTensorsLeaked,
  };
}

// ---------------------------------------------------------------------------------------------
// Parent: spawn one child per engine and round, interleaved.
// ---------------------------------------------------------------------------------------------

async function torchAvailable(): Promise<boolean> {
  const r = await runChild('/usr/bin/python3', ['-c', 'import torch']);
  return r.code === 0;
}

async function runEngine(engine: Engine): Promise<Result> {
  const common = ['--model', model, '--batch', String(batch), '--steps', String(steps), '--warmup', String(warmup)];
  if (engine === 'pytorch') {
    const script = fileURLToPath(new URL('./bench_torch.py', import.meta.url));
    const r = await runChild('/usr/bin/python3', [script, ...common, '--threads', String(torchThreads), ...(profile ? ['--profile'] : [])]);
    if (profile && r.err.trim() !== '') console.log(`profile pytorch:\n${r.err.trimEnd()}`);
    const line = r.out.trim().split('\n').pop() ?? '';
    if (r.code !== 0 || !line.startsWith('{')) return { engine, stepMs: [], peakRssBytes: 0, error: (r.err.trim().split('\n').pop() ?? '').slice(0, 300) };
    return JSON.parse(line) as Result;
  }
  const self = fileURLToPath(import.meta.url);
  const passThrough = ['threads', 'profile'].flatMap((k) => (flag(k) ? (k === 'profile' ? ['--profile'] : ['--threads', arg(k, '')]) : []));
  const r = await runChild(process.execPath, [...process.execArgv, self, '--child', engine, ...common, ...passThrough]);
  const lines = r.out.trimEnd().split('\n');
  const resultLine = lines.find((l) => l.startsWith('RESULT '));
  const rest = lines.filter((l) => !l.startsWith('RESULT ')).join('\n');
  if (rest.trim() !== '') console.log(rest);
  if (resultLine === undefined) return { engine, stepMs: [], peakRssBytes: 0, error: (r.err.trim().split('\n').slice(-3).join(' | ') || `exit code ${r.code}`).slice(0, 400) };
  return JSON.parse(resultLine.slice('RESULT '.length)) as Result;
}

async function parent(): Promise<void> {
  const requested = arg('engines', 'wasm,pytorch').split(',').map((s) => s.trim()) as Engine[];
  for (const e of requested) {
    if (e !== 'pytorch' && !(TFJS_ENGINES as readonly string[]).includes(e)) throw new Error(`unknown engine ${e}; known: ${[...TFJS_ENGINES, 'pytorch'].join(', ')}`);
  }
  const hasTorch = requested.includes('pytorch') && (await torchAvailable());
  const engines = requested.filter((e) => e !== 'pytorch' || hasTorch);
  const la = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`# train-step bench — Node ${process.version}, ${availableParallelism()} cores, load average ${la()}`);
  console.log(`# SimCLR step: model ${model}, batch ${batch} (${2 * batch} views of 32x32x3), NT-Xent tau 0.5, SGD momentum 0.9; ${warmup} warm-up + ${steps} timed steps per run, ${rounds} round(s) interleaved`);
  if (requested.includes('pytorch') && !hasTorch) console.log('# pytorch: /usr/bin/python3 cannot import torch; skipped');
  const results = new Map<Engine, Result[]>();
  for (let r = 0; r < rounds; r++) {
    for (const e of engines) {
      const res = await runEngine(e);
      const list = results.get(e) ?? [];
      list.push(res);
      results.set(e, list);
      const m = res.stepMs.length > 0 ? `${median(res.stepMs).toFixed(0)} ms/step` : `failed: ${res.error ?? '?'}`;
      console.log(`round ${r + 1} ${e}: ${m} (steps ${res.stepMs.map((t) => t.toFixed(0)).join(' / ')}; load average ${la()})`);
    }
  }
  const header = `| engine | threads | params | step ms (median) | img/s | peak RSS | wasm heap / peak live tensors |`;
  console.log(`\n${header}\n| --- | --- | --- | --- | --- | --- | --- |`);
  const medianOf = new Map<Engine, number>();
  for (const e of engines) {
    const rs = (results.get(e) ?? []).filter((x) => x.stepMs.length > 0);
    if (rs.length === 0) {
      console.log(`| ${e} | | | failed: ${(results.get(e)?.[0]?.error ?? '?').replace(/\|/g, '/')} | | | |`);
      continue;
    }
    const ms = median(rs.flatMap((x) => x.stepMs));
    medianOf.set(e, ms);
    const first = rs[0] as Result;
    const rss = Math.max(...rs.map((x) => x.peakRssBytes));
    const heap = first.wasmHeapBytes === undefined ? '-' : `${(Math.max(...rs.map((x) => x.wasmHeapBytes ?? 0)) / MIB).toFixed(0)} MiB / ${(Math.max(...rs.map((x) => x.wasmPeakTensorBytes ?? 0)) / MIB).toFixed(0)} MiB`;
    console.log(`| ${e} | ${first.threads ?? '?'} | ${((first.params ?? 0) / 1e6).toFixed(3)}M | ${ms.toFixed(0)} | ${((batch * 1000) / ms).toFixed(1)} | ${(rss / MIB).toFixed(0)} MiB | ${heap} |`);
  }
  for (const e of engines) {
    const first = results.get(e)?.find((x) => x.stepMs.length > 0);
    if (first?.config !== undefined) console.log(`config ${e}: ${first.config}`);
    if (first?.numTensorsLeaked !== undefined && first.numTensorsLeaked !== 0) console.log(`WARNING ${e}: ${first.numTensorsLeaked} tensors leaked across the timed steps`);
  }
  const pt = medianOf.get('pytorch');
  for (const e of engines) {
    const m = medianOf.get(e);
    if (e !== 'wasm' && e !== 'pytorch' && m !== undefined && pt !== undefined) console.log(`ratio ${e}/pytorch: ${(m / pt).toFixed(2)}`);
  }
  const w = medianOf.get('wasm');
  console.log(`# load average at the end ${la()}`);
  if (w !== undefined && pt !== undefined) console.log(`ratio wasm/pytorch: ${(w / pt).toFixed(2)}`);
  else console.log(`ratio wasm/pytorch: n/a (${w === undefined ? 'wasm' : 'pytorch'} did not run)`);
}

const childEngine = arg('child', '');
if (childEngine !== '') {
  try {
    const res = await runTfjs(childEngine as TfjsEngine);
    console.log(`RESULT ${JSON.stringify(res)}`);
  } catch (e) {
    console.log(`RESULT ${JSON.stringify({ engine: childEngine, stepMs: [], peakRssBytes: process.resourceUsage().maxRSS * 1024, error: String(e instanceof Error ? e.message : e).slice(0, 400) })}`);
  }
  process.exit(0);
} else {
  await parent();
}
