/**
 * The live table of `contrastive sweep`: a count line, then one row per cell (status, step/total,
 * loss, the first measured metric when done). On a terminal it is redrawn in place (at most five
 * times a second; when the cells outnumber the terminal's rows, running and failed cells are
 * shown first); elsewhere every event is one line, so logs stay readable.
 */
import { shouldShowProgress } from '@contrastive/core/node';
import type { CellEvent, SweepPlan } from '@contrastive/sweep';
import { formatMetric, metricNames } from '@contrastive/sweep';
import { describeEvent } from '@contrastive/sweep/node';
import type { ProgressSink } from './progress.js';

/** One cell's row. */
interface Row {
  status: CellEvent['kind'];
  step?: number;
  total?: number;
  loss?: number;
  metric?: number | null;
  worker?: string;
}

/** The table: feed it events, and close it when the sweep ends. */
export interface SweepTable {
  readonly onEvent: (e: CellEvent) => void;
  /** Draws the final state (terminal) and stops redrawing. */
  readonly close: () => void;
}

const REDRAW_MS = 200;

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/**
 * A live table of `plan`'s cells on `sink`.
 *
 * @example
 * ```ts
 * const table = createSweepTable(plan, { stream: process.stderr, show: 'auto' });
 * await runSweep({ sweepDir, plan, executor, onEvent: table.onEvent });
 * table.close();
 * ```
 */
export function createSweepTable(plan: SweepPlan, sink: ProgressSink): SweepTable {
  const tty = shouldShowProgress(sink.show, sink.stream);
  const metric = metricNames(plan.measure, plan.evaluations)[0] ?? 'knn.top1';
  const rows = new Map<string, Row>(plan.cells.map((c) => [c.id, { status: 'queued' as const }]));
  const idWidth = Math.min(60, Math.max(4, ...plan.cells.map((c) => c.id.length)));
  let drawn = 0;
  let timer: NodeJS.Timeout | null = null;
  let last = 0;

  /** The row of one cell. */
  const line = (id: string): string => {
    const r = rows.get(id)!;
    const step = r.step === undefined ? '' : `${r.step}/${r.total ?? '?'}`;
    const loss = r.loss === undefined || !Number.isFinite(r.loss) ? '' : r.loss.toFixed(4);
    const m = r.metric === undefined ? '' : formatMetric(metric, r.metric);
    const status = r.status === 'progress' ? 'running' : r.status;
    return `${pad(id.length > idWidth ? `${id.slice(0, idWidth - 1)}…` : id, idWidth)}  ${pad(status, 9)}  ${pad(step, 11)}  ${pad(loss, 8)}  ${m}`;
  };
  /** The table: a count line, a header, and as many cells as the terminal holds (running and failed first). */
  const lines = (height: number): string[] => {
    const ids = plan.cells.map((c) => c.id);
    const count = (...kinds: CellEvent['kind'][]): number => ids.filter((id) => kinds.includes(rows.get(id)!.status)).length;
    const summary = `${count('finished', 'skipped')}/${ids.length} done, ${count('started', 'progress')} running, ${count('failed')} failed, ${count('queued')} queued`;
    const header = `${pad('cell', idWidth)}  ${pad('status', 9)}  ${pad('step', 11)}  ${pad('loss', 8)}  ${metric}`;
    const room = Math.max(3, height - 3);
    if (ids.length <= room) return [summary, header, ...ids.map(line)];
    const rank = (id: string): number => ({ started: 0, progress: 0, failed: 1, finished: 2, skipped: 3, queued: 4 })[rows.get(id)!.status];
    const shown = new Set([...ids].sort((x, y) => rank(x) - rank(y)).slice(0, room - 1));
    return [summary, header, ...ids.filter((id) => shown.has(id)).map(line), `… ${ids.length - shown.size} more cells`];
  };
  const draw = (): void => {
    timer = null;
    last = performance.now();
    const { columns = 120, rows: height = 40 } = sink.stream as { columns?: number; rows?: number };
    const text = lines(height).map((l) => (l.length > columns - 1 ? l.slice(0, columns - 1) : l));
    sink.stream.write(`${drawn > 0 ? `\x1b[${drawn}F\x1b[J` : ''}${text.join('\n')}\n`);
    drawn = text.length;
  };
  const schedule = (): void => {
    if (timer !== null) return;
    const wait = Math.max(0, REDRAW_MS - (performance.now() - last));
    timer = setTimeout(draw, wait);
  };

  return {
    onEvent(e) {
      const r = rows.get(e.cellId);
      if (r === undefined) return;
      if (e.kind !== 'progress' || r.status !== 'finished') r.status = e.kind;
      if (e.worker !== undefined) r.worker = e.worker;
      if (e.step !== undefined) r.step = e.step;
      if (e.totalSteps !== undefined) r.total = e.totalSteps;
      if (e.loss !== undefined) r.loss = e.loss;
      if (e.result !== undefined) {
        r.metric = e.result.metrics[metric] ?? null;
        r.step = e.result.steps;
        r.total = e.result.totalSteps;
        if (e.result.finalLoss !== null) r.loss = e.result.finalLoss;
      }
      if (tty) schedule();
      else if (e.kind !== 'queued') {
        const done = e.kind === 'finished' || e.kind === 'skipped' ? ` ${metric} ${formatMetric(metric, r.metric)}` : '';
        sink.stream.write(`${describeEvent(e)}${done}\n`);
      }
    },
    close() {
      if (timer !== null) clearTimeout(timer);
      if (tty) draw();
    },
  };
}
