/**
 * The messages between the page and the training worker. Everything crosses `postMessage`
 * (structured clone); large byte arrays are transferred.
 */
import type { RunConfigInput } from '@contrastive/experiment';

/** An engine the page may ask for (`auto`: the best the browser has, webgpu > webgl > wasm > cpu). */
export type EnginePreference = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** Where the worker gets its images. */
export type DataSource =
  | { readonly kind: 'cifar10'; readonly trainUrl: string; readonly testUrl: string; readonly trainLimit: number; readonly testLimit: number }
  | { readonly kind: 'fashionMnist'; readonly trainImagesUrl: string; readonly trainLabelsUrl: string; readonly testImagesUrl: string; readonly testLabelsUrl: string; readonly trainLimit: number; readonly testLimit: number }
  | {
      readonly kind: 'files';
      /** The user's images (dropped or picked); decoded and resized to 32x32 in the worker. */
      readonly files: readonly File[];
      /** Each file's relative path (its parent folder is its class, when there are several). */
      readonly paths: readonly string[];
    };

/** Page -> worker. */
export type ToWorker =
  | { readonly type: 'init'; readonly engine: EnginePreference; readonly wasmPaths: string; readonly store: string }
  | { readonly type: 'load'; readonly data: DataSource }
  | { readonly type: 'preview'; readonly config: RunConfigInput; readonly seed: number }
  | { readonly type: 'train'; readonly config: RunConfigInput; readonly mapEvery: number }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'stop' }
  | { readonly type: 'map' }
  | { readonly type: 'export' }
  | { readonly type: 'embeddings' }
  | { readonly type: 'import'; readonly modelJson: string; readonly weights: readonly { readonly name: string; readonly bytes: ArrayBuffer }[] }
  | { readonly type: 'clearCheckpoint' };

/** One training step as the page plots it. */
export interface StepPoint {
  readonly step: number;
  readonly loss: number;
  readonly lr: number;
  readonly imagesPerSecond: number;
}

/** A kNN / collapse monitor reading. */
export interface MonitorPoint {
  readonly step: number;
  readonly accuracy: number;
  readonly embeddingStd: number;
  readonly effectiveRank: number;
  /** Dimension D of the embeddings (a healthy embedding std is about 1/√D). */
  readonly dim: number;
}

/** Worker -> page. */
export type FromWorker =
  | { readonly type: 'ready'; readonly engine: string; readonly attempts: readonly { readonly engine: string; readonly ok: boolean; readonly reason?: string }[] }
  | { readonly type: 'loaded'; readonly train: number; readonly test: number; readonly classNames: readonly string[]; readonly thumbs: Uint8Array; readonly thumbLabels: Uint8Array; readonly side: number; readonly channels: number }
  | { readonly type: 'checkpoint'; readonly step: number | null }
  | { readonly type: 'preview'; readonly width: number; readonly height: number; readonly rgba: Uint8Array }
  | { readonly type: 'started'; readonly step: number; readonly totalSteps: number; readonly resumedFrom: number | null }
  | { readonly type: 'step'; readonly point: StepPoint; readonly totalSteps: number }
  | { readonly type: 'monitor'; readonly point: MonitorPoint }
  | { readonly type: 'map'; readonly step: number; readonly points: Float32Array; readonly labels: Uint8Array; readonly method: string }
  | { readonly type: 'status'; readonly status: 'paused' | 'running' | 'stopped' | 'completed'; readonly step: number }
  | { readonly type: 'exported'; readonly modelJson: string; readonly weights: ArrayBuffer }
  | { readonly type: 'embeddings'; readonly npy: Uint8Array; readonly rows: number; readonly dim: number }
  | { readonly type: 'imported'; readonly name: string; readonly outputDim: number }
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'error'; readonly message: string };
