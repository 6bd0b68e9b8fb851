import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { parseMetrics } from './node/metrics.js';
import { renderReportHtml, type EvalFile } from './report-html.js';

const metrics = parseMetrics(
  Array.from({ length: 30 }, (_, i) => JSON.stringify({ type: 'step', step: i + 1, epoch: 0, loss: 5 - i * 0.05, learningRate: 0.1 * (1 - i / 30), gradNorm: 1, imagesPerSecond: 20 + (i % 3), seconds: 6, batchSize: 128 }))
    .concat([0, 10, 20, 30].map((s) => JSON.stringify({ type: 'knn', step: s, epoch: 0, accuracy: 0.25 + s / 300, bankSize: 1000, testSize: 500 })))
    .join('\n'),
);
const evaluation = (knn: number): EvalFile['pretrained'] => ({ knn, linear: knn + 0.05, linearTrain: knn + 0.1, alignment: 0.5, uniformity: -2, bankSize: 10000, testSize: 10000, dim: 128, seconds: 50 });
const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

describe('renderReportHtml', () => {
  const html = renderReportHtml({
    title: 'main <run>',
    metrics,
    evaluation: { format: 'contrastive-eval', version: 1, source: 'runs/main/encoder', time: 't', pretrained: evaluation(0.41), random: evaluation(0.3), settings: { k: 200, temperature: 0.1 } },
    mapPng: png,
    previewPng: png,
    config: parseConfig({}),
    notes: ['a note & more'],
    generated: new Date(0),
  });

  it('holds the four charts with their data, the evaluation table and both pictures inline', () => {
    expect(html.match(/<svg class="chart"/g)).toHaveLength(4);
    expect(html.match(/<polyline /g)?.length).toBeGreaterThanOrEqual(5); // loss ×2, kNN, lr, throughput ×2
    expect(html.match(/<circle /g)).toHaveLength(4); // the four kNN checks
    expect(html).toContain('<td>41.00%</td><td>30.00%</td>');
    expect(html.match(/src="data:image\/png;base64,iVBORw0KGgoBAgM="/g)).toHaveLength(2);
    expect(html).toContain('contrastive report: main &lt;run&gt;');
    expect(html).toContain('a note &amp; more');
    expect(html).toContain('&quot;temperature&quot;: 0.5');
  });

  it('is self-contained: no URL, no external reference, no script', () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/(src|href)="(?!data:)/);
    expect(html).not.toMatch(/<(script|link|iframe|object|embed)\b/);
    expect(html).not.toMatch(/url\(/);
    expect(html).not.toMatch(/@import/);
  });

  it('works without evaluation, pictures or metrics', () => {
    const bare = renderReportHtml({ title: 'empty', metrics: { steps: [], knn: [], epochs: [] } });
    expect(bare.match(/<svg class="chart"/g)).toHaveLength(4);
    expect(bare).toContain('no data');
    expect(bare).not.toContain('<img');
    expect(bare).not.toContain('Evaluation on');
  });

  it("names the run's dataset, and says why an unlabelled run has no evaluation", () => {
    expect(html).toContain('Evaluation on CIFAR-10 test images');
    expect(html).toContain('10,000 CIFAR-10 test images;');
    const fm = renderReportHtml({ title: 'fm', metrics, config: parseConfig({ data: { dataset: 'fashionMnist' } }), evaluation: { format: 'contrastive-eval', version: 1, source: 's', time: 't', pretrained: evaluation(0.7), random: null, settings: {} } });
    expect(fm).toContain('Evaluation on Fashion-MNIST test images');
    expect(fm).not.toContain('Skipped: the images are unlabelled');
    const photos = renderReportHtml({ title: 'photos', metrics, config: parseConfig({ data: { dataset: 'imageFolder', dir: 'p', labelled: false } }) });
    expect(photos).toContain('Skipped: the images are unlabelled');
    expect(photos).not.toContain('Evaluation on');
  });
});
