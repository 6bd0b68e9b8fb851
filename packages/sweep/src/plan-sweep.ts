/**
 * Making a sweep's plan from its file and the base configuration (both as given, already
 * parsed from YAML or JSON): validates the sweep file, expands and validates every cell.
 */
import { parseConfig } from '@contrastive/experiment';
import { evaluationsOf, expandCells } from './expand-cells.js';
import type { SweepPlan } from './plan.js';
import { parseSweepSpec } from './sweep-spec.js';

/**
 * The plan of a sweep. `hash` identifies the inputs (the Node side hashes the sweep file and
 * the base configuration as given). Throws a `ConfigError` for a bad sweep file, base
 * configuration or cell.
 *
 * @example
 * ```ts
 * const plan = planSweep({ name: 't', grid: { 'strategy.temperature': [0.1, 0.5] } }, { train: { maxSteps: 5 } }, 'h');
 * plan.cells.length; // 2
 * ```
 */
export function planSweep(sweepInput: unknown, baseInput: unknown, hash: string, source = 'sweep file'): SweepPlan {
  const spec = parseSweepSpec(sweepInput, source);
  const base = parseConfig(baseInput ?? {}, 'base configuration');
  const cells = expandCells(spec, baseInput ?? {});
  return { format: 'contrastive-sweep-plan', version: 1, name: spec.name, hash, base, spec, measure: spec.measure, evaluations: evaluationsOf(spec), cells };
}
