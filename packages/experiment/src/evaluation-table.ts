/** The text table of a run's evaluation (platform-neutral). */
import type { EncoderEvaluation } from './evaluate.js';
import type { EvalFile } from './report-html.js';

/** A two-column text table of the evaluation. */
export function formatEvaluationTable(e: EvalFile): string[] {
  const rows: [string, (x: EncoderEvaluation) => string][] = [
    [`kNN top-1 (k=${String(e.settings['k'])}, tau=${String(e.settings['temperature'])})`, (x) => x.knn.toFixed(4)],
    ['linear probe top-1', (x) => x.linear.toFixed(4)],
    ['linear probe train accuracy', (x) => x.linearTrain.toFixed(4)],
    ['alignment (lower is better)', (x) => (x.alignment === null ? '-' : x.alignment.toFixed(3))],
    ['uniformity (lower is better)', (x) => x.uniformity.toFixed(3)],
    ['seconds', (x) => x.seconds.toFixed(1)],
  ];
  const cols: [string, EncoderEvaluation][] = [['pretrained', e.pretrained]];
  if (e.random !== null) cols.push(['random', e.random]);
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  const lines = [`${''.padEnd(width)}${cols.map(([n]) => n.padStart(12)).join('')}`];
  for (const [name, f] of rows) lines.push(`${name.padEnd(width)}${cols.map(([, v]) => f(v).padStart(12)).join('')}`);
  return lines;
}
