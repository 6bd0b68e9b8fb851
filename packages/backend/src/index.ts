/**
 * @packageDocumentation
 * Picks the compute engine, supplies the training kernels the wasm engine lacks, and guards the
 * 4 GiB wasm heap with a clear error instead of a hang. Platform-neutral: in a page or web worker
 * {@link initWebBackend} starts webgpu > webgl > wasm > cpu and registers the gradients; in Node.js
 * {@link initBackend} loads `@contrastive/backend/node` (tfjs-node-gpu > tfjs-node > wasm+onednn >
 * wasm > cpu, wasm threads, the oneDNN addon) on first call.
 */
export { ENGINES, type EngineName, type BackendOptions, type BackendReport, type EngineAttempt } from './engines.js';
export { initBackend } from './init-backend.js';
export {
  initWebBackend,
  registerAllGradients,
  WEB_ENGINES,
  type WebEngineName,
  type WebBackendOptions,
  type WebBackendReport,
} from './web-backend.js';
export {
  registerTrainingKernels,
  unregisterTrainingKernels,
  trainingKernelsRegistered,
  TRAINING_KERNELS,
  TRAINING_KERNEL_BACKENDS,
  type TrainingKernelBackend,
} from './register-kernels.js';
export {
  WASM_HEAP_MAX_BYTES,
  wasmHeapBytes,
  wasmHeapStats,
  setWasmHeapLimit,
  assertWasmMemoryFits,
  measurePeakBytes,
  estimateStepBytes,
  type WasmHeapStats,
  type MemoryFitReport,
  type StepMemorySample,
} from './memory-guard.js';
export { PINNED_TFJS_VERSION } from './tfjs-version.js';
