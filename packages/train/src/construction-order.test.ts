/**
 * A checkpoint does not depend on the order in which a process built its modules: a run written
 * by one process (run modules first, then two unrelated models) resumes in another process (two
 * unrelated models first, then the run modules, with other initial weights) to bit-identical
 * weights, optimizer slots included (the final weights after training on match bit for bit).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@contrastive/backend';
import { readCheckpoint } from './checkpoint.js';
import { Trainer } from './trainer.js';
import { buildRun, buildUnrelated, runOptions, weightsByPath } from '../test/construction-order.js';

const root = mkdtempSync(join(tmpdir(), 'construction-order-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ prefer: 'cpu' });
});

describe('resume across processes and construction orders', () => {
  it('a checkpoint written by another process that built the modules in the other order resumes bit-identically', { timeout: 180_000 }, async () => {
    const dir = join(root, 'ckpt');
    const script = new URL('../test/construction-order-writer.ts', import.meta.url).pathname;
    const writer = spawnSync(process.execPath, ['--conditions=contrastive-source', '--import', 'tsx', script, dir], { encoding: 'utf8', timeout: 150_000 });
    expect(writer.error).toBe(undefined);
    expect(writer.stderr.includes('Error') ? writer.stderr : '').toBe('');
    expect(writer.status).toBe(0);
    const written = JSON.parse(writer.stdout.trim().split('\n').at(-1) ?? '{}') as { names: Record<string, string>; weights: Record<string, string> };

    // This process: unrelated models first, then the run's modules with other initial weights.
    const unrelated = buildUnrelated();
    const run = buildRun(2);
    const names = Object.fromEntries([...(run.strategy.stateDict?.() ?? new Map())].map(([p, v]) => [p, v.name]));
    expect(Object.keys(names)).toEqual(Object.keys(written.names));
    // The tfjs names differ between the processes: keying on them could not resume.
    expect(Object.keys(names).filter((p) => names[p] !== written.names[p]).length).toBeGreaterThan(0);
    expect(weightsByPath(run.strategy)).not.toEqual(written.weights);

    // Resume from step 2: weights and optimizer slots equal the checkpoint's, bit for bit.
    const mid = join(dir, 'step-000000002');
    const trainer = new Trainer({ ...runOptions(run.strategy, join(root, 'resumed')), resume: mid });
    await trainer.restore(mid);
    const loaded = await readCheckpoint(mid);
    const now = weightsByPath(run.strategy);
    for (const [p, t] of Object.entries(loaded.weights)) expect(now[p], p).toBe(Buffer.from((t.dataSync() as Float32Array).buffer).toString('base64'));
    const pathOf = new Map([...(run.strategy.stateDict?.() ?? new Map())].map(([p, v]) => [v.name, p]));
    for (const [name, slots] of Object.entries(trainer.optimizerState.slots)) {
      const saved = loaded.optimizer.tensors[`${pathOf.get(name)}/momentum`];
      expect(saved, name).toBeDefined();
      expect(Array.from((slots['momentum'] ?? saved)?.dataSync() ?? [])).toEqual(Array.from(saved?.dataSync() ?? []));
    }
    loaded.dispose();

    // ...and training on to the end reaches the writer's final weights exactly.
    await trainer.run();
    expect(trainer.step).toBe(4);
    expect(weightsByPath(run.strategy)).toEqual(written.weights);
    trainer.dispose();
    run.dispose();
    unrelated.dispose();
  });
});
