/**
 * `contrastive sweep` end to end on a tiny tabular sweep (three Gaussian blobs, an MLP, 4
 * steps per cell): 4 cells in 2 local worker processes, the result files, the markdown table on
 * stdout; a rerun skips every cell; another specification is refused; Ctrl-C sent to the
 * process group stops the workers with a checkpoint and the rerun resumes the cells.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, sharedDataDir } from '../../../test/shared-data.js';
import { cli, expectExit, noStackTrace } from './cli-process.js';
import { killStartedGroups, loggedSteps, shellStatus, startGroup, waitUntil } from './process-group.js';

let dir: string;
let base: string;
let sweep: string;
let out: string;

/** 90 rows (30 per class) of 4 features and a label, from a fixed linear congruential stream. */
function blobsCsv(): string {
  let s = 12345;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const rows = ['a,b,c,d,label'];
  for (let i = 0; i < 90; i++) rows.push(`${[0, 1, 2, 3].map((j) => ((j === i % 3 ? 3 : 0) + (rand() - 0.5) * 1.5).toFixed(4)).join(',')},${i % 3}`);
  return `${rows.join('\n')}\n`;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cli-sweep-'));
  out = path.join(dir, 'sweeps');
  await writeFile(path.join(dir, 'blobs.csv'), blobsCsv());
  base = path.join(dir, 'base.yaml');
  await writeFile(
    base,
    `
name: tiny
data: { dataset: tabular, file: ${path.join(dir, 'blobs.csv')}, labelColumn: label, testFraction: 0.25 }
encoder: { kind: mlp, hidden: [8] }
head: { hiddenDim: 8, outputDim: 4 }
optimizer: { name: adamw, lr: 0.01 }
train: { batchSize: 16, maxSteps: 4, epochs: 2 }
checkpoint: { everySteps: 2 }
monitor: { everySteps: 2, bankSize: 40, testSize: 20, k: 5 }
eval: { bankSize: 60, testSize: 20, k: 5, linear: { epochs: 3, batchSize: 32 } }
`,
  );
  sweep = path.join(dir, 'sweep.yaml');
  await writeFile(sweep, 'name: temp\nseeds: [0, 1]\ngrid:\n  strategy.temperature: [0.2, 0.5]\nmeasure: [knn, uniformity]\n');
});

afterEach(killStartedGroups);

