import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeXml, lineChartSvg, movingAverage, niceTicks } from './svg-chart.js';

describe('niceTicks', () => {
  it('property: ticks are increasing, evenly spaced by 1, 2 or 5 × 10^k, and cover the range', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-6, max: 1e6, noNaN: true }), (lo, span) => {
        const hi = lo + span;
        const ticks = niceTicks(lo, hi, 5);
        expect(ticks.length).toBeGreaterThanOrEqual(2);
        const step = (ticks[1] as number) - (ticks[0] as number);
        const scale = Math.max(Math.abs(lo), Math.abs(hi));
        expect(step).toBeGreaterThan(0);
        for (let i = 1; i < ticks.length; i++) expect(Math.abs((ticks[i] as number) - (ticks[i - 1] as number) - step)).toBeLessThanOrEqual(step * 1e-6 + scale * 1e-12);
        // The step is 1, 2 or 5 × 10^k (up to the 12-digit rounding of the tick values).
        const exponent = Math.floor(Math.log10(step) + 1e-6);
        const mantissa = step / 10 ** exponent;
        const tolerance = 1e-6 + (scale / step) * 1e-11;
        expect([1, 2, 5, 10].some((m) => Math.abs(mantissa - m) <= m * tolerance)).toBe(true);
        expect(ticks[0] as number).toBeLessThanOrEqual(lo + step * 1e-9);
        expect(ticks[ticks.length - 1] as number).toBeGreaterThanOrEqual(hi - step * 0.5 - Math.abs(hi) * 1e-12);
      }),
      { numRuns: 50 },
    );
  });

  it('a degenerate range still gets ticks around the value', () => {
    const t = niceTicks(3, 3);
    expect(t[0] as number).toBeLessThanOrEqual(3);
    expect(t[t.length - 1] as number).toBeGreaterThanOrEqual(3);
    expect(niceTicks(Number.NaN, 1)).toEqual([]);
  });
});

describe('movingAverage', () => {
  it('property: equals a naive mean over the last `window` finite values', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 8 }), (ys, w) => {
        const points = ys.map((y, i) => [i, y] as const);
        const got = movingAverage(points, w);
        got.forEach(([x, y], i) => {
          expect(x).toBe(i);
          const window = ys.slice(Math.max(0, i - w + 1), i + 1);
          expect(y).toBeCloseTo(window.reduce((a, b) => a + b, 0) / window.length, 9);
        });
      }),
      { numRuns: 30 },
    );
  });
});

describe('lineChartSvg', () => {
  it('draws one polyline per series, axis labels, a legend, and skips non-finite points', () => {
    const svg = lineChartSvg({
      title: 'Loss <&>',
      xLabel: 'step',
      yLabel: 'loss',
      series: [
        { name: 'raw', points: [[1, 5], [2, Number.NaN], [3, 4], [4, 3.5]], color: '#111111' },
        { name: 'avg', points: [[1, 5], [2, 4.5], [3, 4.2]], color: '#222222', markers: false },
      ],
    });
    expect(svg.startsWith('<svg class="chart"')).toBe(true);
    expect(svg).toContain('Loss &lt;&amp;&gt;');
    expect(svg.match(/<polyline /g)).toHaveLength(2); // raw: the NaN splits it into [1] and [3, 4]: one drawable segment
    expect(svg).not.toContain('NaN');
    expect(svg).toContain('>step<');
    expect(svg).toContain('>raw<');
    expect(svg).toContain('>avg<');
    expect(svg.match(/<circle /g)).toHaveLength(3); // markers of the finite raw points only
  });

  it('says "no data" without points', () => {
    expect(lineChartSvg({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', points: [], color: '#000' }] })).toContain('no data');
  });

  it('escapeXml escapes the five XML characters', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
