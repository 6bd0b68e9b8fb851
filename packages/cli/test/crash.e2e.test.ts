/**
 * The crash harness: a run killed with SIGKILL at seeded points, and resumed each time, ends
 * byte-identical to the same run left alone: weights, optimizer slots and strategy state of the
 * last checkpoint, and the saved encoder. The kills: inside a checkpoint write (temporary
 * directory complete, nothing renamed; and directory in place, `latest` not updated), during
 * the start of a resume (checkpoint restored, no step run), and after a seeded number of steps
 * from outside. Then the latest checkpoint is corrupted: `--resume` refuses it, and
 * `--resume --fallback` continues from the previous complete one, still to identical bytes.
 * CONTRASTIVE_CRASH_SEED picks the seeded kill points (default 1); the results are printed.
 */
import { spawn } from 'node:child_process';
import { readFile, readdir, writeFile, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Rng } from '@contrastive/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, sharedDataDir } from '../../../test/shared-data.js';
import { loggedSteps, waitUntil } from './process-group.js';

const root = repoRoot();
const bin = path.join(root, 'packages', 'cli', 'src', 'bin.ts');
const seed = Number(process.env['CONTRASTIVE_CRASH_SEED'] ?? '1');
const TOTAL = 12;
let dir: string;
let config: string;

interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** One `contrastive train` process (no supervisor: the kills hit the training process itself). */
function train(out: string, extra: string[], env: Record<string, string> = {}, killAfterSteps?: number): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=contrastive-source', '--import', 'tsx', bin, 'train', '--config', config, '--out', out, ...extra], {
      cwd: root,
      env: { ...process.env, CONTRASTIVE_DATA_DIR: sharedDataDir(), CONTRASTIVE_WASM_THREADS: '1', CONTRASTIVE_WORKER: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
    if (killAfterSteps !== undefined) {
      void waitUntil(async () => child.exitCode !== null || (await loggedSteps(path.join(out, 'metrics.jsonl'))) >= killAfterSteps).then(() => child.kill('SIGKILL'));
    }
  });
}

/** The bytes that must match: the last checkpoint's tensor files and the saved encoder's weights. */
async function finalBytes(out: string): Promise<Record<string, string>> {
  const ck = path.join(out, 'checkpoints', (await readFile(path.join(out, 'checkpoints', 'latest'), 'utf8')).trim());
  const files: Record<string, string> = {};
  for (const f of ['weights.bin', 'optimizer.bin', 'strategy.bin']) files[`checkpoint/${f}`] = (await readFile(path.join(ck, f))).toString('base64');
  const manifest = JSON.parse(await readFile(path.join(ck, 'manifest.json'), 'utf8')) as { step: number; rng: unknown };
  files['checkpoint/step+rng'] = JSON.stringify([manifest.step, manifest.rng]);
  for (const f of (await readdir(path.join(out, 'encoder'))).sort()) files[`encoder/${f}`] = (await readFile(path.join(out, 'encoder', f))).toString('base64');
  return files;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cli-crash-'));
  config = path.join(dir, 'crash.yaml');
  await writeFile(
    config,
    `name: crash
seed: 7
data: { trainLimit: 192 }
encoder: { kind: convnet, widths: [8, 16] }
head: { hiddenDim: 32, outputDim: 16 }
strategy: { name: simclr, temperature: 0.5 }
optimizer: { name: sgd, lr: 0.05, momentum: 0.9 }
train: { batchSize: 16, maxSteps: ${TOTAL} }
checkpoint: { everySteps: 2, keep: 3 }
monitor: { enabled: false }
report: { previewImages: 2, previewViews: 2 }
`,
  );
});

describe(`crash harness (seed ${seed})`, () => {
  it('seeded SIGKILLs (in checkpoint writes, at the start of a resume, between steps) and resumes end byte-identical to the uninterrupted run', { timeout: 600_000 }, async () => {
    const reference = path.join(dir, 'reference');
    const clean = await train(reference, []);
    expect(clean.code, clean.stderr).toBe(0);
    const expected = await finalBytes(reference);

    const rng = Rng.fromSeed(seed);
    const pick = (lo: number, hi: number): number => lo + Math.floor(rng.uniform() * (hi - lo + 1));
    const crashed = path.join(dir, 'crashed');
    // Each entry: how the process is started and where it dies.
    const firstWrite = pick(1, 2);
    const laterWrite = pick(1, 2);
    const plan: { what: string; args: string[]; env?: Record<string, string>; killAfterSteps?: boolean }[] = [
      { what: `SIGKILL inside checkpoint write ${firstWrite} (files written, nothing renamed)`, args: [], env: { CONTRASTIVE_FAILPOINT: `checkpoint.files-written:${firstWrite}` } },
      { what: 'SIGKILL during the start of the resume (checkpoint restored, no step run)', args: ['--resume'], env: { CONTRASTIVE_FAILPOINT: 'resume.restored' } },
      { what: `SIGKILL inside checkpoint write ${laterWrite} (directory in place, latest not updated)`, args: ['--resume'], env: { CONTRASTIVE_FAILPOINT: `checkpoint.before-latest:${laterWrite}` } },
      { what: 'SIGKILL after a seeded number of steps, from outside', args: ['--resume'], killAfterSteps: true },
    ];
    const lines: string[] = [];
    for (const step of plan) {
      const before = await loggedSteps(path.join(crashed, 'metrics.jsonl'));
      const killAt = step.killAfterSteps === true ? before + pick(1, 3) : undefined;
      const r = await train(crashed, step.args, step.env, killAt);
      expect(r.signal, `${step.what}\n${r.stderr}`).toBe('SIGKILL');
      const status = JSON.parse(await readFile(path.join(crashed, 'run.json'), 'utf8').catch(() => '{}')) as { status?: string };
      lines.push(`${step.what}${killAt === undefined ? '' : ` (step ${killAt})`}: killed; steps logged ${await loggedSteps(path.join(crashed, 'metrics.jsonl'))}; run.json ${status.status ?? 'absent'}`);
    }

    // A corrupt latest checkpoint: refused by --resume, skipped with --resume --fallback.
    const latest = path.join(crashed, 'checkpoints', (await readFile(path.join(crashed, 'checkpoints', 'latest'), 'utf8')).trim());
    await writeFile(path.join(latest, 'optimizer.bin'), 'corrupt');
    const refused = await train(crashed, ['--resume']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/optimizer\.bin is (truncated|corrupt)/);
    const resumed = await train(crashed, ['--resume', '--fallback']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/skipping broken checkpoint .*latest/);
    const from = /resumed from (\S+)/.exec(resumed.stderr)?.[1] ?? '?';
    lines.push(`corrupted ${path.basename(latest)}: --resume refused (exit 2); --resume --fallback resumed from ${path.basename(from)} and finished the run`);

    const got = await finalBytes(crashed);
    expect(Object.keys(got)).toEqual(Object.keys(expected));
    for (const k of Object.keys(expected)) expect(got[k], k).toBe(expected[k]);
    expect(JSON.parse(await readFile(path.join(crashed, 'run.json'), 'utf8'))).toMatchObject({ status: 'completed', steps: TOTAL });
    const leftovers = (await readdir(path.join(crashed, 'checkpoints'))).filter((n) => n.startsWith('.'));
    expect(leftovers).toEqual([]);
    lines.push(`result: ${Object.keys(expected).length} files byte-identical to the uninterrupted run (${Object.keys(expected).join(', ')}); no .tmp-/.old- leftovers`);
    process.stdout.write(`crash harness, seed ${seed}:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  });
});
