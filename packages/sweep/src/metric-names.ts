/**
 * Names of measured metrics: `knn.top1`, `linear.top1`, `alignment`, `uniformity`, prefixed by
 * the evaluation's name when a sweep has several (`h/knn.top1`).
 */
import type { Measure } from './sweep-spec.js';

/** The metric a measure reports. */
export const METRIC_OF: Readonly<Record<Measure, string>> = { knn: 'knn.top1', linear: 'linear.top1', alignment: 'alignment', uniformity: 'uniformity' };

/** True for metrics where lower is better (alignment and uniformity, Wang & Isola 2020). */
export function lowerIsBetter(metric: string): boolean {
  const bare = metric.slice(metric.lastIndexOf('/') + 1);
  return bare === 'alignment' || bare === 'uniformity';
}

/** The metric names a sweep reports, in order: per evaluation, per measure. */
export function metricNames(measure: readonly Measure[], evaluations: readonly { readonly name: string }[]): string[] {
  return evaluations.flatMap((e) => measure.map((m) => (e.name === '' ? METRIC_OF[m] : `${e.name}/${METRIC_OF[m]}`)));
}
