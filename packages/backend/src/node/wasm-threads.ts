/**
 * Makes tfjs-backend-wasm 4.22's threaded-SIMD binary load under Node.js, with as many XNNPACK
 * threads as asked for.
 *
 * Upstream forces `WASM_HAS_MULTITHREAD_SUPPORT` to false on Node (tfjs issue #3830): the
 * emscripten pthread glue hands `Blob` URLs to `new Worker(...)` and to the worker's
 * `importScripts(...)`, and Node's `worker_threads` can load neither. While the engine starts, this
 * module
 *  1. captures the two Blob sources tfjs builds (the pthread worker script and the module factory)
 *     and writes them, once, to content-addressed files in a cache directory (atomically: write to a
 *     temporary name, then rename, so concurrent processes never read a half-written file);
 *  2. replaces `Worker` on the CommonJS `worker_threads` module object (the one tfjs `require`s) by
 *     a subclass that maps `blob:` URLs to the worker file and the factory Blob in the `load`
 *     message to the factory file;
 *  3. reports `2 × threads` logical cores from `os.cpus()`, because the C++ side caps the pool at
 *     half the reported cores (it assumes two hyper-threads per core), so that exactly `threads`
 *     threads are started.
 * `restore()` puts back every global it touched (`Blob`, `worker_threads.Worker`, `os.cpus`, and
 * the global `Worker` that the emscripten glue assigns from `worker_threads.Worker`). The pthread
 * pool is fully created while the engine starts, so nothing needs the patches afterwards.
 *
 * Internal: used by {@link initBackend}, which checks the tfjs version pin first.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendError } from '@contrastive/core';
import { PINNED_TFJS_VERSION } from '../tfjs-version.js';

const nodeRequire = createRequire(import.meta.url);
// The CommonJS module objects: tfjs's Node bundle reads `require('worker_threads').Worker` and
// `require('os').cpus` at call time, so these are the objects to patch (ESM named imports of
// builtins are separate bindings and stay untouched).
const workerThreads = nodeRequire('node:worker_threads') as typeof import('node:worker_threads');
const osModule = nodeRequire('node:os') as typeof import('node:os');

/** Default folder for the generated worker and factory files. */
export function defaultWasmCacheDir(): string {
  return join(tmpdir(), `contrastive-wasm-${PINNED_TFJS_VERSION}`);
}

/**
 * Creates `dir` if needed and checks that files can be written and renamed in it.
 * Throws {@link BackendError} naming the folder otherwise.
 */
