import { describe, expect, it } from 'vitest';
import type { CellResult } from './cell-result.js';
import { planSweep } from './plan-sweep.js';
import { resultsCsv, resultsMarkdown } from './results-table.js';
import { seedStats, summarizeSweep } from './summarize.js';

const result = (cellId: string, knn: number, loss: number): CellResult => ({
  format: 'contrastive-sweep-cell', version: 1, cellId, metrics: { 'h/knn.top1': knn }, finalLoss: loss, steps: 3, totalSteps: 3, wallSeconds: 2, attempts: 1, engine: 'cpu', finished: 't',
});

describe('summaries and tables', () => {
  it('seedStats: mean and sample standard deviation (n - 1), none below two values, non-finite values left out', () => {
    expect(seedStats([1, 2, 3, Number.NaN, null])).toEqual({ mean: 2, std: 1, n: 3, values: [1, 2, 3] });
    expect(seedStats([0.5])).toEqual({ mean: 0.5, std: null, n: 1, values: [0.5] });
    expect(seedStats([])).toEqual({ mean: null, std: null, n: 0, values: [] });
  });

  it('one markdown row per configuration group with mean ± std and n; CSV one row per cell, quoted where needed', () => {
    const plan = planSweep({ name: 't', seeds: [0, 1], grid: { 'strategy.temperature': [0.1, 0.5] }, evaluate: [{ name: 'h', set: { k: 5 } }] }, { train: { maxSteps: 3 } }, 'x');
    const ids = plan.cells.map((c) => c.id);
    const results = new Map([
      [ids[0]!, result(ids[0]!, 0.5, 2)],
      [ids[1]!, result(ids[1]!, 0.7, 3)],
      [ids[2]!, result(ids[2]!, 0.9, 1)],
    ]);
    const failures = new Map([[ids[3]!, { format: 'contrastive-sweep-cell-failure' as const, cellId: ids[3]!, error: 'out of "memory", sorry\nsecond line', attempts: 2, time: 't' }]]);
    const summary = summarizeSweep(plan, results, failures, new Date(0));
    expect(summary.metrics).toEqual(['h/knn.top1']);
    expect(summary.groups[0]?.metrics['h/knn.top1']).toMatchObject({ mean: 0.6, n: 2 });
    const md = resultsMarkdown(summary);
    expect(md).toContain('| group | strategy.temperature | h/knn.top1 | final loss | n |');
    expect(md).toContain('| temperature=0.1 | 0.1 | 60.00 ± 14.14% | 2.500 ± 0.71 | 2/2 |');
    expect(md).toContain('| temperature=0.5 | 0.5 | 90.00% | 1.000 | 1/2 |');
    expect(md).toContain('1 failed cell:\n- temperature=0.5.seed=1: out of "memory", sorry');
    const text = resultsCsv(summary);
    const csv = text.trim().split('\n');
    expect(csv[0]).toBe('cell,group,variant,seed,status,strategy.temperature,h/knn.top1,finalLoss,steps,totalSteps,wallSeconds,attempts,error');
    expect(csv[1]).toBe('temperature=0.1.seed=0,temperature=0.1,base,0,finished,0.1,0.5,2,3,3,2,1,');
    // The failed cell's error holds a quote, a comma and a line break: one quoted field.
    expect(text).toContain('temperature=0.5.seed=1,temperature=0.5,base,1,failed,0.5,,,,,,,"out of ""memory"", sorry\nsecond line"\n');
  });
});
