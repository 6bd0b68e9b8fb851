/**
 * @packageDocumentation
 * `@contrastive/backend/node`: the Node.js-only half of the backend. {@link initBackend} picks the
 * engine in the order tfjs-node-gpu > tfjs-node > wasm+onednn > wasm > cpu, runs the wasm engine
 * with one thread per core (patching Node's worker threads for tfjs-backend-wasm), builds and loads
 * the oneDNN addon (`native/onednn.cc`) and registers its kernels.
 */
export { initBackend, ENGINES, type EngineName, type BackendOptions, type BackendReport, type EngineAttempt } from './init-backend.js';
export {
  loadOnednnAddon,
  defaultOnednnCacheDir,
  ONEDNN_HOW_TO,
  type OnednnAddon,
  type OnednnInfo,
  type OnednnLoadResult,
  type OnednnLoadOptions,
} from './onednn-addon.js';
export { onednnKernelStats, ONEDNN_KERNELS } from '../onednn/kernels.js';
export { BATCH_NORM_KERNELS } from '../onednn/batch-norm-kernels.js';
export { registerOnednnKernels, unregisterOnednnKernels, onednnKernelsRegistered } from '../onednn/register.js';
