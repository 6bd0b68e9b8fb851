/**
 * The shape of the oneDNN addon (see native/onednn.cc), shared by the kernels that call it and
 * the Node-only loader (`@contrastive/backend/node`'s `loadOnednnAddon`).
 */
/** What the addon exports (see native/onednn.cc). */
export interface OnednnAddon {
  /** Convolution: forward (mode 0), input gradient (1), filter gradient (2); see `CONV_PARAMS`. */
  conv(heap: Uint8Array, params: Float64Array): void;
  /** Batched matrix product with optional bias and activation; see `MATMUL_PARAMS`. */
  matmul(heap: Uint8Array, params: Float64Array): void;
  /** y = act(x * scale + bias) per channel (rows x channels). */
  channelAffine(heap: Uint8Array, params: Float64Array): void;
  /** Per-image channel means of an NHWC tensor. */
  channelMean(heap: Uint8Array, params: Float64Array): void;
  /** Training BatchNorm forward: y, mean, variance (see batch-norm-kernels.ts). */
  batchNormForward(heap: Uint8Array, params: Float64Array): void;
  /** Training BatchNorm backward: dx, dgamma, dbeta. */
  batchNormBackward(heap: Uint8Array, params: Float64Array): void;
  /** oneDNN's OpenMP threads for later primitives. */
  setThreads(n: number): void;
  /** Version, ISA, threads, cache sizes and the implementation chosen for each primitive. */
  info(): OnednnInfo;
  /** Drops every cached primitive and reordered filter. */
  clearCaches(): void;
  /** Byte bound of the reordered-filter cache (default 128 MiB; 0 disables it). */
  setFilterCacheBytes(bytes: number): void;
}

/** What {@link OnednnAddon.info} reports. */
export interface OnednnInfo {
  readonly version: string;
  readonly isa: string;
  readonly threads: number;
  readonly primitives: number;
  readonly primitivesCreated: number;
  readonly cachedFilters: number;
  readonly cachedFilterBytes: number;
  readonly filterReorders: number;
  readonly filterCacheCapacityBytes: number;
  /** Primitive cache key -> oneDNN implementation name (e.g. `jit:avx2`, `gemm:jit`). */
  readonly implementations: Readonly<Record<string, string>>;
}

