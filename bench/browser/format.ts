/**
 * Pure helpers of the browser speed bench: medians, steps per second from step-end times, and
 * the markdown table. No tfjs, no Node built-ins (the page bundle imports this file too).
 */

/** The median of a non-empty list (the mean of the two middle values for an even count); NaN when empty. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * Steps per second of each repeat, from the times (ms) at which steps ended: `ends[i]` is when
 * step i + 1 ended, `start` when the run started. The first `warmup` steps are left out; then each
 * repeat is `steps` consecutive steps, timed from the end of the step before it. A repeat that did
 * not finish is left out.
 */
export function repeatRates(start: number, ends: readonly number[], warmup: number, steps: number): number[] {
  const rates: number[] = [];
  for (let from = warmup; from + steps <= ends.length; from += steps) {
    const t0 = from === 0 ? start : (ends[from - 1] as number);
    const t1 = ends[from + steps - 1] as number;
    rates.push((steps * 1000) / (t1 - t0));
  }
  return rates;
}

/** One row of the table. */
export interface SpeedRow {
  /** Engine name as tfjs reports it (`webgl`, `wasm`, `wasm+onednn`, ...). */
  readonly engine: string;
  readonly where: 'browser' | 'Node';
  /** Steps per second of each timed repeat (empty when the engine failed or was not run). */
  readonly rates: readonly number[];
  /** Threads the engine computed on, as a short text (`2 (crossOriginIsolated)`, `1`, `GPU: SwiftShader`). */
  readonly threads: string;
  /** Why there is no number, or anything else to say. */
  readonly note?: string;
}

/** `x` with `digits` decimals, or `-` when not finite. */
const fixed = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');

/**
 * The markdown table: engine, where, steps/s (median of the repeats, with their range), img/s
 * (source images per second, batch x steps/s), the ratio to the `baseline` row (matched by
 * engine and where), threads and note.
 */
export function formatTable(rows: readonly SpeedRow[], batch: number, baseline: { readonly engine: string; readonly where: string }): string {
  const base = rows.find((r) => r.engine === baseline.engine && r.where === baseline.where);
  const baseRate = base === undefined ? Number.NaN : median(base.rates);
  const lines = [
    `| engine | where | steps/s (median) | range over repeats | img/s | ratio to ${baseline.where} ${baseline.engine} | threads | note |`,
    '| --- | --- | ---: | --- | ---: | ---: | --- | --- |',
  ];
  for (const r of rows) {
    const m = median(r.rates);
    const range = r.rates.length === 0 ? '-' : `${fixed(Math.min(...r.rates), 3)}-${fixed(Math.max(...r.rates), 3)} (${r.rates.length})`;
    const cells = [r.engine, r.where, fixed(m, 3), range, fixed(m * batch, 1), fixed(m / baseRate, 2), r.threads, (r.note ?? '').replace(/\|/g, '/').replace(/\n/g, ' ')];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
