/**
 * The Node.js engines and what {@link initBackend} reports. Data and types only: the initialiser
 * itself lives in `@contrastive/backend/node` (it loads tfjs-node, patches wasm threads and loads
 * the oneDNN addon), and the neutral `initBackend` reaches it through a lazy import.
 */
/** The engines, fastest first. */
export const ENGINES = ['tensorflow-gpu', 'tensorflow', 'wasm+onednn', 'wasm', 'cpu'] as const;
/**
 * An engine name: `tensorflow-gpu` (tfjs-node-gpu), `tensorflow` (tfjs-node), `wasm+onednn` (the
 * wasm engine with its convolutions and matrix products run by oneDNN through a native addon, see
 * `loadOnednnAddon` (`@contrastive/backend/node`)), `wasm` (plain), `cpu`.
 */
export type EngineName = (typeof ENGINES)[number];

/** Options of {@link initBackend}. */
export interface BackendOptions {
  /** Engines to try, in order; default {@link ENGINES}. A single name means "this one or fail". */
  readonly prefer?: EngineName | readonly EngineName[];
  /**
   * Threads for the wasm engine (an integer >= 1). Default: the `CONTRASTIVE_WASM_THREADS`
   * environment variable if set, else `os.availableParallelism()`. 1 selects the single-threaded
   * SIMD build. tfjs-backend-wasm 4.22 runs at most 8. Only the first start of the wasm engine in
   * a process decides; later calls report the count in use.
   */
  readonly threads?: number;
  /**
   * Register this package's training kernels ({@link registerTrainingKernels}). Default: true for
   * wasm (without them convolutions cannot be trained there), false for cpu (whose stock kernels
   * are the reference the others are tested against; true replaces its slow convolution gradients).
   */
  readonly trainingKernels?: boolean;
  /** Folder for the files the wasm threads workaround generates; default `os.tmpdir()/contrastive-wasm-4.22.0`. */
  readonly wasmCacheDir?: string;
}

/** One engine that was tried. */
export interface EngineAttempt {
  readonly engine: EngineName;
  readonly ok: boolean;
  readonly reason?: string;
}

/** What {@link initBackend} chose. */
export interface BackendReport {
  readonly engine: EngineName;
  /** The tfjs backend name now active (`tensorflow`, `wasm` or `cpu`). */
  readonly tfBackend: string;
  readonly attempts: readonly EngineAttempt[];
  /** Compute threads: XNNPACK threads on wasm (and oneDNN's on wasm+onednn), 1 on cpu, null on tensorflow (its own pool). */
  readonly threads: number | null;
  /** Whether the wasm engine runs its SIMD build; null for other engines. */
  readonly simd: boolean | null;
  /** Kernels this package registered for the active backend (see {@link registerTrainingKernels}; on wasm+onednn also the oneDNN kernels). */
  readonly kernelsAdded: readonly string[];
  /** On wasm+onednn: oneDNN's version and the instruction set it runs; else null. */
  readonly onednn: { readonly version: string; readonly isa: string; readonly threads: number; readonly addonPath: string } | null;
  /** The loaded @tensorflow/tfjs-core version. */
  readonly tfjsVersion: string;
  /** Anything worth knowing, e.g. why the wasm engine runs fewer threads than asked for. */
  readonly notes: readonly string[];
}

