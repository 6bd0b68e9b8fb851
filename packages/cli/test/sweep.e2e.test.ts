/**
 * `contrastive sweep` end to end on a tiny tabular sweep (three Gaussian blobs, an MLP, 4
 * steps per cell): 4 cells in 2 local worker processes, the result files, the markdown table on
 * stdout; a rerun skips every cell; bad flags and sweep files are usage errors.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, expectExit, noStackTrace } from './cli-process.js';

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

  it('refuses another specification in the same directory without --overwrite, bad sweep keys, unknown flags and --queue (for now)', async () => {
    const other = path.join(dir, 'other.yaml');
    await writeFile(other, 'name: temp\ngrid:\n  strategy.temperature: [0.3]\n');
    const r = await cli(['sweep', '--config', base, '--sweep', other, '--out', out]);
    expectExit(r, 2);
    expect(r.stderr).toContain('holds a sweep of another specification');
    expect(r.stderr).toContain('argument: --overwrite');
    noStackTrace(r.stderr);

    const bad = path.join(dir, 'bad.yaml');
    await writeFile(bad, 'name: bad\ngrid:\n  strategy.tempreature: [0.3]\nmesure: [knn]\n');
    const b = await cli(['sweep', '--config', base, '--sweep', bad, '--out', out]);
    expectExit(b, 2);
    expect(b.stderr).toContain("sweep.mesure: unknown key (did you mean 'measure'?)");

    const badKey = path.join(dir, 'bad-key.yaml');
    await writeFile(badKey, 'name: badkey\ngrid:\n  strategy.tempreature: [0.3]\n');
    const k = await cli(['sweep', '--config', base, '--sweep', badKey, '--out', out]);
    expectExit(k, 2);
    expect(k.stderr).toContain('sweep cell tempreature=0.3.seed=0 (set by the sweep key strategy.tempreature)');
    expect(k.stderr).toContain("config.strategy.tempreature: unknown key (did you mean 'temperature'?)");
    expect(existsSync(path.join(out, 'badkey'))).toBe(false);

    const flag = await cli(['sweep', '--config', base, '--sweep', sweep, '--bogus']);
    expectExit(flag, 2);
    expect(flag.stderr).toContain("unknown option '--bogus'");

    const queue = await cli(['sweep', '--config', base, '--sweep', sweep, '--out', out, '--queue', 'redis://localhost:6379']);
    expectExit(queue, 2);
    expect(queue.stderr).toContain('--queue: the Redis/BullMQ executor is not available yet');
  });
});
