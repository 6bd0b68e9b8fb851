/**
 * The run report: one self-contained HTML page (no scripts, fonts, styles or images from
 * anywhere else) with the training curves as inline SVG (loss, kNN accuracy, learning rate,
 * throughput), the evaluation table, the 2-D embedding map and the augmentation preview as
 * inline base64 PNG, and the configuration.
 */
import type { RunConfig } from './config.js';
import { describeEncoder } from './build.js';
import { datasetTitle } from './data-config.js';
import type { EncoderEvaluation } from './evaluate.js';
import type { RunMetrics } from './metrics.js';
import type { RunInfo } from './run-info.js';
import { escapeXml, lineChartSvg, movingAverage } from './svg-chart.js';

/** `eval.json`: the evaluation of a run's encoder (and of the same encoder with random weights). */
export interface EvalFile {
  readonly format: 'contrastive-eval';
  readonly version: 1;
  /** What was evaluated (a run, checkpoint or encoder path). */
  readonly source: string;
  readonly time: string;
  readonly pretrained: EncoderEvaluation;
  /** The same architecture with its initial (random) weights, when measured. */
  readonly random: EncoderEvaluation | null;
  readonly settings: Readonly<Record<string, unknown>>;
}

/** What {@link renderReportHtml} draws. */
export interface ReportInput {
  readonly title: string;
  readonly metrics: RunMetrics;
  readonly evaluation?: EvalFile | undefined;
  readonly mapPng?: Uint8Array | undefined;
  readonly previewPng?: Uint8Array | undefined;
  readonly config?: RunConfig | undefined;
  readonly run?: RunInfo | undefined;
  /** Extra lines shown under the title (e.g. the main job's sizing). */
  readonly notes?: readonly string[];
  /** The time the page was made (shown; default now). */
  readonly generated?: Date;
}

