import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricsLog } from './metrics-log.js';

const dir = mkdtempSync(join(tmpdir(), 'metrics-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('MetricsLog', () => {
  it('writes one JSON object per line and appends across opens', () => {
    const path = join(dir, 'nested', 'metrics.jsonl');
    const a = MetricsLog.open(path);
    a.write({ type: 'step', step: 1, loss: 2.5 });
    a.write({ type: 'step', step: 2, loss: Number.NaN });
    a.close();
    const b = MetricsLog.open(path);
    b.write({ type: 'epoch', epoch: 0, note: 'line\nbreak' });
    b.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    const records = lines.slice(0, -1).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toEqual([
      { type: 'step', step: 1, loss: 2.5 },
      { type: 'step', step: 2, loss: null },
      { type: 'epoch', epoch: 0, note: 'line\nbreak' },
    ]);
    expect(() => b.write({ x: 1 })).toThrow(/closed/);
  });

  it('rejects a bad path', () => {
    expect(() => MetricsLog.open('')).toThrow(/'path'/);
  });
});
