/**
 * Runs the `contrastive` command line as a user does, for the end-to-end tests: a child process
 * of `bin.ts` from the TypeScript sources (see test/run-source.ts).
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';
import { runSource, type SourceRun } from '../../../test/run-source.js';
import { repoRoot } from '../../../test/shared-data.js';

/** How a `contrastive` process ended and what it printed. */
export type CliResult = SourceRun;

/** Starts `contrastive ...args` from the sources; `onStart` may signal the child. */
export function cli(args: readonly string[], onStart?: (child: ChildProcess) => void): Promise<CliResult> {
  return runSource(path.join(repoRoot(), 'packages', 'cli', 'src', 'bin.ts'), args, onStart);
}

/** Fails when `text` holds a stack trace. */
export function noStackTrace(text: string): void {
  expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

/** Fails with the process's output when it did not exit with `code`. */
export function expectExit(r: CliResult, code: number): void {
  if (r.code !== code) throw new Error(`expected exit status ${code}, got ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
}
