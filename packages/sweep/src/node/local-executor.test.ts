import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellEvent } from '../cell-result.js';
import { collectSweep } from './collect-sweep.js';
import { localExecutor } from './local-executor.js';
import { prepareSweep } from './prepare-sweep.js';
import { runSweep } from './run-sweep.js';
import { CELL_FILES, SWEEP_FILES, cellDir } from './sweep-dir.js';
import { tinySetup } from './tiny-sweep.fixture.js';

describe('localExecutor', () => {
  it('runs a 4-cell sweep in 2 worker processes, writes the results, and skips every cell when rerun', async () => {
    const { dir, base } = await tinySetup();
    const sweep = { name: 'four', seeds: [0, 1], grid: { 'strategy.temperature': [0.2, 0.5] }, measure: ['knn', 'uniformity'] };
    const { sweepDir, plan } = await prepareSweep({ baseConfig: base, sweep, outDir: dir });
    expect(plan.cells).toHaveLength(4);
    const events: CellEvent[] = [];
    const outcome = await runSweep({ sweepDir, plan, executor: localExecutor({ workers: 2, engine: 'cpu' }), onEvent: (e) => events.push(e) });
    expect(outcome.failed).toEqual([]);
    expect(outcome.finished).toHaveLength(4);
    expect(new Set(events.filter((e) => e.kind === 'started').map((e) => e.worker))).toEqual(new Set(['local-1', 'local-2']));
    for (const c of plan.cells) expect(existsSync(path.join(cellDir(sweepDir, c.id), CELL_FILES.result)), c.id).toBe(true);
    const { summary, markdown, files } = await collectSweep(sweepDir);
    for (const f of Object.values(SWEEP_FILES)) expect(existsSync(path.join(sweepDir, f)), f).toBe(true);
    expect(files).toHaveLength(4);
    expect(summary.groups.map((g) => [g.group, g.finished, g.metrics['knn.top1']?.n])).toEqual([
      ['temperature=0.2', 2, 2],
      ['temperature=0.5', 2, 2],
    ]);
    expect(markdown).toContain('| temperature=0.2 |');
    expect(markdown).toMatch(/±/);
    const csv = await readFile(path.join(sweepDir, SWEEP_FILES.csv), 'utf8');
    expect(csv.split('\n')[0]).toBe('cell,group,variant,seed,status,strategy.temperature,knn.top1,uniformity,finalLoss,steps,totalSteps,wallSeconds,attempts,error');
    expect(csv.trim().split('\n')).toHaveLength(5);

    const again: CellEvent[] = [];
    const second = await runSweep({ sweepDir, plan, executor: localExecutor({ workers: 2, engine: 'cpu' }), onEvent: (e) => again.push(e) });
    expect(second.skipped).toHaveLength(4);
    expect(again.every((e) => e.kind === 'skipped')).toBe(true);
  });

  it('records a failing cell as failed and runs the others', async () => {
    const { dir, base } = await tinySetup();
    // 200 rows per batch is more than the 67 training rows: that cell fails when it starts training.
    const sweep = { name: 'bad', grid: { 'train.batchSize': [16, 200] } };
    const { sweepDir, plan } = await prepareSweep({ baseConfig: base, sweep, outDir: dir });
    const outcome = await runSweep({ sweepDir, plan, executor: localExecutor({ workers: 1, engine: 'cpu' }) });
    expect(outcome.finished).toEqual(['batchSize=16.seed=0']);
    expect(outcome.failed.map((f) => f.cellId)).toEqual(['batchSize=200.seed=0']);
    expect(outcome.failed[0]?.error).toContain('config.train.batchSize');
    const { summary } = await collectSweep(sweepDir, { html: false });
    expect(summary.cells.map((c) => c.status)).toEqual(['finished', 'failed']);
  });

  it('stops the workers cleanly on abort (a checkpoint each); the next run resumes the cells', async () => {
    const { dir, base } = await tinySetup();
    const longer = { ...base, train: { batchSize: 16, maxSteps: 40, epochs: 20 }, checkpoint: { everySteps: 5 } };
    const { sweepDir, plan } = await prepareSweep({ baseConfig: longer, sweep: { name: 'stop', seeds: [0, 1] }, outDir: dir });
    const controller = new AbortController();
    const trained = new Set<string>();
    const outcome = await runSweep({
      sweepDir,
      plan,
      executor: localExecutor({ workers: 2, engine: 'cpu' }),
      signal: controller.signal,
      onEvent: (e) => {
        if (e.kind === 'progress') trained.add(e.cellId);
        if (e.kind === 'progress' && (e.step ?? 0) >= 2) controller.abort();
      },
    });
    expect(outcome.interrupted).toBe(true);
    expect(outcome.failed).toEqual([]);
    expect(outcome.finished.length).toBeLessThan(2);
    const stopped = outcome.unfinished;
    expect(stopped.filter((id) => trained.has(id)).length).toBeGreaterThan(0);
    for (const id of stopped) {
      expect(existsSync(path.join(cellDir(sweepDir, id), CELL_FILES.result))).toBe(false);
      // A cell that trained a step stopped with a checkpoint (one still loading its data has none).
      if (trained.has(id)) expect(existsSync(path.join(cellDir(sweepDir, id), 'checkpoints', 'latest')), id).toBe(true);
    }
    const rerun = await runSweep({ sweepDir, plan, executor: localExecutor({ workers: 2, engine: 'cpu' }) });
    expect(rerun.failed).toEqual([]);
    expect([...rerun.finished, ...rerun.skipped].sort()).toEqual(plan.cells.map((c) => c.id).sort());
    for (const id of stopped.filter((s) => trained.has(s))) {
      const r = JSON.parse(await readFile(path.join(cellDir(sweepDir, id), CELL_FILES.result), 'utf8')) as { attempts: number; steps: number };
      expect(r).toMatchObject({ attempts: 2, steps: 40 });
      expect(await readFile(path.join(cellDir(sweepDir, id), CELL_FILES.log), 'utf8')).toContain('resumed from');
    }
  });
});
