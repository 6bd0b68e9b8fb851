/**
 * Progress bars for the command line's long phases (embedding a data set, the linear probe,
 * the 2-D map): a cli-progress bar on stderr when it is a terminal, a start and an end line
 * otherwise (so logs and CI output stay readable).
 */
import cliProgress from 'cli-progress';
import { shouldShowProgress, type MaybeTerminal, type ShowProgress } from '@contrastive/core/node';
import type { PhaseProgress } from '@contrastive/experiment';

/** Where progress goes. */
export interface ProgressSink {
  readonly stream: NodeJS.WritableStream & MaybeTerminal;
  /** Show bars: true, false, or 'auto' (when the stream is a terminal). */
  readonly show: ShowProgress;
}

/**
 * Starts a progress bar of `total` units labelled `label`.
 *
 * @example
 * ```ts
 * const bar = startProgress({ stream: process.stderr, show: 'auto' }, 'embed test', 10000, 'img');
 * bar.update(256); ... bar.done('10000 images in 41 s');
 * ```
 */
export function startProgress(sink: ProgressSink, label: string, total: number, unit: string): PhaseProgress {
  const tty = shouldShowProgress(sink.show, sink.stream);
  const start = performance.now();
  const rate = (done: number): string => {
    const s = (performance.now() - start) / 1000;
    return s > 0 ? `${(done / s).toFixed(done / s >= 100 ? 0 : 1)} ${unit}/s` : '';
  };
  if (!tty) {
    return {
      update() {},
      done(summary) {
        if (summary !== undefined) sink.stream.write(`${label}: ${summary}\n`);
      },
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: sink.stream,
      format: `${label.padEnd(22)} [{bar}] {value}/{total} ${unit} | {rate} | eta {eta_formatted}{extra}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
      fps: 5,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { rate: '', extra: '' });
  let stopped = false;
  return {
    update(done, payload = {}) {
      if (stopped) return;
      const extra = Object.entries(payload)
        .map(([k, v]) => ` | ${k} ${v}`)
        .join('');
      bar.update(done, { rate: rate(done), extra });
    },
    done(summary) {
      if (stopped) return;
      stopped = true;
      bar.stop();
      if (summary !== undefined) sink.stream.write(`${label}: ${summary}\n`);
    },
  };
}
