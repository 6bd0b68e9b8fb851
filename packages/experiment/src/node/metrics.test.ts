import { DataFormatError } from '@contrastive/core';
import { describe, expect, it } from 'vitest';
import { parseMetrics } from './metrics.js';

const step = (n: number, loss: number): string => JSON.stringify({ type: 'step', step: n, epoch: 0, loss, learningRate: 0.1, gradNorm: 1, imagesPerSecond: 10, seconds: 1, batchSize: 8, time: n });

describe('parseMetrics', () => {
  it('keeps the last record per step (a resumed run appends), sorted by step, with kNN and epoch records', () => {
    const text = [step(1, 5), step(2, 4.5), step(3, 4), step(2, 4.4), step(3, 3.9), step(4, 3.8),
      JSON.stringify({ type: 'knn', step: 0, epoch: 0, accuracy: 0.2 }), JSON.stringify({ type: 'knn', step: 4, epoch: 0, accuracy: 0.3 }),
      JSON.stringify({ type: 'epoch', epoch: 0, steps: 4, meanLoss: 4.3, seconds: 4, imagesPerSecond: 8 }), ''].join('\n');
    const m = parseMetrics(text);
    expect(m.steps.map((s) => [s.step, s.loss])).toEqual([[1, 5], [2, 4.4], [3, 3.9], [4, 3.8]]);
    expect(m.knn.map((k) => [k.step, k.accuracy])).toEqual([[0, 0.2], [4, 0.3]]);
    expect(m.epochs).toHaveLength(1);
  });

  it('null (a non-finite value in the log) reads as NaN', () => {
    const m = parseMetrics(`${JSON.stringify({ type: 'step', step: 1, loss: null })}\n`);
    expect(m.steps[0]?.loss).toBeNaN();
  });

  it('ignores a last line cut short by a crash, refuses a malformed line elsewhere with its byte offset', () => {
    const good = `${step(1, 5)}\n`;
    expect(parseMetrics(`${good}{"type":"step","st`).steps).toHaveLength(1);
    try {
      parseMetrics(`${good}not json\n${step(2, 4)}\n`, 'runs/x/metrics.jsonl');
      throw new Error('expected a DataFormatError');
    } catch (e) {
      expect(e).toBeInstanceOf(DataFormatError);
      expect((e as DataFormatError).byteOffset).toBe(Buffer.byteLength(good));
      expect((e as DataFormatError).file).toBe('runs/x/metrics.jsonl');
      expect((e as Error).message).toContain('line 2');
    }
  });
});
