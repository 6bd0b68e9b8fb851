/**
 * The tfjs version pin. The wasm threads workaround (wasm-threads.ts) and the memory guard
 * (memory-guard.ts) reach into tfjs-backend-wasm internals (the Blob sources it builds, the
 * emscripten module's `_malloc`), so they run only on the exact version they were written and tested
 * against; any other version falls back to the stock single-threaded engine with a reason.
 */

/** The tfjs version whose internals this package relies on. */
export const PINNED_TFJS_VERSION = '4.22.0';

/** The versions of the tfjs packages that are loaded. */
export interface TfjsVersions {
  /** `version_core` of @tensorflow/tfjs-core. */
  readonly core: string;
  /** `version_wasm` of @tensorflow/tfjs-backend-wasm. */
  readonly wasm: string;
}

/**
 * Why the workaround cannot run on these versions, or `null` when both match
 * {@link PINNED_TFJS_VERSION} exactly.
 */
export function tfjsVersionMismatch(versions: TfjsVersions): string | null {
  const wrong: string[] = [];
  if (versions.core !== PINNED_TFJS_VERSION) wrong.push(`@tensorflow/tfjs-core is ${versions.core}`);
  if (versions.wasm !== PINNED_TFJS_VERSION) wrong.push(`@tensorflow/tfjs-backend-wasm is ${versions.wasm}`);
  if (wrong.length === 0) return null;
  return `the wasm threads workaround is pinned to tfjs ${PINNED_TFJS_VERSION} but ${wrong.join(' and ')}`;
}
