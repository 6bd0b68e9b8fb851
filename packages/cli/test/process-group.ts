/**
 * Test helper: runs a command line as a user's shell would, in a process group of its own, so
 * that a signal can be sent to the whole group (as the terminal does on Ctrl-C).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { constants } from 'node:os';

/** How a command ended, and what it printed. */
export interface GroupResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The status a shell reports for a result: the exit code, or 128 + the signal's number for a
 * process ended by a signal (npm and npx end themselves with the signal they received).
 */
export function shellStatus(r: Pick<GroupResult, 'code' | 'signal'>): number {
  return r.code ?? 128 + (r.signal === null ? 0 : constants.signals[r.signal]);
}

/** A running command. */
export interface GroupProcess {
  readonly pid: number;
  readonly done: Promise<GroupResult>;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Sends `signal` to every process of the group. */
  signalGroup(signal: NodeJS.Signals): void;
}

const started = new Set<number>();

/** SIGKILLs the groups of every command started here that is still running (test clean-up). */
export function killStartedGroups(): void {
  for (const pid of started) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  started.clear();
}

/**
 * Starts `command args...` in `cwd` as the leader of a new process group. `done` resolves when
 * the command has exited and every process holding its output pipes (the CLI's worker too)
 * has closed them.
 */
export function startGroup(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): GroupProcess {
  const child = spawn(command, [...args], { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  started.add(child.pid as number);
  const done = new Promise<GroupResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  void done.then(() => started.delete(child.pid as number), () => undefined);
  return {
    pid: child.pid as number,
    done,
    stderr: () => stderr,
    signalGroup: (signal) => process.kill(-(child.pid as number), signal),
  };
}

/** Resolves once `test()` holds (polled every 50 ms), or rejects after `timeoutMs`. */
export async function waitUntil(test: () => Promise<boolean> | boolean, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Number of step records in a metrics log (0 while it does not exist). */
export async function loggedSteps(metricsFile: string): Promise<number> {
  const text = await readFile(metricsFile, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.includes('"type":"step"')).length;
}
