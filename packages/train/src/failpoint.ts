/**
 * Failpoints: named places in the checkpoint and resume code where the crash harness and the
 * out-of-disk tests make a process fail on purpose, deterministically. Inert unless the
 * environment variable `CONTRASTIVE_FAILPOINT` names the point:
 *
 * ```
 * CONTRASTIVE_FAILPOINT=<name>[:<hit>[:<action>]]
 *   name    e.g. checkpoint.between-renames (see FAILPOINTS)
 *   hit     fail on the hit-th time the point is reached in this process (default 1)
 *   action  kill (SIGKILL this process, default) | enospc (throw an ENOSPC file-system error)
 * ```
 */

/** The failpoints the code defines. */
export const FAILPOINTS = [
  /** saveCheckpoint: before each file of the temporary directory is written. */
  'checkpoint.write-file',
  /** saveCheckpoint: the temporary directory is complete, nothing renamed yet. */
  'checkpoint.files-written',
  /** saveCheckpoint, rewriting a step: the old directory moved aside, the new one not yet in place. */
  'checkpoint.between-renames',
  /** saveCheckpoint: the directory is in place, `latest` not yet updated. */
  'checkpoint.before-latest',
  /** The CLI's training: a checkpoint was restored, no step has run. */
  'resume.restored',
] as const;

/** A failpoint name. */
export type FailpointName = (typeof FAILPOINTS)[number];

const hits = new Map<string, number>();

/** Node's `process` when there is one (failpoints are inert elsewhere: this module is platform-neutral). */
interface ProcessLike {
  readonly env?: Record<string, string | undefined>;
  readonly pid?: number;
  kill?(pid: number, signal: string): unknown;
}
const nodeProcess = (): ProcessLike | undefined => (globalThis as { process?: ProcessLike }).process;

/** Reaches failpoint `name`: fails as `CONTRASTIVE_FAILPOINT` says when it names this point. */
export function failpoint(name: FailpointName): void {
  const proc = nodeProcess();
  const spec = proc?.env?.['CONTRASTIVE_FAILPOINT'];
  if (spec === undefined || spec === '') return;
  const [point, hitText = '1', action = 'kill'] = spec.split(':');
  if (point !== name) return;
  const count = (hits.get(name) ?? 0) + 1;
  hits.set(name, count);
  if (count !== Number(hitText)) return;
  if (action === 'enospc') {
    throw Object.assign(new Error(`ENOSPC: no space left on device, write (failpoint ${name})`), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  }
  if (proc?.kill !== undefined && proc.pid !== undefined) proc.kill(proc.pid, 'SIGKILL');
}
