import { parseMetrics } from '@contrastive/experiment';
import { describe, expect, it } from 'vitest';
import type { CellResult } from '../cell-result.js';
import { planSweep } from '../plan-sweep.js';
import { summarizeSweep } from '../summarize.js';
import { comparisonHtml } from './comparison-html.js';

function result(cellId: string, knn: number, uniformity: number): CellResult {
  return { format: 'contrastive-sweep-cell', version: 1, cellId, metrics: { 'knn.top1': knn, uniformity }, finalLoss: 1, steps: 3, totalSteps: 3, wallSeconds: 1, attempts: 1, engine: 'cpu', finished: '2026-01-01T00:00:00.000Z' };
}

const log = (rows: readonly [number, number][], knn: readonly [number, number][]): string =>
  [...rows.map(([step, loss]) => JSON.stringify({ type: 'step', step, epoch: 0, loss, learningRate: 0.1, gradNorm: 1, imagesPerSecond: 1, seconds: 1, batchSize: 2, time: 0 })), ...knn.map(([step, accuracy]) => JSON.stringify({ type: 'knn', step, epoch: 0, accuracy, bankSize: 1, testSize: 1, k: 1, temperature: 0.1, embeddingStd: 0, effectiveRank: 1, seconds: 0, time: 0 }))].join('\n');

describe('comparisonHtml', () => {
  it('draws one SVG per chart (a bar chart per metric, loss and kNN curves), names every cell, shows config differences, escapes text', async () => {
    const plan = planSweep(
      { name: 'cmp', seeds: [0, 1], grid: { 'strategy.temperature': [0.1, 0.5] }, variants: [{ name: 'a', set: {} }, { name: 'b', set: { head: { kind: 'linear' } } }], measure: ['knn', 'uniformity'] },
      { train: { maxSteps: 3 } },
      'abc',
    );
    const results = new Map(plan.cells.slice(0, 6).map((c, i) => [c.id, result(c.id, 0.5 + i / 20, -2 - i / 10)]));
    const failures = new Map([[plan.cells[6]!.id, { format: 'contrastive-sweep-cell-failure' as const, cellId: plan.cells[6]!.id, error: 'bad <script>alert(1)</script> & "quotes"', attempts: 1, time: '' }]]);
    const summary = summarizeSweep(plan, results, failures);
    const curves = new Map(plan.cells.slice(0, 3).map((c, i) => [c.id, parseMetrics(log([[1, 3 - i], [2, 2 - i], [3, 1.5]], [[0, 0.3], [3, 0.6 + i / 10]]))]));
    const html = await comparisonHtml({ summary, plan, curves });
    expect(html.match(/<svg/g)).toHaveLength(4);
    for (const chart of ['metric', 'loss', 'knn']) expect(html).toContain(`data-chart="${chart}"`);
    expect(html.match(/data-chart="metric"/g)).toHaveLength(2);
    for (const c of plan.cells) expect(html).toContain(c.id);
    expect(html).toContain('<code>head.kind</code> = linear');
    expect(html).toContain('<code>strategy.temperature</code> = 0.1');
    expect(html).not.toContain('<script>');
    expect(html).toContain('bad &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it('says so when nothing has finished yet', async () => {
    const plan = planSweep({ name: 'empty' }, {}, 'h');
    const html = await comparisonHtml({ summary: summarizeSweep(plan, new Map(), new Map()), plan, curves: new Map() });
    expect(html).toContain('No finished cell yet.');
    expect(html).toContain('No metrics logged yet.');
    expect(html).not.toContain('<svg');
  });
});
