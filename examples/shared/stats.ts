/** Mean and sample standard deviation, for the reference experiments' tables. */
export function meanSd(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = values.length < 2 ? 0 : Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
  return { mean, sd };
}

/** `97.8 ± 1.2` (percent, one decimal). */
export function pct(values: readonly number[]): string {
  const { mean, sd } = meanSd(values);
  return `${(100 * mean).toFixed(1)} ± ${(100 * sd).toFixed(1)}`;
}
