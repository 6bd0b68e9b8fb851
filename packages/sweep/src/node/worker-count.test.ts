import { parseConfig } from '@contrastive/experiment';
import { describe, expect, it } from 'vitest';
import { planSweep } from '../plan-sweep.js';
import { WORKER_BASE_BYTES, defaultWorkerCount, estimateCellBytes } from './worker-count.js';

describe('worker count', () => {
  it('estimates more memory for larger encoders and batches', () => {
    const small = estimateCellBytes(parseConfig({ data: { dataset: 'cifar10', trainLimit: 1000 }, encoder: { widthMultiplier: 0.25 }, train: { batchSize: 64 } }));
    const big = estimateCellBytes(parseConfig({ data: { dataset: 'cifar10', trainLimit: 1000 }, encoder: { widthMultiplier: 1 }, train: { batchSize: 256 } }));
    expect(small).toBeGreaterThan(WORKER_BASE_BYTES);
    expect(big).toBeGreaterThan(small);
  });

  it('is at least 1 and at most the cores, the cells and what the free memory holds', () => {
    const plan = planSweep({ name: 'w', seeds: [0, 1, 2, 3, 4, 5] }, { data: { dataset: 'cifar10', trainLimit: 1000 } }, 'h');
    const per = estimateCellBytes(plan.cells[0]!.config);
    expect(defaultWorkerCount(plan.cells, { cores: 16, freeBytes: 1e15 })).toBe(6);
    expect(defaultWorkerCount(plan.cells, { cores: 2, freeBytes: 1e15 })).toBe(2);
    expect(defaultWorkerCount(plan.cells, { cores: 16, freeBytes: (per * 3) / 0.8 })).toBe(3);
    expect(defaultWorkerCount(plan.cells, { cores: 16, freeBytes: 1 })).toBe(1);
    expect(defaultWorkerCount([], { cores: 4 })).toBe(1);
  });
});
