/**
 * Writer process of the construction-order resume test: builds the run's modules FIRST, then
 * two unrelated models, trains 4 steps with checkpoints at steps 2 and 4 under argv[2], and
 * prints one JSON line: the tfjs variable names (which carry per-process counters) and the
 * final weights by parameter path.
 */
import { initBackend } from '@contrastive/backend';
import { Trainer } from '../src/trainer.js';
import { buildRun, buildUnrelated, runOptions, weightsByPath } from './construction-order.js';

const dir = process.argv[2] as string;
await initBackend({ prefer: 'cpu' });
const run = buildRun(1);
const unrelated = buildUnrelated();
const trainer = new Trainer(runOptions(run.strategy, dir));
await trainer.run();
const names = Object.fromEntries([...(run.strategy.stateDict?.() ?? new Map())].map(([p, v]) => [p, v.name]));
process.stdout.write(`${JSON.stringify({ names, weights: weightsByPath(run.strategy) })}\n`);
trainer.dispose();
run.dispose();
unrelated.dispose();
