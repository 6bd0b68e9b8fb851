/**
 * Stopping long work on request, injected by the caller: the command line turns Ctrl-C into a
 * request, a web page a button, a sweep runner a time limit. The experiment layer checks the
 * request at safe points (after a training step, between embedding chunks and probe epochs)
 * and never installs signal handlers itself.
 */

/** A request to stop, shared by the parts of an experiment. */
export interface StopRequest {
  /** True once a stop was asked for. */
  readonly requested: boolean;
  /** What asked to stop (e.g. `'SIGINT'`), for messages; undefined for a plain request. */
  readonly signal: string | undefined;
  /** Aborted on the first request (for APIs that take an AbortSignal). */
  readonly abortSignal: AbortSignal;
}

/** A {@link StopRequest} the caller triggers by calling `request`. */
export interface StopController extends StopRequest {
  /** Asks to stop; `reason` is reported as the request's `signal`. */
  request(reason?: string): void;
}

/** Thrown when work stops between phases on request (the command line exits with 130). */
export class InterruptedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InterruptedError';
  }
}

/**
 * A stop request driven by code (a button, a time limit, a test).
 *
 * @example
 * ```ts
 * const stop = createStopController();
 * setTimeout(() => stop.request('time limit'), 60_000);
 * await runTraining({ ...options, stop });
 * ```
 */
export function createStopController(): StopController {
  const controller = new AbortController();
  let reason: string | undefined;
  let requested = false;
  return {
    get requested() {
      return requested;
    },
    get signal() {
      return reason;
    },
    abortSignal: controller.signal,
    request(why?: string) {
      if (requested) return;
      requested = true;
      reason = why;
      controller.abort(new InterruptedError(`stopped by ${why ?? 'request'}`));
    },
  };
}

/** A request that is never made: the default of every experiment function. */
export const NEVER_STOP: StopRequest = createStopController();

/**
 * Lets pending events (a signal handler, a button) run, then throws {@link InterruptedError}
 * when a stop was requested; `what` names the phase in the message.
 */
export async function stopPoint(stop: StopRequest | undefined, what: string): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  if (stop?.requested === true) throw new InterruptedError(`stopped by ${stop.signal ?? 'request'} during ${what}`);
}
