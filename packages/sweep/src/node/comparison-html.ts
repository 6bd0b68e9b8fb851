/**
 * `comparison.html`: a self-contained page (no scripts, no network) comparing a sweep's cells.
 * Per measured metric, grouped bars (one per configuration group; the mean over seeds, the
 * seed spread as an error bar and each seed as a point); the curves of every cell on shared
 * axes (loss vs step, and kNN monitor accuracy vs step when monitored); and a table of each
 * cell's configuration difference from the base. Charts are Vega-Lite specifications compiled
 * and rendered to static SVG in Node (`renderer: 'none'`, `toSVG`).
 */
import { escapeXml, type RunMetrics } from '@contrastive/experiment';
import type { TopLevelSpec } from 'vega-lite';
import { diffLeaves } from '../merge.js';
import { lowerIsBetter } from '../metric-names.js';
import type { SweepPlan } from '../plan.js';
import { formatMetric, formatStats } from '../results-table.js';
import type { SweepSummary } from '../summarize.js';

/** What {@link comparisonHtml} draws. */
export interface ComparisonInput {
  readonly summary: SweepSummary;
  readonly plan: SweepPlan;
  /** Each cell's metrics log, by cell id (cells without one are left out of the curves). */
  readonly curves: ReadonlyMap<string, RunMetrics>;
}

/** Renders a Vega-Lite specification to an SVG string (no DOM, no network). */
export async function vegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  // Imported here, not at the top: vega's canvas shim has a top-level await, which would make
  // `require('@contrastive/sweep/node')` (and the CLI's node entry) fail with ERR_REQUIRE_ASYNC_MODULE.
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const FONT = 'system-ui, sans-serif';
const CONFIG = { font: FONT, axis: { labelLimit: 600 }, legend: { labelLimit: 600 } } as const;

/** The grouped bar chart of one metric: mean per group, seed spread, seed points. */
function metricSpec(metric: string, summary: SweepSummary): TopLevelSpec | null {
  const values = summary.groups.flatMap((g) => summary.cells.filter((c) => c.group === g.group && c.result !== undefined).map((c) => ({ group: g.group, variant: g.variant, seed: c.seed, value: c.result?.metrics[metric] ?? null })))
    .filter((v) => v.value !== null && Number.isFinite(v.value));
  if (values.length === 0) return null;
  const order = summary.groups.map((g) => g.group);
  const x = { field: 'group', type: 'nominal', sort: order, title: 'configuration group', axis: { labelAngle: -35 } } as const;
  const y = { field: 'value', type: 'quantitative', title: `${metric}${lowerIsBetter(metric) ? ' (lower is better)' : ''}` } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: metric,
    width: Math.max(240, 48 * order.length),
    height: 220,
    config: CONFIG,
    data: { values },
    layer: [
      { mark: { type: 'bar', opacity: 0.75 }, encoding: { x, y: { ...y, aggregate: 'mean', stack: null }, color: { field: 'variant', type: 'nominal', title: 'variant' } } },
      { mark: { type: 'errorbar', extent: 'stdev', ticks: true, color: '#333' }, encoding: { x, y } },
      { mark: { type: 'point', filled: true, color: 'black', size: 28 }, encoding: { x, y, tooltip: [{ field: 'seed', type: 'quantitative' }, { field: 'value', type: 'quantitative' }] } },
    ],
  } as TopLevelSpec;
}

/** Curves of every cell on shared axes. */
function curveSpec(title: string, yTitle: string, values: readonly { cell: string; step: number; value: number }[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 560,
    height: 260,
    config: CONFIG,
    data: { values: [...values] },
    mark: { type: 'line', strokeWidth: 1.5, point: values.length < 200 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'value', type: 'quantitative', title: yTitle, scale: { zero: false } },
      color: { field: 'cell', type: 'nominal', title: 'cell' },
    },
  } as TopLevelSpec;
}

/** A value in the difference table. */
function show(v: unknown): string {
  return v === undefined ? '(unset)' : typeof v === 'string' ? v : JSON.stringify(v);
}

const STYLE = `body{font-family:${FONT};margin:24px;color:#222;max-width:1200px}h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}
.chart{margin:12px 0}.failed{color:#b00}.pending{color:#888}code{font-size:12px}`;

