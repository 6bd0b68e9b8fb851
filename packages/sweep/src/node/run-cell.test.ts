import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InterruptedError } from '@contrastive/experiment';
import { readMetrics } from '@contrastive/experiment/node';
import { describe, expect, it } from 'vitest';
import { prepareSweep, readSweepPlan } from './prepare-sweep.js';
import { CellBusyError, runCell } from './run-cell.js';
import { CELL_FILES, cellDir } from './sweep-dir.js';
import { tinySetup } from './tiny-sweep.fixture.js';

describe('runCell', () => {
  it('trains and evaluates a cell, writes result.json, and returns it unchanged when called again', async () => {
    const { dir, base } = await tinySetup();
    const { sweepDir, plan } = await prepareSweep({ baseConfig: base, sweep: { name: 's', grid: { 'strategy.temperature': [0.2] }, measure: ['knn', 'uniformity'] }, outDir: dir });
    expect(plan.cells.map((c) => c.id)).toEqual(['temperature=0.2.seed=0']);
    const progress: number[] = [];
    const r = await runCell(sweepDir, 'temperature=0.2.seed=0', { engine: 'cpu', onProgress: (p) => progress.push(p.step) });
    expect(r).toMatchObject({ cellId: 'temperature=0.2.seed=0', steps: 4, totalSteps: 4, attempts: 1, engine: 'cpu' });
    expect(Object.keys(r.metrics)).toEqual(['knn.top1', 'uniformity']);
    expect(r.metrics['knn.top1']).toBeGreaterThan(0.5);
    expect(r.finalLoss).toBeTypeOf('number');
    expect(progress.length).toBeGreaterThan(0);
    const cd = cellDir(sweepDir, r.cellId);
    for (const f of ['config.json', 'run.json', 'metrics.jsonl', 'eval.json', CELL_FILES.result, CELL_FILES.log]) expect(existsSync(path.join(cd, f)), f).toBe(true);
    const again = await runCell(sweepDir, r.cellId, { engine: 'cpu' });
    expect(again).toEqual(r);
    // A fresh reader of the directory sees the same plan.
    expect((await readSweepPlan(sweepDir)).cells[0]?.config.strategy).toMatchObject({ name: 'simclr', temperature: 0.2 });
  });

  it('an interrupted cell resumes from its checkpoint and ends where an uninterrupted run ends', async () => {
    const { dir, base } = await tinySetup();
    const sweep = { name: 'r', measure: ['knn', 'alignment', 'uniformity'] };
    const a = await prepareSweep({ baseConfig: base, sweep, outDir: path.join(dir, 'a') });
    const b = await prepareSweep({ baseConfig: base, sweep, outDir: path.join(dir, 'b') });
    const id = 'base.seed=0';
    const straight = await runCell(a.sweepDir, id, { engine: 'cpu' });
    const controller = new AbortController();
    await expect(
      runCell(b.sweepDir, id, { engine: 'cpu', onProgress: (p) => p.step >= 1 && controller.abort() , signal: controller.signal }),
    ).rejects.toBeInstanceOf(InterruptedError);
    expect(existsSync(path.join(cellDir(b.sweepDir, id), CELL_FILES.result))).toBe(false);
    const resumed = await runCell(b.sweepDir, id, { engine: 'cpu' });
    expect(resumed.attempts).toBe(2);
    expect(resumed.steps).toBe(4);
    // Same trajectory: every step's loss, the final loss and the measures are identical.
    const lossesA = (await readMetrics(path.join(cellDir(a.sweepDir, id), 'metrics.jsonl'))).steps.map((s) => s.loss);
    const lossesB = (await readMetrics(path.join(cellDir(b.sweepDir, id), 'metrics.jsonl'))).steps.map((s) => s.loss);
    expect(lossesB).toEqual(lossesA);
    expect(resumed.finalLoss).toBe(straight.finalLoss);
    expect(resumed.metrics).toEqual(straight.metrics);
    expect(await readFile(path.join(cellDir(b.sweepDir, id), CELL_FILES.log), 'utf8')).toContain('resumed from');
  });

  it('evaluate entries measure the same trained encoder with their eval settings: h and the projection z = g(h)', async () => {
    const { dir, base } = await tinySetup();
    const sweep = { name: 'hz', measure: ['knn', 'uniformity'], evaluate: [{ name: 'h', set: { representation: 'encoder' } }, { name: 'z', set: { representation: 'projection', k: 3 } }] };
    const { sweepDir } = await prepareSweep({ baseConfig: base, sweep, outDir: dir });
    const r = await runCell(sweepDir, 'base.seed=0', { engine: 'cpu' });
    expect(Object.keys(r.metrics)).toEqual(['h/knn.top1', 'h/uniformity', 'z/knn.top1', 'z/uniformity']);
    expect(r.metrics['h/uniformity']).not.toBe(r.metrics['z/uniformity']);
    const h = JSON.parse(await readFile(path.join(cellDir(sweepDir, r.cellId), 'eval.h.json'), 'utf8')) as { pretrained: { dim: number }; settings: { k: number } };
    const z = JSON.parse(await readFile(path.join(cellDir(sweepDir, r.cellId), 'eval.z.json'), 'utf8')) as { source: string; pretrained: { dim: number }; settings: { k: number } };
    // h is the MLP encoder's 8-d output; z the head's 4-d projection.
    expect([h.pretrained.dim, h.settings.k]).toEqual([8, 5]);
    expect([z.pretrained.dim, z.settings.k]).toEqual([4, 3]);
    expect(z.source).toContain('projection z = g(h)');
  });

  it('refuses a cell another live process is running, touching nothing of it', async () => {
    const { dir, base } = await tinySetup();
    const { sweepDir } = await prepareSweep({ baseConfig: base, sweep: { name: 'busy' }, outDir: dir });
    const cd = cellDir(sweepDir, 'base.seed=0');
    await mkdir(path.join(cd, CELL_FILES.lockDir), { recursive: true });
    // The parent of this test process is alive: its lock is live.
    await writeFile(path.join(cd, CELL_FILES.lockDir, '.lock'), JSON.stringify({ pid: process.ppid, host: (await import('node:os')).hostname(), started: 'now' }));
    await expect(runCell(sweepDir, 'base.seed=0', { engine: 'cpu' })).rejects.toBeInstanceOf(CellBusyError);
    expect(existsSync(path.join(cd, CELL_FILES.attempts))).toBe(false);
    expect(existsSync(path.join(cd, CELL_FILES.failure))).toBe(false);
  });
});
