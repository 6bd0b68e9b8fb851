/**
 * @packageDocumentation
 * Picks the compute engine (tfjs-node-gpu > tfjs-node > wasm > cpu) and supplies the training
 * kernels the wasm engine lacks.
 */
export { initBackend, ENGINES, type EngineName, type BackendOptions, type BackendReport, type EngineAttempt } from './init-backend.js';
