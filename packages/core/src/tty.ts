/**
 * The one answer to "draw a progress bar on this stream?", shared by the trainer's bar, the
 * CLI's phase bars and the data downloader.
 */

/** Whether to draw: `true` always, `false` never, `'auto'` only on a terminal. */
export type ShowProgress = boolean | 'auto';

/** Anything that may be a terminal stream (`process.stderr`, a `tty.WriteStream`, a test double). */
export interface MaybeTerminal {
  readonly isTTY?: boolean;
}

/**
 * Resolves a `show` setting against a stream: `true` and `false` win, `'auto'` is true only
 * when the stream says it is a TTY (`stream.isTTY === true`; pipes, files and CI logs are not).
 *
 * @example
 * ```ts
 * if (shouldShowProgress('auto', process.stderr)) bar.start(total, 0);
 * ```
 */
export function shouldShowProgress(show: ShowProgress, stream: MaybeTerminal | null | undefined): boolean {
  return show === true || (show === 'auto' && stream?.isTTY === true);
}