export function ensureWritableDir(dir: string): void {
  const probe = join(dir, `.probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, '');
    renameSync(probe, `${probe}.renamed`);
    unlinkSync(`${probe}.renamed`);
  } catch (e) {
    throw new BackendError(`wasm threads: cache folder ${JSON.stringify(dir)} is not writable (${(e as Error).message})`, {
      argument: 'options.wasmCacheDir',
      received: dir,
      expected: 'a writable folder',
      cause: e,
    });
  }
}

/** Writes `content` to `dir/<prefix>-<hash of key>.cjs` unless that file exists; returns the path. */
function writeContentAddressed(dir: string, prefix: string, key: string, content: (file: string) => string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  const file = join(dir, `${prefix}-${hash}.cjs`);
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(tmp, content(file));
    renameSync(tmp, file); // atomic on POSIX: readers see the old state or the whole file
  }
  return file;
}

// The module factory's source (captured through Function#toString) refers to Node builtins by the
// names rollup gave them in tfjs's bundle, and to `_scriptDir`/`commonjsGlobal` from its closure.
// In the worker they are free variables, so the generated file defines them first.
function factoryPrelude(file: string): string {
  return (
    "var require$$0 = require('fs'), require$$1 = require('path'), require$$3 = require('perf_hooks'), " +
    `require$$4 = require('os'), commonjsGlobal = globalThis, _scriptDir = ${JSON.stringify(file)};\n`
  );
}

const FACTORY_MARK = 'var WasmBackendModuleThreadedSimd';

/** What {@link patchNodeForWasmThreads} returns. */
export interface WasmThreadsPatch {
  /** Rejects when a pthread worker reports an error before {@link WasmThreadsPatch.restore}. */
  readonly workerFailure: Promise<never>;
  /** The generated files (known once the engine has started building them). */
  files(): { readonly worker: string | null; readonly factory: string | null };
  /** Puts back every patched global. Idempotent. */
  restore(): void;
}

/**
 * Patches Node's globals so that the next wasm engine start can use `threads` threads. Call
 * `restore()` as soon as the start has finished or failed.
 */
export function patchNodeForWasmThreads(threads: number, cacheDir: string): WasmThreadsPatch {
  ensureWritableDir(cacheDir);
  let workerFile: string | null = null;
  let factoryFile: string | null = null;
  let starting = true;
  let failWorker: (e: unknown) => void = () => undefined;
  const workerFailure = new Promise<never>((_, reject) => {
    failWorker = reject;
  });
  workerFailure.catch(() => undefined); // observed by the caller's race; never unhandled

  const OriginalBlob = globalThis.Blob;
  class CapturingBlob extends OriginalBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      const source = Array.isArray(parts) && typeof parts[0] === 'string' ? parts[0] : null;
      if (source === null) return;
      if (source.startsWith(FACTORY_MARK)) {
        factoryFile = writeContentAddressed(cacheDir, 'tfjs-wasm-factory', source, (file) => factoryPrelude(file) + source);
      } else if (source.includes('nodeWorkerThreads') && source.includes('importScripts')) {
        workerFile = writeContentAddressed(cacheDir, 'tfjs-wasm-worker', source, () => source);
      }
    }
  }

  const OriginalWorker = workerThreads.Worker;
  class FileWorker extends OriginalWorker {
    constructor(url: string | URL, options?: import('node:worker_threads').WorkerOptions) {
      const href = String(url);
      if (href.startsWith('blob:') && workerFile === null) {
        throw new BackendError('wasm threads: tfjs asked for a pthread worker before its script was captured');
      }
      super(href.startsWith('blob:') ? (workerFile as string) : url, options);
    }

    override postMessage(message: unknown, transfer?: readonly import('node:worker_threads').Transferable[]): void {
      // The 'load' message carries `mainScriptUrlOrBlob` (the factory Blob); hand over the file instead.
      const m = message as { cmd?: unknown; urlOrBlob?: unknown } | null;
      if (m !== null && typeof m === 'object' && m.cmd === 'load' && typeof m.urlOrBlob !== 'string') {
        if (factoryFile === null) throw new BackendError('wasm threads: the module factory source was not captured');
        message = { ...m, urlOrBlob: factoryFile };
      }
      super.postMessage(message, transfer);
    }

    // emscripten's 'error' listener rethrows inside the event emitter, which would crash the process.
    // While the engine starts, report the error to the caller instead (it then falls back).
    // (`any[]` matches the base class's catch-all overload.)
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    override on(event: string | symbol, listener: (...args: any[]) => void): this {
      if (event !== 'error') return super.on(event, listener);
      return super.on(event, (...args: unknown[]) => {
        if (starting) failWorker(args[0]);
        else listener(...args);
      });
    }
  }

  const originalCpus = osModule.cpus;
  const hadGlobalWorker = Object.prototype.hasOwnProperty.call(globalThis, 'Worker');
  const originalGlobalWorker = (globalThis as { Worker?: unknown }).Worker;

  globalThis.Blob = CapturingBlob as typeof Blob;
  workerThreads.Worker = FileWorker;
  // tfjs-wasm starts min(requested, cores / 2) threads (capped at 8 by its pthread pool).
  osModule.cpus = () => {
    const real = originalCpus.call(osModule);
    const one = real[0];
    return one === undefined ? real : Array.from({ length: 2 * threads }, () => one);
  };

  let restored = false;
  return {
    workerFailure,
    files: () => ({ worker: workerFile, factory: factoryFile }),
    restore(): void {
      if (restored) return;
      restored = true;
      starting = false;
      globalThis.Blob = OriginalBlob;
      workerThreads.Worker = OriginalWorker;
      osModule.cpus = originalCpus;
      const g = globalThis as { Worker?: unknown };
      if (g.Worker === FileWorker) {
        if (hadGlobalWorker) g.Worker = originalGlobalWorker;
        else delete g.Worker;
      }
    },
  };
}
