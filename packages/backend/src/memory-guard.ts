/**
 * The wasm heap guard.
 *
 * tfjs-backend-wasm 4.22 keeps every tensor in one WebAssembly heap that grows up to 4 GiB (the
 * wasm32 address space) and never shrinks. When an allocation does not fit, emscripten's `malloc`
 * returns 0 and tfjs writes the tensor at address 0 anyway: the heap is silently corrupted, and the
 * threaded build then typically spins at 100% CPU forever (measured on the prototype: a small ResNet
 * step at batch 256). This module turns that into a clear {@link MemoryLimitError}:
 *
 * - a *malloc guard* installed on the engine by {@link initBackend}: every tensor allocation made
 *   from JavaScript (all tfjs tensors, including kernel intermediates) is checked; a failed or
 *   over-limit allocation throws instead of corrupting the heap. It also counts live and peak bytes.
 * - {@link assertWasmMemoryFits}: a check *before* a step, from an estimate, so a too-large batch
 *   fails fast with the numbers in the message.
 * - {@link measurePeakBytes} and {@link estimateStepBytes}: measure a step at two small batch sizes
 *   and extrapolate linearly to the batch you want (activation memory grows linearly in the batch).
 *
 * Not covered: allocations made inside the C++ kernels (XNNPACK scratch buffers, packed weights),
 * which JavaScript never sees. Keep a margin below the limit (see {@link setWasmHeapLimit}).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  BackendError,
  MemoryLimitError,
  assertFiniteNumber,
  assertInteger,
  assertNonNegative,
  describeValue,
} from '@contrastive/core';

/** The largest wasm heap tfjs-backend-wasm 4.22 can have: 4 GiB (65536 pages of 64 KiB). */
export const WASM_HEAP_MAX_BYTES = 4 * 1024 ** 3;

