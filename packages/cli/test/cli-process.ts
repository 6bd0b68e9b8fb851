/**
 * Runs the `contrastive` command line as a user does, for the end-to-end tests: a child process
 * of `bin.ts` from the TypeScript sources, with the shared data directory as
 * $CONTRASTIVE_DATA_DIR and one wasm thread.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';
import { repoRoot, sharedDataDir } from '../../../test/shared-data.js';

/** How a `contrastive` process ended and what it printed. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts `contrastive ...args` from the sources; `onStart` may signal the child. */
export function cli(args: readonly string[], onStart?: (child: ReturnType<typeof spawn>) => void): Promise<CliResult> {
  const root = repoRoot();
  const bin = path.join(root, 'packages', 'cli', 'src', 'bin.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=contrastive-source', '--import', 'tsx', bin, ...args], {
      cwd: root,
      env: { ...process.env, CONTRASTIVE_DATA_DIR: sharedDataDir(), CONTRASTIVE_WASM_THREADS: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    onStart?.(child);
  });
}

/** Fails when `text` holds a stack trace. */
export function noStackTrace(text: string): void {
  expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

/** Fails with the process's output when it did not exit with `code`. */
export function expectExit(r: CliResult, code: number): void {
  if (r.code !== code) throw new Error(`expected exit status ${code}, got ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
}
