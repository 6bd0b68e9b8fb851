import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CheckpointError } from '@contrastive/core';
import { START, advanceStep, endEpoch, positionFromCheckpoint, positionMeta, type RunPosition } from './run-position.js';

const steps = fc.array(fc.record({ batchSize: fc.integer({ min: 1, max: 64 }), loss: fc.double({ min: 0, max: 10, noNaN: true }), skipped: fc.boolean() }), { maxLength: 20 });

describe('run position', () => {
  it('counts steps, images and the mean loss of the non-skipped steps; an epoch end starts the next (property)', () => {
    fc.assert(
      fc.property(steps, fc.double({ min: 0, max: 100, noNaN: true }), (list, seconds) => {
        const p = list.reduce<RunPosition>((acc, s) => advanceStep(acc, s), START);
        expect(p.step).toBe(list.length);
        expect(p.stepInEpoch).toBe(list.length);
        const kept = list.filter((s) => !s.skipped);
        const { info, next } = endEpoch(p, seconds);
        expect(info.steps).toBe(list.length);
        if (kept.length === 0) expect(info.meanLoss).toBeNaN();
        else expect(info.meanLoss).toBeCloseTo(kept.reduce((a, s) => a + s.loss, 0) / kept.length, 10);
        const images = list.reduce((a, s) => a + s.batchSize, 0);
        expect(info.imagesPerSecond).toBe(seconds > 0 ? images / seconds : 0);
        expect(next).toEqual({ step: list.length, epoch: 1, stepInEpoch: 0, totals: START.totals });
      }),
    );
  });

  it('round-trips through a checkpoint manifest exactly (property), and refuses one without it', () => {
    fc.assert(
      fc.property(steps, fc.integer({ min: 0, max: 50 }), (list, epoch) => {
        const p = list.reduce<RunPosition>((acc, s) => advanceStep(acc, s), { ...START, epoch });
        const back = positionFromCheckpoint('t', 'ck', { step: p.step, epoch: p.epoch, meta: { ...positionMeta(p), other: 'kept out' } });
        expect(back).toEqual(p);
      }),
    );
    expect(() => positionFromCheckpoint('Trainer.restore', 'ck/step-1', { step: 1, epoch: 0, meta: {} })).toThrow(CheckpointError);
    expect(() => positionFromCheckpoint('Trainer.restore', 'ck/step-1', { step: 1, epoch: 0, meta: { stepInEpoch: -1, epochTotals: {} } })).toThrow(/ck\/step-1 lacks the trainer's position/);
  });
});
