import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { TrainingProgress, formatMetric } from './progress.js';

function fakeStream(isTTY: boolean): Writable & { isTTY: boolean; text: () => string } {
  const chunks: string[] = [];
  const s = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { isTTY: boolean; text: () => string; columns: number; cursorTo: () => boolean; clearLine: () => boolean; moveCursor: () => boolean };
  s.isTTY = isTTY;
  s.columns = 200;
  s.cursorTo = () => true;
  s.clearLine = () => true;
  s.moveCursor = () => true;
  s.text = () => chunks.join('');
  return s;
}

describe('TrainingProgress', () => {
  it('draws epoch, loss, lr and img/s on a TTY', () => {
    const stream = fakeStream(true);
    const p = new TrainingProgress(3, { stream });
    expect(p.enabled).toBe(true);
    p.startEpoch(0, 0, 10);
    p.update(4, { loss: 1.23456, learningRate: 0.0003, imagesPerSecond: 1234.5 });
    p.stop();
    const text = stream.text();
    expect(text).toContain('epoch 1/3');
    expect(text).toContain('loss 1.235');
    expect(text).toContain('lr 3.00e-4');
    expect(text).toContain('1235 img/s');
    expect(text).toContain('4/10');
  });

  it("stays silent off a TTY under 'auto', and when show is false", () => {
    for (const [tty, show] of [[false, 'auto'], [true, false]] as const) {
      const stream = fakeStream(tty);
      const p = new TrainingProgress(1, { stream, show });
      expect(p.enabled).toBe(false);
      p.startEpoch(0, 0, 5);
      p.update(1, { loss: 1, learningRate: 1, imagesPerSecond: 1 });
      p.stop();
      expect(stream.text()).toBe('');
    }
  });

  it('formats metrics compactly', () => {
    expect(formatMetric(0.5)).toBe('0.5000');
    expect(formatMetric(1e-5)).toBe('1.00e-5');
    expect(formatMetric(Number.NaN)).toBe('NaN');
    expect(formatMetric(0)).toBe('0.000');
  });
});