describe('contrastive sweep', () => {
  it('runs 4 cells in 2 workers, writes the results and prints the table; a rerun skips every cell', async () => {
    const r = await cli(['sweep', '--config', base, '--sweep', sweep, '--out', out, '--workers', '2', '--engine', 'cpu']);
    expectExit(r, 0);
    expect(r.stderr).toContain('sweep temp: 4 cells (2 configuration groups)');
    expect(r.stderr).toMatch(/temperature=0\.2\.seed=0 \[local-\d\]: finished knn\.top1 [\d.]+%/);
    expect(r.stdout).toContain('| group | strategy.temperature | knn.top1 | uniformity | final loss | n |');
    expect(r.stdout).toContain('| temperature=0.5 | 0.5 |');
    const sweepDir = path.join(out, 'temp');
    for (const f of ['sweep.yaml', 'plan.json', 'sweep.json', 'results.csv', 'results.md', 'comparison.html']) expect(existsSync(path.join(sweepDir, f)), f).toBe(true);
    for (const id of ['temperature=0.2.seed=0', 'temperature=0.2.seed=1', 'temperature=0.5.seed=0', 'temperature=0.5.seed=1']) {
      expect(existsSync(path.join(sweepDir, 'cells', id, 'result.json')), id).toBe(true);
    }
    const again = await cli(['sweep', '--config', base, '--sweep', sweep, '--out', out, '--engine', 'cpu']);
    expectExit(again, 0);
    expect(again.stderr).toContain('0 cells run, 4 already finished');
    expect(again.stderr.match(/: skipped/g)).toHaveLength(4);
    // A cell is a normal run directory: `contrastive report` works on it.
    const report = await cli(['report', path.join(sweepDir, 'cells', 'temperature=0.2.seed=0'), '--no-map', '--engine', 'cpu']);
    expectExit(report, 0);
  });

  it('refuses another specification in the same directory without --overwrite (more user errors, in process: src/commands/sweep.test.ts)', async () => {
    const other = path.join(dir, 'other.yaml');
    await writeFile(other, 'name: temp\ngrid:\n  strategy.temperature: [0.3]\n');
    const r = await cli(['sweep', '--config', base, '--sweep', other, '--out', out]);
    expectExit(r, 2);
    expect(r.stderr).toContain('holds a sweep of another specification');
    expect(r.stderr).toContain('argument: --overwrite');
    noStackTrace(r.stderr);
  });

  it('Ctrl-C (SIGINT to the process group) stops every worker after its step with a checkpoint, exit 130; the same command resumes', async () => {
    const longBase = path.join(dir, 'long.yaml');
    await writeFile(longBase, (await readFile(base, 'utf8')).replace('train: { batchSize: 16, maxSteps: 4, epochs: 2 }', 'train: { batchSize: 16, maxSteps: 300, epochs: 100 }').replace('checkpoint: { everySteps: 2 }', 'checkpoint: { everySteps: 1000 }'));
    const longSweep = path.join(dir, 'long-sweep.yaml');
    await writeFile(longSweep, 'name: long\nseeds: [0, 1]\n');
    const args = ['--conditions=contrastive-source', '--import', 'tsx', path.join(repoRoot(), 'packages', 'cli', 'src', 'bin.ts'), 'sweep', '--config', longBase, '--sweep', longSweep, '--out', out, '--workers', '2', '--engine', 'cpu'];
    const env = { CONTRASTIVE_DATA_DIR: sharedDataDir(), CONTRASTIVE_WASM_THREADS: '1', FORCE_COLOR: '0' };
    const cells = ['base.seed=0', 'base.seed=1'].map((id) => path.join(out, 'long', 'cells', id));
    const p = startGroup(process.execPath, args, repoRoot(), env);
    await waitUntil(async () => (await loggedSteps(path.join(cells[0]!, 'metrics.jsonl'))) >= 1 || (await loggedSteps(path.join(cells[1]!, 'metrics.jsonl'))) >= 1);
    p.signalGroup('SIGINT');
    const r = await p.done;
    expect(shellStatus(r)).toBe(130);
    expect(r.stderr).toContain('SIGINT: stopping after the current step');
    expect(r.stderr).toContain('rerun the same command to resume them');
    let stopped = 0;
    for (const c of cells) {
      expect(existsSync(path.join(c, 'result.json'))).toBe(false);
      // No worker is left running the cell: its lock is released.
      expect(existsSync(path.join(c, '.cell', '.lock'))).toBe(false);
      const steps = await loggedSteps(path.join(c, 'metrics.jsonl'));
      if (steps > 0) {
        stopped++;
        expect(steps).toBeLessThan(300);
        expect((await readFile(path.join(c, 'checkpoints', 'latest'), 'utf8')).trim()).toBe(`step-${String(steps).padStart(9, '0')}`);
      }
    }
    expect(stopped).toBeGreaterThan(0);
    const again = await cli(['sweep', '--config', longBase, '--sweep', longSweep, '--out', out, '--workers', '2', '--engine', 'cpu']);
    expectExit(again, 0);
    for (const c of cells) {
      const result = JSON.parse(await readFile(path.join(c, 'result.json'), 'utf8')) as { steps: number; attempts: number };
      expect(result.steps).toBe(300);
      if ((await readFile(path.join(c, 'cell.log'), 'utf8')).includes('resumed from')) expect(result.attempts).toBe(2);
    }
  });
});
