/**
 * The fuzz harness: a seeded budget of calls to every public function that takes user input
 * (see fuzz-targets.ts). Each call must end in a typed error that names its argument (a
 * `ContrastiveError` with `argument`, or a `DataFormatError` with its file) or in a finite
 * result; never an untyped error, a silent NaN or infinity, a leaked tensor or a hang.
 *
 * CI runs CONTRASTIVE_FUZZ_CALLS = 10000 calls (the default) with seed CONTRASTIVE_FUZZ_SEED = 1
 * and prints the counts per outcome and per target. A longer run is one command:
 *   CONTRASTIVE_FUZZ_CALLS=200000 CONTRASTIVE_FUZZ_SEED=7 npx vitest run test/fuzz   (in packages/cli)
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { ContrastiveError, DataFormatError, setMemoryBudget } from '@contrastive/core';
import { TARGETS } from './fuzz-targets.js';
import { FuzzValues } from './fuzz-values.js';

const CALLS = Number(process.env['CONTRASTIVE_FUZZ_CALLS'] ?? '10000');
const SEED = Number(process.env['CONTRASTIVE_FUZZ_SEED'] ?? '1');
/** A call slower than this counts as a hang. */
const HANG_MS = 5000;

const OUTCOMES = ['finite result', 'typed error naming the argument', 'non-finite input propagated (documented)', 'typed error without argument', 'untyped error', 'non-finite result', 'leaked tensors', 'hang'] as const;
type Outcome = (typeof OUTCOMES)[number];
const FAILURES: readonly Outcome[] = ['typed error without argument', 'untyped error', 'non-finite result', 'leaked tensors', 'hang'];

/** The tensors (and numbers) in a result, one level into arrays and plain objects. */
function parts(result: unknown, depth = 0): unknown[] {
  if (result instanceof tf.Tensor || typeof result === 'number') return [result];
  if (depth < 2 && Array.isArray(result)) return result.flatMap((r) => parts(r, depth + 1));
  if (depth < 2 && typeof result === 'object' && result !== null && Object.getPrototypeOf(result) === Object.prototype) return Object.values(result).flatMap((r) => parts(r, depth + 1));
  return [];
}

function finite(result: unknown): boolean {
  return parts(result).every((p) => {
    if (typeof p === 'number') return Number.isFinite(p);
    const t = p as tf.Tensor;
    return t.isDisposed || t.dtype !== 'float32' || (t.dataSync() as Float32Array).every(Number.isFinite);
  });
}

function classifyError(e: unknown): Outcome {
  if (e instanceof DataFormatError) return 'typed error naming the argument';
  if (e instanceof ContrastiveError) return typeof e.argument === 'string' && e.argument !== '' ? 'typed error naming the argument' : 'typed error without argument';
  return 'untyped error';
}

/**
 * The memory any one call may use: sizes beyond it must be refused with MemoryLimitError
 * before allocating (the guard under test), so the harness never spends minutes filling a
 * valid but huge queue.
 */
const BUDGET_BYTES = 256 * 2 ** 20;

beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
  setMemoryBudget(BUDGET_BYTES);
});
afterAll(() => setMemoryBudget(undefined));

describe(`fuzz harness: ${CALLS} seeded calls (seed ${SEED})`, () => {
  it('every call ends in a typed error naming its argument or a finite result; no leak, no hang', { timeout: 900_000 }, async () => {
    const v = new FuzzValues(SEED);
    const counts = new Map<Outcome, number>(OUTCOMES.map((o) => [o, 0]));
    const perTarget = new Map<string, Map<Outcome, number>>();
    const examples: string[] = [];
    const timePerTarget = new Map<string, number>();
    for (let i = 0; i < CALLS; i++) {
      const target = TARGETS[v.int(0, TARGETS.length - 1)]!;
      if (process.env['CONTRASTIVE_FUZZ_TRACE'] === '1') process.stderr.write(`#${i} ${target.name}\n`);
      const before = tf.memory().numTensors;
      v.injectedNonFinite = false;
      v.valuesUnchecked = false;
      const start = performance.now();
      let outcome: Outcome;
      let detail = '';
      let result: unknown;
      try {
        result = await target.run(v);
        outcome = finite(result) ? 'finite result' : (target.propagatesInputValues === true || v.valuesUnchecked) && v.injectedNonFinite ? 'non-finite input propagated (documented)' : 'non-finite result';
      } catch (e) {
        outcome = classifyError(e);
        detail = e instanceof Error ? `${e.name}: ${e.message.slice(0, 200)}` : String(e);
      }
      const ms = performance.now() - start;
      for (const p of parts(result)) if (p instanceof tf.Tensor) p.dispose();
      for (const t of v.created.splice(0)) t.dispose();
      if ((outcome === 'finite result' || outcome === 'non-finite input propagated (documented)') && tf.memory().numTensors > before) {
        outcome = 'leaked tensors';
        detail = `${tf.memory().numTensors - before} tensors`;
      } else if ((outcome === 'typed error naming the argument' || outcome === 'typed error without argument') && tf.memory().numTensors > before) {
        outcome = 'leaked tensors';
        detail = `${tf.memory().numTensors - before} tensors after: ${detail}`;
      }
      if (ms > HANG_MS) outcome = 'hang';
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
      const t = perTarget.get(target.name) ?? new Map<Outcome, number>();
      t.set(outcome, (t.get(outcome) ?? 0) + 1);
      perTarget.set(target.name, t);
      timePerTarget.set(target.name, (timePerTarget.get(target.name) ?? 0) + ms);
      if (FAILURES.includes(outcome) && examples.length < 30) examples.push(`#${i} ${target.name}: ${outcome}${detail === '' ? '' : ` (${detail})`}`);
      // A leak must not snowball into every later call.
      if (tf.memory().numTensors > before) tf.disposeVariables();
    }
    const lines = [`fuzz: ${CALLS} calls, seed ${SEED}`, ...OUTCOMES.map((o) => `  ${o}: ${counts.get(o)}`), '  per target:'];
    for (const [name, c] of [...perTarget].sort()) lines.push(`    ${name}: ${[...c].map(([o, n]) => `${o} ${n}`).join(', ')} (${((timePerTarget.get(name) ?? 0) / 1000).toFixed(1)} s)`);
    if (examples.length > 0) lines.push('  failures (first 30):', ...examples.map((e) => `    ${e}`));
    process.stdout.write(`${lines.join('\n')}\n`);
    expect(examples).toEqual([]);
    expect(FAILURES.map((o) => counts.get(o))).toEqual(FAILURES.map(() => 0));
  });
});
