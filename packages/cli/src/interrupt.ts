/**
 * Ctrl-C handling for long commands: the first SIGINT (or SIGTERM) asks the work to stop at the
 * next safe point (after the current training step, which then writes a checkpoint); a second
 * one exits at once with status 130.
 */

import { InterruptedError, type StopRequest as ExperimentStopRequest } from '@contrastive/experiment';

export { InterruptedError };

/** A stop request shared by the parts of a command: the experiment layer's, made by a signal. */
export interface StopRequest extends ExperimentStopRequest {
  /** The signal that asked to stop, if any. */
  readonly signal: NodeJS.Signals | undefined;
  /** Asks to stop (as a signal would). */
  request(signal?: NodeJS.Signals): void;
  /** Removes the signal handlers. */
  release(): void;
}

/**
 * Installs SIGINT/SIGTERM handlers for the duration of a command.
 *
 * @example
 * ```ts
 * const stop = handleInterrupts((line) => process.stderr.write(line + '\n'));
 * try { await trainer.run(); } finally { stop.release(); }
 * ```
 */
export function handleInterrupts(log: (line: string) => void, exit: (code: number) => void = (code) => process.exit(code)): StopRequest {
  const controller = new AbortController();
  let signal: NodeJS.Signals | undefined;
  const onSignal = (s: NodeJS.Signals): void => {
    if (signal !== undefined) {
      log(`\n${s} again: exiting now without a checkpoint`);
      exit(130);
      return;
    }
    signal = s;
    log(`\n${s}: stopping after the current step (a checkpoint will be written); press Ctrl-C again to exit at once`);
    controller.abort(new InterruptedError(`stopped by ${s}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    get requested() {
      return signal !== undefined;
    },
    get signal() {
      return signal;
    },
    abortSignal: controller.signal,
    request(s: NodeJS.Signals = 'SIGINT') {
      onSignal(s);
    },
    release() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
