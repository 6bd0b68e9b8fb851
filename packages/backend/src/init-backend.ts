/**
 * The Node.js initialiser, reachable from the platform-neutral entry: `initBackend` loads
 * `@contrastive/backend/node` lazily (the specifier sits in a variable, so browser bundles do
 * not follow it) and runs the initialiser there. In a page or web worker use
 * {@link initWebBackend} instead.
 */
import { loadNodeOnly } from '@contrastive/core';
import type { BackendOptions, BackendReport } from './engines.js';

const BACKEND_NODE = '@contrastive/backend/node';
/** What this file needs of `@contrastive/backend/node` (a structural type: no import of it, so the neutral entry never reaches Node code). */
export interface BackendNode {
  initBackend(options: BackendOptions): Promise<BackendReport>;
}

/**
 * Chooses and initialises the Node.js engine (tfjs-node-gpu > tfjs-node > wasm+onednn > wasm >
 * cpu, or `options.prefer`); the same function as `@contrastive/backend/node`'s `initBackend`,
 * loaded on first call. Outside Node.js it throws an `ArgumentError` pointing to
 * {@link initWebBackend}.
 *
 * @example
 * ```ts
 * const report = await initBackend();               // fastest available
 * const cpu = await initBackend({ prefer: 'cpu' }); // exactly cpu
 * ```
 */
export async function initBackend(options: BackendOptions = {}): Promise<BackendReport> {
  const node = await loadNodeOnly<BackendNode>('initBackend', 'options', 'nothing: call initWebBackend() in a browser or web worker', () => import(/* @vite-ignore */ BACKEND_NODE) as Promise<BackendNode>);
  return node.initBackend(options);
}
