/**
 * The sweep's results as text: `results.csv` (one row per cell) and `results.md` (one row per
 * configuration group, mean ± standard deviation over seeds, and n).
 */
import { lowerIsBetter } from './metric-names.js';
import type { SeedStats, SweepSummary } from './summarize.js';

/** A CSV field, quoted when it holds a comma, quote or line break. */
function csvField(value: unknown): string {
  const s = value === undefined || value === null ? '' : typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * One row per cell: id, group, variant, seed, status, the varied keys, every metric, final loss,
 * steps, wall time, attempts and the error of a failed cell.
 */
export function resultsCsv(summary: SweepSummary): string {
  const header = ['cell', 'group', 'variant', 'seed', 'status', ...summary.keys, ...summary.metrics, 'finalLoss', 'steps', 'totalSteps', 'wallSeconds', 'attempts', 'error'];
  const rows = summary.cells.map((c) => [
    c.id,
    c.group,
    c.variant,
    c.seed,
    c.status,
    ...summary.keys.map((k) => c.values[k]),
    ...summary.metrics.map((m) => c.result?.metrics[m]),
    c.result?.finalLoss,
    c.result?.steps,
    c.result?.totalSteps,
    c.result?.wallSeconds,
    c.result?.attempts,
    c.error,
  ]);
  return `${[header, ...rows].map((r) => r.map(csvField).join(',')).join('\n')}\n`;
}

/** A metric for a table: accuracies in percent, the rest with 4 significant digits. */
export function formatMetric(metric: string, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return lowerIsBetter(metric) || !metric.endsWith('top1') ? value.toPrecision(4) : `${(value * 100).toFixed(2)}%`;
}

/** `mean ± std` (the std left out below two seeds). */
export function formatStats(metric: string, s: SeedStats | undefined): string {
  if (s === undefined || s.mean === null) return '–';
  if (s.std === null) return formatMetric(metric, s.mean);
  const pct = !lowerIsBetter(metric) && metric.endsWith('top1');
  return pct ? `${(s.mean * 100).toFixed(2)} ± ${(s.std * 100).toFixed(2)}%` : `${s.mean.toPrecision(4)} ± ${s.std.toPrecision(2)}`;
}

/** A markdown table cell: pipes and line breaks escaped. */
function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A value of a varied key as the table shows it. */
function showValue(v: unknown): string {
  if (typeof v === 'number') return String(v).length <= 8 ? String(v) : v.toPrecision(4);
  return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * The markdown table of a sweep: one row per configuration group with each metric's mean ±
 * std over seeds, the final loss, and n (finished seeds of all).
 *
 * @example
 * ```ts
 * console.log(resultsMarkdown(summarizeSweep(plan, results, failures)));
 * ```
 */
export function resultsMarkdown(summary: SweepSummary): string {
  const hasVariants = summary.groups.some((g) => g.variant !== 'base');
  const header = ['group', ...(hasVariants ? ['variant'] : []), ...summary.keys, ...summary.metrics, 'final loss', 'n'];
  const rows = summary.groups.map((g) => [
    g.group,
    ...(hasVariants ? [g.variant] : []),
    ...summary.keys.map((k) => showValue(g.values[k])),
    ...summary.metrics.map((m) => formatStats(m, g.metrics[m])),
    formatStats('loss', g.finalLoss),
    `${g.finished}/${g.cells.length}`,
  ]);
  const line = (cells: readonly string[]): string => `| ${cells.map(mdCell).join(' | ')} |`;
  const failed = summary.cells.filter((c) => c.status === 'failed');
  const notes = failed.length === 0 ? '' : `\n${failed.length} failed cell${failed.length === 1 ? '' : 's'}:\n${failed.map((c) => `- ${c.id}: ${(c.error ?? '').split('\n')[0]}`).join('\n')}\n`;
  return `## Sweep ${summary.name}\n\n${line(header)}\n${line(header.map(() => '---'))}\n${rows.map(line).join('\n')}\n${notes}`;
}
