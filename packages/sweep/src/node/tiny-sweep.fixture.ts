/**
 * Test fixture: a tiny tabular dataset (three Gaussian blobs in four dimensions, written as a
 * CSV) and a base configuration that trains an MLP on it in a few steps, so that sweep tests
 * run whole cells in about a second each.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** 90 rows (30 per class) of 4 features and a label, from a fixed linear congruential stream. */
export function blobsCsv(): string {
  let s = 12345;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const rows = ['a,b,c,d,label'];
  for (let i = 0; i < 90; i++) {
    const label = i % 3;
    const f = [0, 1, 2, 3].map((j) => (j === label ? 3 : 0) + (rand() - 0.5) * 1.5);
    rows.push(`${f.map((v) => v.toFixed(4)).join(',')},${label}`);
  }
  return `${rows.join('\n')}\n`;
}

/** A base configuration on `file` (4 steps of 16 rows, checkpoints every 2 steps, no monitor). */
export function tinyBaseConfig(file: string): Record<string, unknown> {
  return {
    name: 'tiny',
    data: { dataset: 'tabular', file, labelColumn: 'label', testFraction: 0.25 },
    encoder: { kind: 'mlp', hidden: [8] },
    head: { hiddenDim: 8, outputDim: 4 },
    optimizer: { name: 'adamw', lr: 0.01 },
    train: { batchSize: 16, maxSteps: 4, epochs: 2 },
    checkpoint: { everySteps: 2 },
    monitor: { enabled: false },
    eval: { bankSize: 60, testSize: 20, k: 5, linear: { epochs: 3, batchSize: 32 } },
  };
}

/** A fresh temporary directory holding `blobs.csv`; returns the directory and the base configuration. */
export async function tinySetup(prefix = 'sweep-'): Promise<{ dir: string; csv: string; base: Record<string, unknown> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const csv = path.join(dir, 'blobs.csv');
  await writeFile(csv, blobsCsv());
  return { dir, csv, base: tinyBaseConfig(csv) };
}