/**
 * The comparison page of a sweep. Every piece of text is escaped.
 *
 * @example
 * ```ts
 * await writeFile('comparison.html', await comparisonHtml({ summary, plan, curves }));
 * ```
 */
export async function comparisonHtml(input: ComparisonInput): Promise<string> {
  const { summary, curves } = input;
  const sections: string[] = [];
  const charts: string[] = [];
  for (const metric of summary.metrics) {
    const spec = metricSpec(metric, summary);
    if (spec !== null) charts.push(`<div class="chart" data-chart="metric">${await vegaLiteSvg(spec)}</div>`);
  }
  sections.push(`<h2>Measures (mean over seeds, ± one standard deviation, seeds as points)</h2>${charts.length > 0 ? charts.join('\n') : '<p>No finished cell yet.</p>'}`);
  const loss: { cell: string; step: number; value: number }[] = [];
  const knn: { cell: string; step: number; value: number }[] = [];
  for (const cell of summary.cells) {
    const m = curves.get(cell.id);
    if (m === undefined) continue;
    for (const s of m.steps) if (Number.isFinite(s.loss)) loss.push({ cell: cell.id, step: s.step, value: s.loss });
    for (const k of m.knn) if (Number.isFinite(k.accuracy)) knn.push({ cell: cell.id, step: k.step, value: k.accuracy });
  }
  const curveCharts: string[] = [];
  if (loss.length > 0) curveCharts.push(`<div class="chart" data-chart="loss">${await vegaLiteSvg(curveSpec('training loss', 'loss', loss))}</div>`);
  if (knn.length > 0) curveCharts.push(`<div class="chart" data-chart="knn">${await vegaLiteSvg(curveSpec('kNN monitor accuracy', 'kNN top-1 (monitor)', knn))}</div>`);
  sections.push(`<h2>Curves</h2>${curveCharts.length > 0 ? curveCharts.join('\n') : '<p>No metrics logged yet.</p>'}`);

  const groupRows = summary.groups.map(
    (g) => `<tr><td>${escapeXml(g.group)}</td>${summary.metrics.map((m) => `<td>${escapeXml(formatStats(m, g.metrics[m]))}</td>`).join('')}<td>${escapeXml(formatStats('loss', g.finalLoss))}</td><td>${g.finished}/${g.cells.length}</td></tr>`,
  );
  sections.push(
    `<h2>Configuration groups</h2><table><tr><th>group</th>${summary.metrics.map((m) => `<th>${escapeXml(m)}</th>`).join('')}<th>final loss</th><th>n</th></tr>${groupRows.join('')}</table>`,
  );
  const configs = new Map(input.plan.cells.map((c) => [c.id, c.config]));
  const cellRows = summary.cells.map((c) => {
    const config = configs.get(c.id);
    const diff = Object.entries(config === undefined ? c.overrides : diffLeaves(input.plan.base, config)).map(([k, v]) => `<code>${escapeXml(k)}</code> = ${escapeXml(show(v))}`).join('<br>');
    const metrics = summary.metrics.map((m) => `<td>${escapeXml(formatMetric(m, c.result?.metrics[m]))}</td>`).join('');
    const status = c.status === 'failed' ? `<span class="failed" title="${escapeXml(c.error ?? '')}">failed</span>` : `<span class="${c.status}">${c.status}</span>`;
    return `<tr><td>${escapeXml(c.id)}</td><td>${status}</td><td>${diff === '' ? '(the base)' : diff}</td>${metrics}</tr>`;
  });
  sections.push(
    `<h2>Cells: configuration difference from the base</h2><table><tr><th>cell</th><th>status</th><th>differs from the base in</th>${summary.metrics.map((m) => `<th>${escapeXml(m)}</th>`).join('')}</tr>${cellRows.join('')}</table>`,
  );
  const title = `Sweep ${summary.name}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeXml(title)}</h1>
<p>${summary.cells.length} cells in ${summary.groups.length} configuration groups; ${summary.cells.filter((c) => c.status === 'finished').length} finished, ${summary.cells.filter((c) => c.status === 'failed').length} failed. Specification hash <code>${escapeXml(summary.hash)}</code>; generated ${escapeXml(summary.generated)}.</p>
${sections.join('\n')}
</body></html>
`;
}
