/**
 * @packageDocumentation
 * Picks the compute engine (tfjs-node-gpu > tfjs-node > wasm > cpu), runs the wasm engine with one
 * thread per core, supplies the training kernels the wasm engine lacks, and guards the 4 GiB wasm
 * heap with a clear error instead of a hang.
 */
export {
  initBackend,
  ENGINES,
  type EngineName,
  type BackendOptions,
  type BackendReport,
  type EngineAttempt,
} from './init-backend.js';
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
export {
  loadOnednnAddon,
  defaultOnednnCacheDir,
  ONEDNN_HOW_TO,
  type OnednnAddon,
  type OnednnInfo,
  type OnednnLoadResult,
  type OnednnLoadOptions,
} from './onednn/addon.js';
export { onednnKernelStats, ONEDNN_KERNELS } from './onednn/kernels.js';
export { BATCH_NORM_KERNELS } from './onednn/batch-norm-kernels.js';
export { registerOnednnKernels, unregisterOnednnKernels, onednnKernelsRegistered } from './onednn/register.js';
