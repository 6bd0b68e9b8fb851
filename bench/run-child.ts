/**
 * Runs a child process to completion and collects its output (the benches run each engine or
 * side in a process of its own). Never rejects: a failed start comes back as code 1.
 */
import { spawn } from 'node:child_process';

/** Output and exit code of a finished child. */
export interface ChildResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `command args`; with `liveStderr`, the child's stderr is also echoed as it arrives. */
export function runChild(command: string, args: readonly string[], options: { readonly liveStderr?: boolean } = {}): Promise<ChildResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (options.liveStderr === true) process.stderr.write(d);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, out, err }));
    child.on('error', (e) => resolve({ code: 1, out, err: String(e) }));
  });
}
