// Fix fast-check's seed so a failing property prints a seed and path that replay exactly.
// Override with FC_SEED=<n> to explore other inputs locally.
import fc from 'fast-check';

const seed = Number(process.env['FC_SEED'] ?? 20201126);
fc.configureGlobal({ seed, numRuns: Number(process.env['FC_NUM_RUNS'] ?? 50) });
