/**
 * Engine selection. Picks the fastest installed tfjs engine in the order
 * tfjs-node-gpu > tfjs-node > wasm+onednn > wasm > cpu (or the order given in `prefer`), registers the
 * gradients and the training kernels the chosen engine lacks, starts the wasm engine with one
 * thread per core, installs the wasm heap guard, and reports what it chose.
 *
 * tfjs-node and tfjs-node-gpu are optional peer dependencies: they are used when the user
 * has installed them and never required.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, BackendError, assertInteger, describeValue } from '@contrastive/core';
import { installWasmHeapGuard } from '../memory-guard.js';
import { ONEDNN_HOW_TO, loadOnednnAddon } from './onednn-addon.js';
import { registerOnednnKernels, unregisterOnednnKernels } from '../onednn/register.js';
import { registerTrainingKernels, trainingKernelsRegistered } from '../register-kernels.js';
import { tfjsVersionMismatch } from '../tfjs-version.js';
import { defaultWasmCacheDir, patchNodeForWasmThreads } from './wasm-threads.js';
import { engineOrder } from '../engine-order.js';
import { ENGINES, type BackendOptions, type BackendReport, type EngineAttempt, type EngineName } from '../engines.js';

export { ENGINES, type BackendOptions, type BackendReport, type EngineAttempt, type EngineName };


const OPTION_KEYS = ['prefer', 'threads', 'trainingKernels', 'wasmCacheDir'] as const;
/** How long the threaded wasm start may take before falling back to one thread. */
const THREADED_START_TIMEOUT_MS = 60_000;

type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm');

function defaultThreads(): number {
  const fromEnv = process.env['CONTRASTIVE_WASM_THREADS'];
  if (fromEnv !== undefined && fromEnv !== '') {
    const n = Number(fromEnv);
    assertInteger('initBackend', 'CONTRASTIVE_WASM_THREADS (environment)', n, 1);
    return n;
  }
  return availableParallelism();
}

function onednnThreads(requested: number): number {
  const fromEnv = process.env['CONTRASTIVE_ONEDNN_THREADS'];
  if (fromEnv === undefined || fromEnv === '') return requested;
  const n = Number(fromEnv);
  assertInteger('initBackend', 'CONTRASTIVE_ONEDNN_THREADS (environment)', n, 1);
  return n;
}

function message(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? '';
  if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') {
    return (e as { message: string }).message;
  }
  return String(e);
}

async function withTimeout<T>(work: Promise<T>, failure: Promise<never>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, failure, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Why the threaded build cannot be used here, or null. */
async function threadsBlocker(wasm: WasmModule): Promise<string | null> {
  const mismatch = tfjsVersionMismatch({ core: tf.version_core, wasm: wasm.version_wasm });
  if (mismatch !== null) return mismatch;
  if (typeof SharedArrayBuffer !== 'function') return 'SharedArrayBuffer is not available';
  if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) return 'the threaded build needs WebAssembly SIMD, which is not available';
  return null;
}

/** Tries the threaded-SIMD start; returns false (with a note) if it cannot be made to work. */
async function startThreaded(wasm: WasmModule, threads: number, cacheDir: string, notes: string[]): Promise<boolean> {
  let patch;
  try {
    patch = patchNodeForWasmThreads(threads, cacheDir);
  } catch (e) {
    notes.push(`wasm threads disabled: ${message(e)}`);
    return false;
  }
  try {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasm.setThreadsCount(threads);
    const ok = await withTimeout(tf.setBackend('wasm'), patch.workerFailure, THREADED_START_TIMEOUT_MS, 'the threaded wasm start');
    if (!ok) throw new Error("tf.setBackend('wasm') returned false");
    await tf.ready();
    return true;
  } catch (e) {
    notes.push(`wasm threads disabled: the threaded build failed to start (${message(e)}); running single-threaded`);
    return false;
  } finally {
    patch.restore();
  }
}

/**
 * emscripten keeps every running pthread worker `ref()`-ed, and XNNPACK's pool threads run for the
 * life of the engine, so a Node process that used the threaded build would never exit by itself.
 * The workers only ever compute while the main thread waits for them inside a kernel, so nothing
 * is lost by letting the process exit: unref them.
 */
function unrefPthreads(): void {
  const module = (tf.findBackend('wasm') as unknown as { wasm?: { PThread?: { runningWorkers?: Array<{ unref?: () => void }> } } } | null)?.wasm;
  for (const worker of module?.PThread?.runningWorkers ?? []) worker.unref?.();
}

async function startWasm(threads: number, cacheDir: string, notes: string[]): Promise<void> {
  const wasm: WasmModule = await import('@tensorflow/tfjs-backend-wasm');
  const alreadyStarted = tf.findBackend('wasm') !== null;
  if (!alreadyStarted) {
    let threaded = false;
    if (threads > 1) {
      const blocker = await threadsBlocker(wasm);
      if (blocker === null) threaded = await startThreaded(wasm, threads, cacheDir, notes);
      else notes.push(`wasm threads disabled: ${blocker}; running single-threaded`);
    }
    if (!threaded) {
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      wasm.setThreadsCount(1);
      if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') returned false");
    }
  } else if (!(await tf.setBackend('wasm'))) {
    throw new Error("tf.setBackend('wasm') returned false");
  }
  await tf.ready();
  unrefPthreads();
  const actual = wasm.getThreadsCount();
  if (actual < threads) {
    if (alreadyStarted) notes.push(`the wasm engine was already started in this process with ${actual} thread(s); ${threads} cannot take effect now`);
    else if (actual > 1) notes.push(`tfjs-backend-wasm 4.22 runs at most ${actual} threads`);
  }
  if (!installWasmHeapGuard()) notes.push('wasm heap guard not installed: this tfjs-backend-wasm build does not expose asm.malloc');
}

