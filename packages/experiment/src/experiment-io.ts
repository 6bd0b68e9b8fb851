/**
 * What an experiment function is told about its surroundings, all optional and injected: where
 * its progress lines go, how its phases show progress, whether the trainer draws a bar, and the
 * stop request. Defaults: silent, no bars, never stop.
 */
import type { ProgressBarOptions } from '@contrastive/train';
import type { Progress } from './progress.js';
import type { StopRequest } from './stop.js';

/** The injected surroundings of an experiment function. */
export interface ExperimentIO {
  /** Progress and diagnostic lines (the command line: stderr). */
  readonly log?: (line: string) => void;
  /** Progress of long phases: embedding, the linear probe, the map. */
  readonly progress?: Progress;
  /** The trainer's own progress bar (a stream and when to show it); none by default. */
  readonly trainerProgress?: ProgressBarOptions;
  /** Stops training after the current step (with a checkpoint) and other work between phases. */
  readonly stop?: StopRequest;
  /** Show CIFAR-10's download progress bar. */
  readonly downloadProgressBar?: boolean;
}

/** The log function of `io` (a no-op when none was given). */
export function logOf(io: ExperimentIO): (line: string) => void {
  return io.log ?? ((): void => {});
}
