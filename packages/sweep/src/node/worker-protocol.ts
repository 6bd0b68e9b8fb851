/**
 * The messages between a local sweep executor and its worker processes (Node IPC).
 */
import type { CellProgress, CellResult } from '../cell-result.js';

/** Executor -> worker. */
export type ToWorker =
  | { readonly type: 'run'; readonly sweepDir: string; readonly cellId: string; readonly engine?: string; readonly dataDir?: string }
  /** Stop the running cell after its current step, with a checkpoint. */
  | { readonly type: 'stop' }
  /** Exit now (no cell is running). */
  | { readonly type: 'exit' };

/** Worker -> executor. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'progress'; readonly progress: CellProgress }
  | { readonly type: 'finished'; readonly cellId: string; readonly result: CellResult }
  | { readonly type: 'failed'; readonly cellId: string; readonly error: string; readonly interrupted: boolean };