const pct = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(2)}%`);
const fixed = (v: number | null | undefined, d = 3): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));

function pngImg(png: Uint8Array, alt: string): string {
  return `<img alt="${escapeXml(alt)}" src="data:image/png;base64,${Buffer.from(png).toString('base64')}">`;
}

/** What a run's samples are called: rows of a tabular file, else images. */
function samplesWord(config: RunConfig | undefined): string {
  return config?.data.dataset === 'tabular' ? 'rows' : 'images';
}

/** True for a run on an image folder read without labels. */
function unlabelled(config: RunConfig | undefined): boolean {
  return config?.data.dataset === 'imageFolder' && !config.data.labelled;
}

function evaluationTable(e: EvalFile, config: RunConfig | undefined): string {
  const dataset = config === undefined ? '' : `${datasetTitle(config.data)} `;
  const rows: [string, (x: EncoderEvaluation) => string][] = [
    [`kNN top-1 (k=${String(e.settings['k'] ?? 200)}, τ=${String(e.settings['temperature'] ?? 0.1)})`, (x) => pct(x.knn)],
    ['linear probe top-1 (test)', (x) => pct(x.linear)],
    ['linear probe top-1 (its train set)', (x) => pct(x.linearTrain)],
    ['alignment (lower is better)', (x) => fixed(x.alignment)],
    ['uniformity (lower is better)', (x) => fixed(x.uniformity)],
    ['evaluation time', (x) => `${x.seconds.toFixed(0)} s`],
  ];
  const cols = e.random === null ? [e.pretrained] : [e.pretrained, e.random];
  const head = `<tr><th></th><th>pretrained</th>${e.random === null ? '' : '<th>random weights</th>'}</tr>`;
  const body = rows.map(([name, f]) => `<tr><td>${escapeXml(name)}</td>${cols.map((c) => `<td>${escapeXml(f(c))}</td>`).join('')}</tr>`).join('');
  const p = e.pretrained;
  const caption = `${p.bankSize.toLocaleString('en-US')} training images as kNN bank and linear-probe training set; ${p.testSize.toLocaleString('en-US')} ${dataset}test ${samplesWord(config)}; ${p.dim}-d representations h (before the projection head).`;
  return `<table class="eval">${head}${body}</table><p class="caption">${escapeXml(caption)} Source: ${escapeXml(e.source)}.</p>`;
}

/**
 * The training-curve charts as SVG: loss, kNN accuracy, learning rate, throughput, and, when the
 * kNN records carry them, the two collapse monitors (embedding std and RankMe).
 */
function trainingCharts(m: RunMetrics): string[] {
  const stepPoints = (f: (s: RunMetrics['steps'][number]) => number): [number, number][] => m.steps.map((s) => [s.step, f(s)]);
  const smoothWindow = Math.max(1, Math.round(m.steps.length / 25));
  const loss = stepPoints((s) => s.loss);
  const throughput = stepPoints((s) => s.imagesPerSecond).slice(1); // the first step includes start-up
  const monitored = m.knn.filter((k) => Number.isFinite(k.embeddingStd) && Number.isFinite(k.effectiveRank));
  const collapse =
    monitored.length === 0
      ? []
      : [
    lineChartSvg({
      title: 'Collapse monitor: std of the L2-normalised embeddings (0 = collapsed)',
      xLabel: 'step',
      yLabel: 'mean per-dimension std',
      series: [{ name: 'std', points: monitored.map((k) => [k.step, k.embeddingStd]), color: '#9467bd', markers: true }],
      yInclude: [0],
    }),
    lineChartSvg({
      title: 'Collapse monitor: effective rank (RankMe)',
      xLabel: 'step',
      yLabel: 'effective rank',
      series: [{ name: 'RankMe', points: monitored.map((k) => [k.step, k.effectiveRank]), color: '#8c564b', markers: true }],
      yInclude: [0],
    }),
        ];
  return [
    lineChartSvg({
      title: 'Training loss',
      xLabel: 'step',
      yLabel: 'loss',
      series: [
        { name: 'per step', points: loss, color: '#9ecae1', width: 1, markers: false },
        { name: `moving average (${smoothWindow})`, points: movingAverage(loss, smoothWindow), color: '#08519c', markers: false },
      ],
    }),
    lineChartSvg({
      title: 'kNN accuracy during training',
      xLabel: 'step',
      yLabel: 'top-1 accuracy',
      series: [{ name: 'kNN', points: m.knn.map((k) => [k.step, k.accuracy]), color: '#d62728', markers: true }],
      formatY: (v) => `${(v * 100).toFixed(0)}%`,
    }),
    lineChartSvg({
      title: 'Learning rate',
      xLabel: 'step',
      yLabel: 'learning rate',
      series: [{ name: 'lr', points: stepPoints((s) => s.learningRate), color: '#2ca02c', markers: false }],
      yInclude: [0],
    }),
    lineChartSvg({
      title: 'Throughput',
      xLabel: 'step',
      yLabel: 'images / s',
      series: [
        { name: 'per step', points: throughput, color: '#fdd0a2', width: 1, markers: false },
        { name: `moving average (${smoothWindow})`, points: movingAverage(throughput, smoothWindow), color: '#e6550d', markers: false },
      ],
      yInclude: [0],
    }),
    ...collapse,
  ];
}

/** The key facts of the run (configuration, status, last loss and kNN) as label/value rows. */
function runFacts(input: ReportInput): [string, string][] {
  const m = input.metrics;
  const lastKnn = m.knn[m.knn.length - 1];
  const last = m.steps[m.steps.length - 1];
  const trainSeconds = m.steps.reduce((a, s) => a + (Number.isFinite(s.seconds) ? s.seconds : 0), 0);
  const facts: [string, string][] = [];
  if (input.config !== undefined) {
    const c = input.config;
    const enc = describeEncoder(c.encoder);
    facts.push(['strategy', 'temperature' in c.strategy ? `${c.strategy.name} (τ = ${c.strategy.temperature})` : c.strategy.name], ['encoder', enc], ['batch size', String(c.train.batchSize)], ['optimizer', `${c.optimizer.name}, lr ${c.optimizer.lr}${c.optimizer.scaling === 'none' ? '' : ` (${c.optimizer.scaling} scaling)`}, weight decay ${c.optimizer.weightDecay}`]);
  }
  if (input.run !== undefined) facts.push(['status', `${input.run.status}, ${input.run.steps} / ${input.run.totalSteps} steps`], ['engine', input.run.engine], ['data', `${input.run.data.trainImages.toLocaleString('en-US')} training ${input.config?.data.dataset === 'tabular' ? 'rows' : 'images'} from ${input.run.data.source}`]);
  if (last !== undefined) facts.push(['last loss', fixed(last.loss, 4)], ['training time', `${trainSeconds.toFixed(0)} s over ${m.steps.length} logged steps`]);
  if (lastKnn !== undefined) facts.push(['last kNN (monitor)', `${pct(lastKnn.accuracy)} at step ${lastKnn.step} (bank ${lastKnn.bankSize}, test ${lastKnn.testSize})`]);
  if (lastKnn !== undefined && Number.isFinite(lastKnn.embeddingStd)) {
    facts.push(['collapse monitors', `embedding std ${fixed(lastKnn.embeddingStd, 4)} (0: collapsed), effective rank ${fixed(lastKnn.effectiveRank, 1)} (RankMe) at step ${lastKnn.step}`]);
  }
  return facts;
}

const STYLE = `body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1180px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 17px; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 28px; }
.notes { color: #555; font-size: 13px; margin: 2px 0; }
.facts { border-collapse: collapse; font-size: 13px; }
.facts td { padding: 2px 12px 2px 0; vertical-align: top; }
.facts td:first-child { color: #666; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 12px; }
.chart { border: 1px solid #e5e5e5; background: #fff; max-width: 100%; height: auto; }
table.eval { border-collapse: collapse; font-size: 14px; }
table.eval th, table.eval td { border: 1px solid #ddd; padding: 4px 12px; text-align: right; }
table.eval td:first-child { text-align: left; }
.caption { color: #555; font-size: 12px; }
.images { display: flex; flex-wrap: wrap; gap: 20px; align-items: flex-start; }
.images figure { margin: 0; }
.images img { max-width: 100%; image-rendering: pixelated; border: 1px solid #e5e5e5; }
pre { background: #f6f6f6; padding: 10px; font-size: 12px; overflow-x: auto; }
`;

/** The pictures section: the embedding map and the augmentation preview, or a note for each missing one. */
function picturesSection(input: ReportInput): string {
  const map =
    input.mapPng !== undefined
      ? `<figure>${pngImg(input.mapPng, 'embedding map')}<figcaption class="caption">UMAP (McInnes et al. 2018) of test representations h, coloured by class.</figcaption></figure>`
      : '<p class="caption">No embedding map (run <code>contrastive eval</code> on this run first).</p>';
  const preview =
    input.previewPng !== undefined
      ? `<figure>${pngImg(input.previewPng, 'augmentation preview')}<figcaption class="caption">Augmentation preview: each row is a source image followed by augmented views.</figcaption></figure>`
      : '<p class="caption">No augmentation preview.</p>';
  return section('Pictures', `<div class="images">${map}${preview}</div>`);
}

const section = (title: string, body: string): string => `<section><h2>${escapeXml(title)}</h2>${body}</section>`;

/**
 * The report page.
 *
 * @example
 * ```ts
 * const html = renderReportHtml({ title: 'main', metrics: await readMetrics('runs/main/metrics.jsonl') });
 * ```
 */
export function renderReportHtml(input: ReportInput): string {
  const charts = trainingCharts(input.metrics);
  const facts = runFacts(input);
  const generated = (input.generated ?? new Date()).toISOString();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(`contrastive report: ${input.title}`)}</title>
<style>
${STYLE}</style>
</head>
<body>
<h1>${escapeXml(`contrastive report: ${input.title}`)}</h1>
${(input.notes ?? []).map((n) => `<p class="notes">${escapeXml(n)}</p>`).join('\n')}
<p class="notes">generated ${escapeXml(generated)}</p>
${facts.length > 0 ? `<table class="facts">${facts.map(([k, v]) => `<tr><td>${escapeXml(k)}</td><td>${escapeXml(v)}</td></tr>`).join('')}</table>` : ''}
${unlabelled(input.config) ? section('Evaluation', '<p class="caption">Skipped: the images are unlabelled (kNN, linear probe and the embedding map need class labels).</p>') : ''}
${input.evaluation !== undefined ? section(`Evaluation on ${input.config === undefined ? 'the' : datasetTitle(input.config.data)} test ${samplesWord(input.config)}`, evaluationTable(input.evaluation, input.config)) : ''}
${section('Training curves', `<div class="charts">${charts.join('\n')}</div>`)}
${picturesSection(input)}
${input.config !== undefined ? section('Configuration', `<pre>${escapeXml(JSON.stringify(input.config, null, 2))}</pre>`) : ''}
</body>
</html>
`;
}