async function startEngine(engine: EngineName, threads: number, cacheDir: string, notes: string[]): Promise<void> {
  switch (engine) {
    case 'wasm+onednn': {
      const loaded = loadOnednnAddon();
      if (!loaded.ok) throw new Error(`oneDNN addon unavailable: ${loaded.reason}`);
      await startWasm(threads, cacheDir, notes);
      return;
    }
    case 'tensorflow-gpu':
      await import(/* @vite-ignore */ '@tensorflow/tfjs-node-gpu' as string);
      break;
    case 'tensorflow':
      await import(/* @vite-ignore */ '@tensorflow/tfjs-node' as string);
      break;
    case 'wasm':
      await startWasm(threads, cacheDir, notes);
      unregisterOnednnKernels();
      return;
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      break;
  }
  const name = engine === 'cpu' ? 'cpu' : 'tensorflow';
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
}

function validateOptions(options: BackendOptions): { order: readonly EngineName[] } {
  const order = engineOrder('initBackend', options, OPTION_KEYS, ENGINES);
  if (options.threads !== undefined) assertInteger('initBackend', 'options.threads', options.threads, 1);
  if (options.trainingKernels !== undefined && typeof options.trainingKernels !== 'boolean') {
    throw new ArgumentError(`initBackend: argument 'options.trainingKernels' must be a boolean, received ${describeValue(options.trainingKernels)}`, {
      argument: 'options.trainingKernels',
      expected: 'a boolean',
      received: options.trainingKernels,
    });
  }
  if (options.wasmCacheDir !== undefined && (typeof options.wasmCacheDir !== 'string' || options.wasmCacheDir === '')) {
    throw new ArgumentError(`initBackend: argument 'options.wasmCacheDir' must be a non-empty path, received ${describeValue(options.wasmCacheDir)}`, {
      argument: 'options.wasmCacheDir',
      expected: 'a non-empty path',
      received: options.wasmCacheDir,
    });
  }
  return { order };
}

/**
 * Chooses and initialises the engine.
 *
 * @example
 * ```ts
 * const report = await initBackend();               // fastest available
 * const cpu = await initBackend({ prefer: 'cpu' }); // exactly cpu
 * const wasm = await initBackend({ prefer: 'wasm', threads: 2 });
 * console.log(wasm.threads, wasm.simd, wasm.kernelsAdded);
 * ```
 */
export async function initBackend(options: BackendOptions = {}): Promise<BackendReport> {
  const { order } = validateOptions(options);
  const threads = options.threads ?? defaultThreads();
  const cacheDir = options.wasmCacheDir ?? defaultWasmCacheDir();
  // tfjs-core's Node bundle does not register gradients; tfjs-layers' bundle does.
  await import('@tensorflow/tfjs-layers');
  const attempts: EngineAttempt[] = [];
  for (const engine of order) {
    const notes: string[] = [];
    try {
      await startEngine(engine, threads, cacheDir, notes);
    } catch (e) {
      attempts.push({ engine, ok: false, reason: message(e) });
      continue;
    }
    attempts.push({ engine, ok: true });
    const tfBackend = tf.getBackend();
    const onWasm = engine === 'wasm' || engine === 'wasm+onednn';
    let kernelsAdded: readonly string[] = [];
    if (onWasm || engine === 'cpu') {
      const base = onWasm ? 'wasm' : 'cpu';
      // The oneDNN kernels wrap whatever they replace: take them out while the training kernels go in.
      if (onWasm) unregisterOnednnKernels();
      const register = options.trainingKernels ?? onWasm;
      kernelsAdded = register ? registerTrainingKernels(base) : trainingKernelsRegistered(base);
    }
    let engineThreads: number | null = null;
    let simd: boolean | null = null;
    let onednn: BackendReport['onednn'] = null;
    if (onWasm) {
      const wasm: WasmModule = await import('@tensorflow/tfjs-backend-wasm');
      engineThreads = wasm.getThreadsCount();
      simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    } else if (engine === 'cpu') {
      engineThreads = 1;
    }
    if (engine === 'wasm+onednn') {
      const loaded = loadOnednnAddon();
      if (!loaded.ok) throw new BackendError(`initBackend: oneDNN addon unavailable: ${loaded.reason}`);
      // One pool at a time computes (a kernel runs on oneDNN or on XNNPACK, never both): by default
      // oneDNN gets the thread count asked for; CONTRASTIVE_ONEDNN_THREADS overrides it.
      loaded.addon.setThreads(onednnThreads(threads));
      const oneDnnKernels = registerOnednnKernels(loaded.addon);
      kernelsAdded = [...new Set([...kernelsAdded, ...oneDnnKernels])];
      const info = loaded.addon.info();
      onednn = { version: info.version, isa: info.isa, threads: info.threads, addonPath: loaded.path };
      if (loaded.built) notes.push(`built the oneDNN addon (${loaded.path})`);
    }
    const skipped = attempts.find((a) => a.engine === 'wasm+onednn' && !a.ok);
    if (engine === 'wasm' && skipped !== undefined) {
      notes.push(`plain wasm: the oneDNN fast path is off (${skipped.reason ?? 'unavailable'}); to get it, ${ONEDNN_HOW_TO}`);
    }
    return { engine, tfBackend, attempts, threads: engineThreads, simd, kernelsAdded, onednn, tfjsVersion: tf.version_core, notes };
  }
  throw new BackendError(
    `initBackend: no engine could be started; tried ${attempts.map((a) => `${a.engine} (${a.reason ?? 'failed'})`).join(', ')}`,
    { argument: 'options.prefer', received: options.prefer ?? ENGINES },
  );
}
