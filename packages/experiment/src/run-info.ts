/** The shape of a run directory's `run.json` (platform-neutral; read and written by `./node/run-dir.ts`). */

/** `run.json`. */
export interface RunInfo {
  readonly format: 'contrastive-run';
  readonly version: 1;
  /** 'running', 'stopped' (Ctrl-C or SIGTERM; resume with --resume), 'completed' or 'failed' (see `error`). */
  readonly status: 'running' | 'stopped' | 'completed' | 'failed';
  /** Why the run failed (status 'failed' only). */
  readonly error?: string;
  readonly steps: number;
  readonly totalSteps: number;
  /** Checkpoint paths of the encoder's variables are `<encoderPrefix>.<path>` (e.g. `encoder.conv1.kernel`). */
  readonly encoderPrefix: string;
  readonly encoderName: string;
  readonly engine: string;
  readonly data: { readonly dir: string; readonly source: string; readonly trainImages: number };
  /** The shape of one encoder input (`[H, W, C]` or `[features]`); absent in runs written before datasets other than CIFAR-10. */
  readonly inputShape?: readonly number[];
  readonly updated: string;
}
