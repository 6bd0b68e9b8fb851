import { describe, expect, it } from 'vitest';
import { formatTable, median, repeatRates } from './format.js';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
  it('leaves its argument unsorted', () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
});

describe('repeatRates', () => {
  it('skips the warm-up steps and times each repeat from the end of the step before it', () => {
    // start 0; steps end at 5000 (warm-up), 6000, 7000 (repeat 1: 2 steps in 2 s), 7500, 8000 (repeat 2: 2 steps in 1 s)
    expect(repeatRates(0, [5000, 6000, 7000, 7500, 8000], 1, 2)).toEqual([1, 2]);
  });
  it('times the first repeat from the start when there is no warm-up, and drops an unfinished repeat', () => {
    expect(repeatRates(1000, [1500, 2000, 2500], 0, 2)).toEqual([2]);
  });
});

describe('formatTable', () => {
  it('prints the median, range, img/s and the ratio to the baseline row', () => {
    const table = formatTable(
      [
        { engine: 'wasm', where: 'Node', rates: [1, 2, 3], threads: '2' },
        { engine: 'wasm', where: 'browser', rates: [0.5, 1, 1.5], threads: '2 (crossOriginIsolated)' },
        { engine: 'webgpu', where: 'browser', rates: [], threads: '-', note: 'no adapter | skipped' },
      ],
      64,
      { engine: 'wasm', where: 'Node' },
    );
    const lines = table.split('\n');
    expect(lines[0]).toContain('ratio to Node wasm');
    expect(lines[2]).toBe('| wasm | Node | 2.000 | 1.000-3.000 (3) | 128.0 | 1.00 | 2 |  |');
    expect(lines[3]).toBe('| wasm | browser | 1.000 | 0.500-1.500 (3) | 64.0 | 0.50 | 2 (crossOriginIsolated) |  |');
    expect(lines[4]).toBe('| webgpu | browser | - | - | - | - | - | no adapter / skipped |');
  });
  it('prints no ratios when the baseline did not run', () => {
    const table = formatTable([{ engine: 'wasm', where: 'browser', rates: [1], threads: '1' }], 64, { engine: 'wasm', where: 'Node' });
    expect(table.split('\n')[2]).toBe('| wasm | browser | 1.000 | 1.000-1.000 (1) | 64.0 | - | 1 |  |');
  });
});
