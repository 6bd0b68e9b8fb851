import { planSweep } from '@contrastive/sweep';
import { describe, expect, it, vi } from 'vitest';
import { createSweepTable } from './sweep-table.js';

const plan = planSweep({ name: 't', grid: { 'strategy.temperature': [0.1, 0.5] }, measure: ['knn'] }, { train: { maxSteps: 10 } }, 'h');
const [a, b] = plan.cells.map((c) => c.id) as [string, string];
const result = { format: 'contrastive-sweep-cell' as const, version: 1 as const, cellId: a, metrics: { 'knn.top1': 0.4567 }, finalLoss: 1.25, steps: 10, totalSteps: 10, wallSeconds: 3, attempts: 1, engine: 'cpu', finished: 't' };

function sink(tty: boolean): { stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }; text: () => string } {
  let text = '';
  const stream = { isTTY: tty, columns: 100, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream & { isTTY?: boolean };
  return { stream, text: () => text };
}

describe('the live sweep table', () => {
  it('not a terminal: one line per event (queued ones left out), the metric when a cell is done', () => {
    const s = sink(false);
    const table = createSweepTable(plan, { stream: s.stream, show: 'auto' });
    table.onEvent({ cellId: a, kind: 'queued' });
    table.onEvent({ cellId: a, kind: 'started', worker: 'local-1' });
    table.onEvent({ cellId: a, kind: 'progress', worker: 'local-1', step: 5, totalSteps: 10, loss: 2.5 });
    table.onEvent({ cellId: a, kind: 'finished', worker: 'local-1', result });
    table.onEvent({ cellId: b, kind: 'failed', worker: 'local-2', error: 'boom\nmore' });
    table.close();
    expect(s.text()).toBe(
      `${a} [local-1]: started\n${a} [local-1]: step 5/10 loss 2.5000\n${a} [local-1]: finished knn.top1 45.67%\n${b} [local-2]: failed: boom\n`,
    );
  });

  it('a terminal: one row per cell, redrawn in place (at most five times a second), the final state on close', () => {
    vi.useFakeTimers();
    try {
      const s = sink(true);
      const table = createSweepTable(plan, { stream: s.stream, show: 'auto' });
      table.onEvent({ cellId: a, kind: 'progress', step: 5, totalSteps: 10, loss: 2.5 });
      table.onEvent({ cellId: b, kind: 'started' });
      expect(s.text()).toBe('');
      vi.advanceTimersByTime(250);
      const first = s.text();
      expect(first.split('\n')[0]).toBe('0/2 done, 2 running, 0 failed, 0 queued');
      expect(first.split('\n')[1]).toMatch(/^cell\s+status\s+step\s+loss\s+knn\.top1$/);
      expect(first).toMatch(new RegExp(`${a.replace(/\./g, '\\.')}\\s+running\\s+5/10\\s+2\\.5000`));
      expect(first).toMatch(new RegExp(`${b.replace(/\./g, '\\.')}\\s+started`));
      table.onEvent({ cellId: a, kind: 'finished', result });
      table.close();
      const redraw = s.text().slice(first.length);
      expect(redraw.startsWith('\x1b[4F\x1b[J')).toBe(true);
      expect(redraw).toContain('1/2 done, 1 running');
      expect(redraw).toMatch(/finished\s+10\/10\s+1\.2500\s+45\.67%/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a terminal smaller than the table: running and failed cells first, the rest counted', () => {
    vi.useFakeTimers();
    try {
      const big = planSweep({ name: 'big', seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] }, {}, 'h');
      const s = sink(true);
      (s.stream as { rows?: number }).rows = 6;
      const table = createSweepTable(big, { stream: s.stream, show: true });
      table.onEvent({ cellId: 'base.seed=7', kind: 'started' });
      table.onEvent({ cellId: 'base.seed=9', kind: 'failed', error: 'x' });
      table.close();
      const out = s.text().trimEnd().split('\n');
      expect(out).toHaveLength(5);
      expect(out[0]).toBe('0/10 done, 1 running, 1 failed, 8 queued');
      expect(out[2]).toMatch(/^base\.seed=7\s+started/);
      expect(out[3]).toMatch(/^base\.seed=9\s+failed/);
      expect(out[4]).toBe('… 8 more cells');
    } finally {
      vi.useRealTimers();
    }
  });
});