const MIB = 1024 ** 2;
const mib = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MiB`;

/** The parts of tfjs-wasm's emscripten module that the guard uses. @internal */
export interface EmscriptenModule {
  _malloc: (bytes: number) => number;
  _free: (pointer: number) => void;
  asm?: { malloc?: (bytes: number) => number; free?: (pointer: number) => void; memory?: WebAssembly.Memory };
  wasmMemory?: WebAssembly.Memory;
  HEAPU8?: Uint8Array;
}

interface GuardState {
  limitBytes: number;
  liveBytes: number;
  peakBytes: number;
  readonly sizes: Map<number, number>;
}

const guards = new WeakMap<EmscriptenModule, GuardState>();
let defaultLimitBytes = WASM_HEAP_MAX_BYTES;

function wasmModuleOrNull(): EmscriptenModule | null {
  const backend = tf.findBackend('wasm') as unknown as { wasm?: EmscriptenModule } | null;
  return backend?.wasm ?? null;
}

function wasmModule(where: string): EmscriptenModule {
  const module = wasmModuleOrNull();
  if (module === null) {
    throw new BackendError(`${where}: the wasm engine is not initialised; call initBackend({ prefer: 'wasm' }) first`);
  }
  return module;
}

function heapBytesOf(module: EmscriptenModule): number {
  // The threaded build keeps its shared memory in `wasmMemory` (HEAPU8 may be a stale view after
  // growth); the single-threaded build exports it as `asm.memory`.
  const memory = module.wasmMemory ?? module.asm?.memory;
  if (memory !== undefined) return memory.buffer.byteLength;
  if (module.HEAPU8 !== undefined) return module.HEAPU8.buffer.byteLength;
  throw new BackendError('wasmHeapBytes: cannot find the wasm engine memory (unexpected tfjs-backend-wasm build)');
}

/**
 * Current size of the wasm heap in bytes (it only ever grows). Throws {@link BackendError} when the
 * wasm engine has not been initialised.
 *
 * @example
 * ```ts
 * await initBackend({ prefer: 'wasm' });
 * console.log(`${wasmHeapBytes() / 2 ** 20} MiB`);
 * ```
 */
export function wasmHeapBytes(): number {
  return heapBytesOf(wasmModule('wasmHeapBytes'));
}

/**
 * Wraps the engine's `_malloc`/`_free` (idempotent). Called by {@link initBackend}; exported for
 * code that starts the wasm engine itself. Returns false when the build does not expose `asm.malloc`.
 * @internal
 */
export function installWasmHeapGuard(): boolean {
  return guardModule(wasmModule('installWasmHeapGuard'));
}

/**
 * Installs the guard on a given emscripten module (the engine's, or a stand-in in tests).
 * @internal
 */
export function guardModule(module: EmscriptenModule): boolean {
  if (guards.has(module)) return true;
  const rawMalloc = module.asm?.malloc;
  const rawFree = module.asm?.free;
  if (typeof rawMalloc !== 'function' || typeof rawFree !== 'function') return false;
  const state: GuardState = { limitBytes: defaultLimitBytes, liveBytes: 0, peakBytes: 0, sizes: new Map() };
  module._malloc = (bytes: number): number => {
    const pointer = rawMalloc(bytes);
    const address = pointer >>> 0; // malloc returns a signed i32; addresses above 2 GiB are negative
    if (bytes > 0 && address === 0) {
      const required = heapBytesOf(module) + bytes;
      throw new MemoryLimitError(
        `wasm heap exhausted: could not allocate ${mib(bytes)} (heap is ${mib(heapBytesOf(module))}, ` +
          `the wasm engine cannot grow past ${mib(WASM_HEAP_MAX_BYTES)}); use a smaller batch, ` +
          `gradient caching, or the tfjs-node engine`,
        required,
        Math.min(state.limitBytes, WASM_HEAP_MAX_BYTES),
      );
    }
    if (address + bytes > state.limitBytes) {
      rawFree(pointer);
      throw new MemoryLimitError(
        `wasm heap limit reached: an allocation of ${mib(bytes)} would end at ${mib(address + bytes)}, ` +
          `above the limit of ${mib(state.limitBytes)} set by setWasmHeapLimit`,
        address + bytes,
        state.limitBytes,
      );
    }
    state.sizes.set(address, bytes);
    state.liveBytes += bytes;
    if (state.liveBytes > state.peakBytes) state.peakBytes = state.liveBytes;
    return pointer;
  };
  module._free = (pointer: number): void => {
    const address = pointer >>> 0;
    const size = state.sizes.get(address);
    if (size !== undefined) {
      state.sizes.delete(address);
      state.liveBytes -= size;
    }
    rawFree(pointer);
  };
  guards.set(module, state);
  return true;
}

function guardState(where: string): GuardState {
  const module = wasmModule(where);
  const state = guards.get(module);
  if (state === undefined) {
    throw new BackendError(`${where}: the wasm heap guard is not installed; start the engine with initBackend()`);
  }
  return state;
}

/** A snapshot of the wasm heap, from {@link wasmHeapStats}. */
export interface WasmHeapStats {
  /** Current heap size (bytes); it never shrinks. */
  readonly heapBytes: number;
  /** Bytes of tensor memory allocated from JavaScript and not yet freed. */
  readonly liveBytes: number;
  /** Largest `liveBytes` since the guard was installed or {@link measurePeakBytes} last started. */
  readonly peakBytes: number;
  /** The limit the guard enforces (see {@link setWasmHeapLimit}). */
  readonly limitBytes: number;
}

/** Heap size, live and peak tensor bytes, and the enforced limit of the wasm engine. */
export function wasmHeapStats(): WasmHeapStats {
  const module = wasmModule('wasmHeapStats');
  const state = guardState('wasmHeapStats');
  return { heapBytes: heapBytesOf(module), liveBytes: state.liveBytes, peakBytes: state.peakBytes, limitBytes: state.limitBytes };
}

/**
 * Sets the address below which every JavaScript-side wasm allocation must end (default and maximum
 * {@link WASM_HEAP_MAX_BYTES}). A lower limit leaves room for the C++ kernels' own scratch memory,
 * which the guard cannot see, and lets tests exercise the error path without a 4 GiB heap.
 * Applies to the running wasm engine and to engines started later.
 *
 * @param limitBytes - an integer in [16 MiB, 4 GiB].
 * @example
 * ```ts
 * setWasmHeapLimit(3.5 * 2 ** 30); // keep 512 MiB for XNNPACK scratch buffers
 * ```
 */
export function setWasmHeapLimit(limitBytes: number): void {
  assertInteger('setWasmHeapLimit', 'limitBytes', limitBytes, 16 * MIB);
  if (limitBytes > WASM_HEAP_MAX_BYTES) {
    throw new ArgumentError(
      `setWasmHeapLimit: argument 'limitBytes' must be at most ${WASM_HEAP_MAX_BYTES} (4 GiB), received ${limitBytes}`,
      { argument: 'limitBytes', expected: `an integer in [${16 * MIB}, ${WASM_HEAP_MAX_BYTES}]`, received: limitBytes },
    );
  }
  defaultLimitBytes = limitBytes;
  const module = wasmModuleOrNull();
  const state = module === null ? undefined : guards.get(module);
  if (state !== undefined) state.limitBytes = limitBytes;
}

/** What {@link assertWasmMemoryFits} found. */
export interface MemoryFitReport {
  /** Live tensor bytes plus the estimate. */
  readonly requiredBytes: number;
  /** The enforced limit (Infinity when the active engine is not wasm). */
  readonly limitBytes: number;
}

/**
 * Throws {@link MemoryLimitError} when `estimatedBytes` more bytes (on top of the tensors alive now)
 * would not fit under the wasm heap limit. Does nothing (limit `Infinity`) when the active engine
 * is not wasm, whose 4 GiB cap is the reason for this check.
 *
 * @param estimatedBytes - extra bytes the next computation needs at its peak, e.g. from
 *   {@link estimateStepBytes}.
 * @param what - what is being checked, for the message, e.g. `'SimCLR step at batch 256'`.
 * @example
 * ```ts
 * const need = estimateStepBytes([await measurePeakBytes(() => step(8)), await measurePeakBytes(() => step(16))], 256);
 * assertWasmMemoryFits(need, 'training step at batch 256'); // throws MemoryLimitError with both numbers
 * ```
 */
export function assertWasmMemoryFits(estimatedBytes: number, what: string): MemoryFitReport {
  assertNonNegative('assertWasmMemoryFits', 'estimatedBytes', estimatedBytes);
  if (typeof what !== 'string' || what.trim() === '') {
    throw new ArgumentError(`assertWasmMemoryFits: argument 'what' must be a non-empty string, received ${describeValue(what)}`, {
      argument: 'what',
      expected: 'a non-empty string',
      received: what,
    });
  }
  if (tf.getBackend() !== 'wasm') return { requiredBytes: estimatedBytes, limitBytes: Number.POSITIVE_INFINITY };
  const module = wasmModule('assertWasmMemoryFits');
  const state = guards.get(module);
  const liveBytes = state?.liveBytes ?? tf.memory().numBytes;
  const limitBytes = state?.limitBytes ?? defaultLimitBytes;
  const requiredBytes = liveBytes + estimatedBytes;
  if (requiredBytes > limitBytes) {
    throw new MemoryLimitError(
      `${what} needs about ${mib(requiredBytes)} of wasm heap (${mib(liveBytes)} in live tensors + ` +
        `${mib(estimatedBytes)} estimated), more than the limit of ${mib(limitBytes)}; ` +
        'use a smaller batch, gradient caching, or the tfjs-node engine',
      requiredBytes,
      limitBytes,
      { argument: 'estimatedBytes', received: estimatedBytes, expected: `at most ${limitBytes - liveBytes} bytes` },
    );
  }
  return { requiredBytes, limitBytes };
}

/** One measurement for {@link estimateStepBytes}. */
export interface StepMemorySample {
  /** Batch size the step ran with. */
  readonly batchSize: number;
  /** Peak extra bytes the step needed (from {@link measurePeakBytes}). */
  readonly peakBytes: number;
}

/**
 * Peak memory of `fn` above what was allocated when it started: on wasm, every tensor byte
 * allocated from JavaScript (kernel intermediates included), counted by the malloc guard; on other
 * engines, tfjs's own `tf.profile` peak. Tensors `fn` returns count as allocated.
 *
 * @example
 * ```ts
 * const { peakBytes } = await measurePeakBytes(() => tf.tidy(() => step(batchOf(8))));
 * ```
 */
export async function measurePeakBytes<T>(fn: () => T | Promise<T>): Promise<{ readonly value: T; readonly peakBytes: number }> {
  if (typeof fn !== 'function') {
    throw new ArgumentError(`measurePeakBytes: argument 'fn' must be a function, received ${describeValue(fn)}`, {
      argument: 'fn',
      expected: 'a function',
      received: fn,
    });
  }
  if (tf.getBackend() === 'wasm') {
    const state = guardState('measurePeakBytes');
    const before = state.liveBytes;
    const outerPeak = state.peakBytes;
    state.peakBytes = before;
    try {
      const value = await fn();
      return { value, peakBytes: state.peakBytes - before };
    } finally {
      state.peakBytes = Math.max(outerPeak, state.peakBytes);
    }
  }
  let value: T | undefined;
  const info = await tf.profile(async () => {
    value = await fn();
    return [];
  });
  return { value: value as T, peakBytes: info.peakBytes };
}

/**
 * Extrapolates a step's peak memory to `batchSize` from measurements at other batch sizes, by a
 * least-squares line `fixed + perExample × batch` (activations and their gradients grow linearly
 * in the batch; parameters and optimiser state do not). The slope is clamped at 0 and the result at 0.
 *
 * @param samples - at least two measurements with different batch sizes.
 * @param batchSize - the batch size to estimate for (an integer >= 1).
 * @example
 * ```ts
 * estimateStepBytes([{ batchSize: 8, peakBytes: 90e6 }, { batchSize: 16, peakBytes: 170e6 }], 256); // 2_570_000_000
 * ```
 */
export function estimateStepBytes(samples: readonly StepMemorySample[], batchSize: number): number {
  assertInteger('estimateStepBytes', 'batchSize', batchSize, 1);
  if (!Array.isArray(samples) || samples.length < 2) {
    throw new ArgumentError(
      `estimateStepBytes: argument 'samples' must be an array of at least 2 measurements, received ${describeValue(samples)}`,
      { argument: 'samples', expected: 'at least 2 {batchSize, peakBytes} measurements', received: samples },
    );
  }
  samples.forEach((s, i) => {
    if (typeof s !== 'object' || s === null) {
      throw new ArgumentError(`estimateStepBytes: argument 'samples[${i}]' must be a {batchSize, peakBytes} object, received ${describeValue(s)}`, {
        argument: `samples[${i}]`,
        expected: 'a {batchSize, peakBytes} object',
        received: s,
      });
    }
    assertInteger('estimateStepBytes', `samples[${i}].batchSize`, s.batchSize, 1);
    assertNonNegative('estimateStepBytes', `samples[${i}].peakBytes`, s.peakBytes);
  });
  const n = samples.length;
  const meanB = samples.reduce((a, s) => a + s.batchSize, 0) / n;
  const meanP = samples.reduce((a, s) => a + s.peakBytes, 0) / n;
  const sbb = samples.reduce((a, s) => a + (s.batchSize - meanB) ** 2, 0);
  if (sbb === 0) {
    throw new ArgumentError(`estimateStepBytes: argument 'samples' must hold at least two different batch sizes, received ${describeValue(samples)}`, {
      argument: 'samples',
      expected: 'measurements at two or more batch sizes',
      received: samples,
    });
  }
  // Memory does not shrink as the batch grows: a negative slope is measurement noise.
  const slope = Math.max(0, samples.reduce((a, s) => a + (s.batchSize - meanB) * (s.peakBytes - meanP), 0) / sbb);
  const estimate = meanP + slope * (batchSize - meanB);
  assertFiniteNumber('estimateStepBytes', 'samples (fitted estimate)', estimate);
  return Math.ceil(Math.max(0, estimate));
}
