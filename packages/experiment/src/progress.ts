/**
 * Progress of the experiment's long phases (embedding a dataset, the linear probe, the 2-D
 * map), injected by the caller: the command line draws terminal bars, a web page could move a
 * progress element, a sweep runner passes nothing. The experiment layer never writes to a
 * terminal itself.
 */

/** One phase's progress. */
export interface PhaseProgress {
  /** `done` units of the phase's total are finished; `payload` adds shown values (e.g. a loss). */
  update(done: number, payload?: Readonly<Record<string, string>>): void;
  /** Ends the phase; `summary` is a one-line result (e.g. `'10000 images in 41 s'`). */
  done(summary?: string): void;
}

/** Starts the progress of a phase of `total` units (`unit`: `'img'`, `'epochs'`, ...) named `label`. */
export type Progress = (label: string, total: number, unit: string) => PhaseProgress;

const SILENT_PHASE: PhaseProgress = { update() {}, done() {} };

/**
 * Progress that shows nothing: the default of every experiment function.
 *
 * @example
 * ```ts
 * const bar = silentProgress('embed test', 10000, 'img');
 * bar.update(256); bar.done();
 * ```
 */
export const silentProgress: Progress = () => SILENT_PHASE;
