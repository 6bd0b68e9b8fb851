/**
 * The bench page (bundled by bench.ts with esbuild): `?probe=1` reports what the browser offers
 * (WebGL and its renderer, a WebGPU adapter, cross-origin isolation, cores) and which engines
 * `initWebBackend` starts; `?engine=E&batch=..&warmup=..&steps=..&repeats=..&budget=..` starts engine E
 * and times the workload. Posts one JSON object to /result.
 */
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { initWebBackend, type WebEngineName } from '@contrastive/backend';
import { runWorkload } from './workload.js';

const q = new URLSearchParams(location.search);
const num = (k: string, d: number): number => (q.has(k) ? Number(q.get(k)) : d);
const wasmPaths = `${location.origin}/wasm/`;

function webglInfo(): string {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (gl === null) return 'no WebGL2 context';
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return String(ext === null ? gl.getParameter(gl.RENDERER) : gl.getParameter(ext.UNMASKED_RENDERER_WEBGL));
}

interface GpuLike {
  requestAdapter(): Promise<{ readonly info?: { vendor: string; architecture: string; isFallbackAdapter?: boolean } } | null>;
}
async function webgpuInfo(): Promise<string> {
  const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
  if (gpu === undefined) return 'navigator.gpu absent';
  const a = await gpu.requestAdapter();
  if (a === null) return 'requestAdapter() gave null';
  const i = a.info;
  return i === undefined ? 'adapter' : `adapter ${i.vendor}/${i.architecture}${i.isFallbackAdapter === true ? ' (fallback adapter)' : ''}`;
}

/** Threads / device of the current engine, as text for the table. */
async function engineDetail(engine: string, adapter: string): Promise<string> {
  if (engine === 'wasm') {
    const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    return `${getThreadsCount()} (${crossOriginIsolated ? 'crossOriginIsolated' : 'not isolated'}; tfjs: multithread ${String(mt)}, SIMD ${String(simd)})`;
  }
  if (engine === 'webgl') return `GPU: ${webglInfo()}`;
  if (engine === 'webgpu') return `GPU: ${adapter}`;
  return '1';
}

async function probe(): Promise<unknown> {
  const engines: Record<string, string> = {};
  for (const e of ['webgpu', 'webgl', 'wasm', 'cpu'] as const) {
    try {
      const r = await initWebBackend({ prefer: e, wasmPaths });
      engines[e] = `starts (${r.engine})`;
    } catch (err) {
      engines[e] = `fails: ${String(err instanceof Error ? err.message : err).replace(/^initWebBackend: no engine could be started; tried /, '')}`;
    }
  }
  // tfjs refuses a software WebGL context unless SOFTWARE_WEBGL_ENABLED (failIfMajorPerformanceCaveat).
  tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
  try {
    tf.removeBackend('webgl');
  } catch {
    /* not registered */
  }
  const { MathBackendWebGL } = await import('@tensorflow/tfjs-backend-webgl');
  tf.registerBackend('webgl', () => new MathBackendWebGL(), 2);
  try {
    await initWebBackend({ prefer: 'webgl', wasmPaths });
    engines['webgl (SOFTWARE_WEBGL_ENABLED)'] = 'starts';
  } catch (err) {
    engines['webgl (SOFTWARE_WEBGL_ENABLED)'] = `fails: ${String(err instanceof Error ? err.message : err)}`;
  }
  return {
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated,
    webgl2: webglInfo(),
    webgpu: await webgpuInfo(),
    engines,
  };
}

async function bench(): Promise<unknown> {
  const engine = q.get('engine') as WebEngineName;
  if (q.get('softwareWebgl') === '1') tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
  // tfjs-wasm's own default on a cross-origin isolated page, or the count asked for. Its C++ side
  // starts min(requested, logical cores / 2) threads, the cores being navigator.hardwareConcurrency:
  // 1 thread on a 2-core machine whatever is asked. As @contrastive/backend/node does in Node
  // (wasm-threads.ts), `threads=N` reports 2N cores to it.
  if (q.has('threads')) {
    const n = num('threads', 1);
    setThreadsCount(n);
    Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * n, configurable: true });
  }
  const adapter = engine === 'webgpu' ? await webgpuInfo() : ''; // before tfjs takes the adapter
  const report = await initWebBackend({ prefer: engine, wasmPaths });
  const result = await runWorkload({
    batch: num('batch', 64),
    warmup: num('warmup', 2),
    steps: num('steps', 3),
    repeats: num('repeats', 3),
    budgetSeconds: num('budget', 60),
    // Each step's end, for bench.ts to read from the console when the page runs out of time.
    onStep: (seconds, loss) => console.log(`STEP ${seconds} ${loss}`),
    ...(q.has('width') ? { widthMultiplier: num('width', 0.25) } : {}),
  });
  return { engine: report.engine, threads: await engineDetail(report.engine, adapter), ...result };
}

let out: unknown;
try {
  out = q.get('probe') === '1' ? await probe() : await bench();
} catch (e) {
  out = { error: String(e instanceof Error ? (e.stack ?? e.message) : e).slice(0, 1000) };
}
await fetch('/result', { method: 'POST', body: JSON.stringify(out) });
