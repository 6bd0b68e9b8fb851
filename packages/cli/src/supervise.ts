/**
 * Signal-safe process layout of the `contrastive` executable.
 *
 * A wrapper such as tsx forwards Ctrl-C (SIGINT) or SIGTERM to its child and SIGKILLs it 30 ms
 * later unless the child reports the signal first; a training step blocks the child's event
 * loop for longer than that, so the work in flight (and the checkpoint that should follow it)
 * was lost. The executable therefore runs as a small *supervisor* whose event loop is always
 * free: it starts the real command as a *worker* in a process group of its own (so a signal
 * sent to the terminal's or the wrapper's process group does not reach it), forwards each
 * SIGINT/SIGTERM/SIGHUP to it, and exits with the worker's status. The worker stops after the
 * current step with a checkpoint (first signal) or at once (second signal). If the supervisor
 * itself is killed, the worker sees its IPC channel close and stops the same way, so it never
 * trains on unattended.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** Set to '1' in the worker's environment (and by callers that want no supervisor). */
export const WORKER_ENV = 'CONTRASTIVE_WORKER';

/** Commands that run long enough to be interrupted; the others run in-process. */
const SUPERVISED_COMMANDS = new Set(['train', 'main', 'eval', 'embed', 'report', 'preview', 'sweep', 'worker']);

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * A signal that arrives within this many milliseconds of the previous one is the same request
 * delivered twice (the terminal signals the whole process group and npm or tsx relay it again),
 * not a person pressing Ctrl-C a second time; it is not forwarded.
 */
export const DUPLICATE_SIGNAL_MS = 500;

/** True when `argv` (without node and script) should run in a supervised worker. */
export function shouldSupervise(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  if (env[WORKER_ENV] === '1') return false;
  const command = argv.find((a) => !a.startsWith('-'));
  return command !== undefined && SUPERVISED_COMMANDS.has(command) && !argv.includes('--help') && !argv.includes('-h');
}

/** The exit status of a process that ended with `code` or by `signal` (128 + its number). */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal === null ? 1 : (constants.signals[signal] ?? 1));
}

/**
 * Runs `script argv...` (with this process's node flags, e.g. tsx's loader) as a worker in its
 * own process group, forwards termination signals to it (once per request, see
 * {@link DUPLICATE_SIGNAL_MS}), and resolves to its exit status.
 *
 * @example
 * ```ts
 * process.exitCode = await superviseWorker(process.argv[1]!, process.argv.slice(2));
 * ```
 */
export function superviseWorker(script: string, argv: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, script, ...argv], {
      detached: true,
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, [WORKER_ENV]: '1' },
    });
    let last = Number.NEGATIVE_INFINITY;
    const forward = (signal: NodeJS.Signals): void => {
      const now = performance.now();
      if (now - last < DUPLICATE_SIGNAL_MS) return;
      last = now;
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    for (const s of FORWARDED) process.on(s, forward);
    child.on('error', (e) => {
      for (const s of FORWARDED) process.off(s, forward);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      for (const s of FORWARDED) process.off(s, forward);
      resolve(exitStatus(code, signal));
    });
  });
}

/**
 * In a supervised worker: treats the loss of the supervisor (its IPC channel closes) as SIGTERM,
 * and keeps the channel from holding the process open. A no-op elsewhere.
 */
export function watchSupervisor(): void {
  if (process.env[WORKER_ENV] !== '1' || process.send === undefined) return;
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  (process.channel as { unref?: () => void } | undefined)?.unref?.();
}
