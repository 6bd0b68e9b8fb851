/**
 * Runs a TypeScript entry point of the repository as a user does, for end-to-end tests: a child
 * process of the source (tsx, the `contrastive-source` condition) in the repository root, with
 * the shared data directory as $CONTRASTIVE_DATA_DIR and one wasm thread.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { repoRoot, sharedDataDir } from './shared-data.js';

/** How a process ended and what it printed. */
export interface SourceRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts `file ...args` (absolute path of a .ts file); `onStart` may signal the child. */
export function runSource(file: string, args: readonly string[], onStart?: (child: ChildProcess) => void): Promise<SourceRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=contrastive-source', '--import', 'tsx', file, ...args], {
      cwd: repoRoot(),
      env: { ...process.env, CONTRASTIVE_DATA_DIR: sharedDataDir(), CONTRASTIVE_WASM_THREADS: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    onStart?.(child);
  });
}
